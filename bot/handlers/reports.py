"""/report: today's report of what the caller reports for. A store manager reports the
store's stock (the daily survey), a monitoring point's reporter its prices (the daily
monitoring); someone linked to both is asked which, and /stockreport and /pricereport
go straight to one."""

from __future__ import annotations

from bot.handlers import prices, survey
from bot.handlers.request import Request
from bot.texts import reports as texts


async def report_command(req: Request) -> None:
    managed = await req.uow.survey.stores_managed_by(req.caller.id)
    points = await req.uow.prices.points_of(req.caller.id)
    if managed and points:
        req.say(texts.WHICH_REPORT)
    elif points:
        await prices.report_command(req)
    elif managed:
        await survey.report_command(req)
    else:
        req.say(texts.NOTHING_TO_REPORT)
