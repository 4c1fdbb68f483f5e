"""A conversation is added by declaring it: a two-step flow made up here takes its typed
answers, with nothing of posting changed, and text is a post again once it ends."""

from __future__ import annotations

from bot.app import ROUTES, build_application
from bot.handlers.request import Request
from bot.handlers.routing import Flow, Step
from bot.services.runtime import SERVICES_KEY
from bot.settings import Settings
from storage.database import Database
from tests.bot.conftest import sign_up
from tests.fake_bot_api import RunApplication
from tests.stores import each


async def _begin(req: Request) -> None:
    req.conversation.enter("report", "price")
    req.say("今天白菜多少钱一斤？")


async def _price(req: Request) -> None:
    req.conversation.data["price"] = req.text
    req.conversation.goto("sales")
    req.say("今天卖了多少？")


async def _sales(req: Request) -> None:
    price = req.conversation.data["price"]
    # Stored in the update's unit of work, like any use case's effect.
    await req.uow.audit.write(req.caller.id, "report.filed", None, price=price, sales=req.text)
    req.conversation.end()
    req.say(f"已记录：{price}，{req.text}")


REPORT = Flow("report", steps={"price": Step(text=_price), "sales": Step(text=_sales)})


async def test_a_flow_declared_here_takes_its_answers(
    make_user, settings: Settings, run_application: RunApplication
) -> None:
    routes = ROUTES.with_flow(REPORT, command="report", entry=_begin)
    application = await run_application(build_application(settings, routes=routes))
    db: Database = application.bot_data[SERVICES_KEY].db
    grower = make_user()
    await sign_up(grower)
    grower.send("/report")
    assert "多少钱" in (await grower.next_message()).content
    # Text that would be a post elsewhere is this step's answer here.
    grower.send("出售大白菜5000斤，0.8元/斤")
    assert "卖了多少" in (await grower.next_message()).content
    grower.send("800斤")
    done = await grower.next_message()
    assert "已记录" in done.content and "800斤" in done.content
    [entry] = await each(db).audit.entries(action="report.filed")
    assert '"800斤"' in entry.detail and "大白菜5000斤" in entry.detail
    assert await each(db).listings.of_user(grower.id) == []
    # The flow has ended: the same line is a post again.
    grower.send("出售大白菜5000斤，0.8元/斤")
    card = await grower.next_message()
    assert "确认" in " ".join(card.button_texts())
