"""The Telegram edge: everything that knows the Bot API.

The use cases and the domain never import this package; they return or enqueue
plain :class:`bot.services.messages.Message` values, and this package turns them
into Bot API calls (``payloads``), sends the outbox (``outbox_sender``) within the
limits (``transport``), routes each update to its handler in one unit of work
(``router``) and sets the command menus (``menus``).
"""
