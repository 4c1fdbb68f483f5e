"""How an update finds its handler: commands, button presses, the conversation a chat is in.

A chat is in at most one conversation (a :class:`Flow` at one of its steps), stored
in the database with everything it collected so far; the router reads it at the
start of each update and writes it back in the same transaction as the update's
effects, so any worker can take the next update of the chat.

Dispatch, in this order (see :func:`dispatch`):

1. A blocked user reaches nothing but the ``blocked`` handler.
2. A command goes to its command handler, whatever conversation the chat is in
   (``/cancel`` ends it, ``/start`` and ``/offer`` begin another).
3. A button press goes by its action's namespace (``int:5`` → ``int``): a flow's
   namespace reaches that flow only while the chat is in it (else it is a stale
   button), other namespaces reach their handler.
4. Typed text goes to the step the chat is at, if that step takes text; otherwise
   to the ``text`` handler (one-line posting). A shared contact likewise.
5. Anything else (voice, photos, stickers, locations) gets the ``media`` handler and
   leaves the conversation as it is.

A new flow is added by declaring it (its steps and what each takes) and listing it
in the routes; no other handler changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.handlers.request import Request

Handler = Callable[["Request"], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a flow: what typed text and a shared contact do there (None: not taken)."""

    text: Handler | None = None
    contact: Handler | None = None


@dataclass(frozen=True, slots=True)
class Flow:
    """A conversation: named steps, and the handler of its own buttons."""

    name: str
    steps: Mapping[str, Step]
    # The action namespace of this flow's buttons (``post`` for ``post:ok:…``).
    namespace: str | None = None
    press: Handler | None = None


@dataclass(frozen=True, slots=True)
class Route:
    """A handler, and whether it writes. A read-only route runs without the write lock
    (a city's digest takes a second to build) and leaves the conversation untouched."""

    handler: Handler
    writes: bool = True


@dataclass(frozen=True, slots=True)
class Routes:
    """Every way into the bot's handlers, in one table (assembled in ``bot.app``)."""

    commands: Mapping[str, Route]
    presses: Mapping[str, Route]
    flows: Sequence[Flow]
    text: Handler
    contact: Handler
    media: Handler
    blocked: Handler
    unknown_command: Handler
    unknown_press: Handler
    stale_press: Handler
    _flows_by_name: dict[str, Flow] = field(init=False, repr=False, compare=False)
    _flows_by_namespace: dict[str, Flow] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name = {flow.name: flow for flow in self.flows}
        by_namespace = {flow.namespace: flow for flow in self.flows if flow.namespace}
        if len(by_name) != len(self.flows) or len(by_namespace) != sum(
            1 for flow in self.flows if flow.namespace
        ):
            raise ValueError("flow names and namespaces must be unique")
        if clash := by_namespace.keys() & self.presses.keys():
            raise ValueError(f"namespaces used by a flow and a press route: {sorted(clash)}")
        object.__setattr__(self, "_flows_by_name", by_name)
        object.__setattr__(self, "_flows_by_namespace", by_namespace)

    def flow(self, name: str | None) -> Flow | None:
        return self._flows_by_name.get(name) if name else None

    def with_flow(self, flow: Flow, *, command: str | None = None,
                  entry: Handler | None = None) -> Routes:
        """These routes plus one more flow (and a command that enters it)."""
        commands = dict(self.commands)
        if command is not None and entry is not None:
            commands[command] = Route(entry)
        return Routes(
            commands=commands, presses=self.presses, flows=[*self.flows, flow],
            text=self.text, contact=self.contact, media=self.media, blocked=self.blocked,
            unknown_command=self.unknown_command, unknown_press=self.unknown_press,
            stale_press=self.stale_press,
        )


@dataclass(frozen=True, slots=True)
class Incoming:
    """What an update is, as far as routing cares."""

    blocked: bool = False
    command: str | None = None
    press_namespace: str | None = None
    text: bool = False
    contact: bool = False


def namespace_of(action: str) -> str:
    """The namespace of a button's action: ``post`` of ``post:ok:ab12``."""
    return action.split(":", 1)[0]


def dispatch(
    routes: Routes, incoming: Incoming, flow_name: str | None, step_name: str | None
) -> Route:
    """The route an update takes, given the conversation the chat is in (see module doc)."""
    if incoming.blocked:
        return Route(routes.blocked)
    if incoming.command is not None:
        return routes.commands.get(incoming.command, Route(routes.unknown_command, writes=False))
    flow = routes.flow(flow_name)
    step = flow.steps.get(step_name or "") if flow is not None else None
    if incoming.press_namespace is not None:
        owner = routes._flows_by_namespace.get(incoming.press_namespace)
        if owner is not None:
            if flow is owner and owner.press is not None:
                return Route(owner.press)
            return Route(routes.stale_press)
        return routes.presses.get(incoming.press_namespace, Route(routes.unknown_press))
    if incoming.text:
        if step is not None and step.text is not None:
            return Route(step.text)
        return Route(routes.text)
    if incoming.contact:
        if step is not None and step.contact is not None:
            return Route(step.contact)
        return Route(routes.contact)
    return Route(routes.media)
