"""The tables, as SQLAlchemy Core sees them: the one description queries are built from.

Times are POSIX seconds (floating point), calendar dates ISO text, Telegram ids
64-bit integers. The database itself is created and brought up to date by the
Alembic revisions in ``storage/migrations/versions``; a test checks that a migrated
database has exactly these tables and columns.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# Double precision everywhere a time or an amount is kept (PostgreSQL's REAL is 4 bytes).
Number = Float(precision=53)

users = Table(
    "users", metadata,
    Column("telegram_id", BigInteger, primary_key=True, autoincrement=False),
    Column("role", Text, nullable=False),
    Column("name", Text, nullable=False, server_default=""),
    Column("organisation", Text, nullable=False, server_default=""),
    Column("phone", Text),
    # For growers and buyers: where they are. For officials: their area
    # (both NULL = the whole city; county only = a county-level unit).
    Column("county", Text),
    Column("township", Text),
    Column("status", Text, nullable=False, server_default="active"),
    Column("language", Text, nullable=False, server_default="zh"),
    Column("created_at", Number, nullable=False),
    Column("updated_at", Number, nullable=False),
)
Index("users_role_region", users.c.role, users.c.county, users.c.township)

invites = Table(
    "invites", metadata,
    Column("code", Text, primary_key=True),
    Column("role", Text, nullable=False),
    Column("name", Text, nullable=False, server_default=""),
    Column("organisation", Text, nullable=False, server_default=""),
    Column("county", Text),
    Column("township", Text),
    Column("created_at", Number, nullable=False),
    Column("used_by", BigInteger, ForeignKey("users.telegram_id")),
    Column("used_at", Number),
)

listings = Table(
    "listings", metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.telegram_id"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("raw_text", Text, nullable=False, server_default=""),
    Column("product", Text, nullable=False),
    Column("category", Text, nullable=False),
    Column("variety", Text),
    Column("quantity", Number),
    Column("unit", Text),
    Column("quantity_as_written", Number),
    Column("unit_as_written", Text),
    Column("pack_unit", Text),
    Column("pack_amount", Number),
    Column("pack_amount_unit", Text),
    Column("price", Number),
    Column("price_unit", Text),
    Column("price_bound", Text),
    Column("city", Text),
    Column("county", Text),
    Column("township", Text),
    Column("outside", Text),
    Column("valid_until", Text),
    Column("expires_at", Number),
    Column("status", Text, nullable=False, server_default="open"),
    # Why a listing was closed: 'done' (已成交), 'closed', 'invalid'.
    Column("closed_reason", Text),
    Column("created_at", Number, nullable=False),
    Column("updated_at", Number, nullable=False),
    # Every write stamps the listing with a change number: workers' indexes catch up by it.
    Column("change_seq", BigInteger, nullable=False, server_default="0"),
    # The draft it was confirmed from: one draft is published once.
    Column("publish_key", Text, unique=True),
    sqlite_autoincrement=True,
)
Index("listings_open_product", listings.c.status, listings.c.product)
Index("listings_user", listings.c.user_id, listings.c.status)
Index("listings_created", listings.c.created_at)
Index("listings_region", listings.c.county, listings.c.township)
Index("listings_change_seq", listings.c.change_seq)

change_counters = Table(
    "change_counters", metadata,
    Column("name", Text, primary_key=True),
    Column("value", BigInteger, nullable=False),
)

matches = Table(
    "matches", metadata,
    Column("id", Integer, primary_key=True),
    Column("need_id", Integer, ForeignKey("listings.id"), nullable=False),
    Column("offer_id", Integer, ForeignKey("listings.id"), nullable=False),
    Column("score", Number, nullable=False),
    Column("rank", Integer, nullable=False),
    Column("created_at", Number, nullable=False),
    # Each side's 我有意向: contacts are exchanged only when both are set.
    Column("need_interest_at", Number),
    Column("offer_interest_at", Number),
    Column("contacts_exchanged_at", Number),
    UniqueConstraint("need_id", "offer_id"),
    sqlite_autoincrement=True,
)
Index("matches_offer", matches.c.offer_id)
Index("matches_created", matches.c.created_at)

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True),
    # day|recipient|kind, match:12:need …: filling the outbox twice adds nothing.
    Column("key", Text, nullable=False, unique=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("kind", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("status", Text, nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("not_before", Number, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("created_at", Number, nullable=False),
    Column("sent_at", Number),
    # The sender holding the row (or, once sent, its chat) until claimed_until.
    Column("claimed_by", Text),
    Column("claimed_until", Number),
    sqlite_autoincrement=True,
)
Index("outbox_pending", outbox.c.status, outbox.c.not_before)
Index("outbox_chat_claims", outbox.c.chat_id, outbox.c.claimed_until)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Number, nullable=False),
    Column("actor_id", BigInteger),
    Column("action", Text, nullable=False),
    Column("target", Text),
    Column("detail", Text, nullable=False, server_default="{}"),
    sqlite_autoincrement=True,
)
Index("audit_at", audit_log.c.at)

# Each chat's conversation: which flow, which step, what it collected (JSON), and the
# chat's recent posts (the flood limit). Read at the start of each update and written
# in the same transaction as the update's effects.
conversations = Table(
    "conversations", metadata,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("flow", Text),
    Column("step", Text),
    Column("data", Text, nullable=False, server_default="{}"),
    Column("recent_posts", Text, nullable=False, server_default="[]"),
    Column("version", Integer, nullable=False, server_default="0"),
    Column("updated_at", Number, nullable=False),
)

# The time Telegram's overall limit lets the bot's next message go, shared by workers.
send_clock = Table(
    "send_clock", metadata,
    Column("name", Text, primary_key=True),
    Column("free_at", Number, nullable=False),
)

# Updates whose effects are committed: one delivered twice has the effect of once.
processed_updates = Table(
    "processed_updates", metadata,
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("at", Number, nullable=False),
)
Index("processed_updates_at", processed_updates.c.at)

# One run of a scheduled job a day: claimed by the first worker, with a lease a live
# worker takes over when the claimer died; finished_at once it ran to the end.
job_runs = Table(
    "job_runs", metadata,
    Column("job", Text, primary_key=True),
    Column("day", Text, primary_key=True),
    Column("claimed_by", Text, nullable=False),
    Column("claimed_until", Number, nullable=False),
    Column("started_at", Number, nullable=False),
    Column("finished_at", Number),
)

# 成交了吗: each side of a match asked whether it became a deal (at most twice), and its
# answer with the quantity (in its own listing's unit) and price it dealt.
deal_answers = Table(
    "deal_answers", metadata,
    Column("match_id", Integer, ForeignKey("matches.id"), primary_key=True,
           autoincrement=False),
    Column("side", Text, primary_key=True),
    Column("asks", Integer, nullable=False, server_default="0"),
    Column("asked_at", Number, nullable=False),
    Column("answer", Text),
    Column("quantity", Number),
    Column("unit", Text),
    Column("price", Number),
    Column("price_unit", Text),
    Column("answered_at", Number),
)
Index("deal_answers_answered", deal_answers.c.answer, deal_answers.c.answered_at)

# 关注: products a user follows, optionally within an area ('' where none is given).
follows = Table(
    "follows", metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.telegram_id"), nullable=False),
    Column("product", Text, nullable=False),
    Column("county", Text, nullable=False, server_default=""),
    Column("township", Text, nullable=False, server_default=""),
    Column("created_at", Number, nullable=False),
    UniqueConstraint("user_id", "product", "county", "township"),
    sqlite_autoincrement=True,
)
Index("follows_product", follows.c.product)

# The follow notices each follower was sent each day: the daily cap, across workers.
follow_quota = Table(
    "follow_quota", metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("day", Text, primary_key=True),
    Column("sent", Integer, nullable=False, server_default="0"),
)

# The supply hotline's tickets (诉求). ``county``/``township``: where the matter is;
# ``owner_county``/``owner_township``: the area whose officials own it (both NULL = the
# city); ``owner_id``: the official who took it. ``changes`` counts its state changes
# (each one's notice to the filer is keyed by it). ``need_id``: the need on the market it
# became, pointing back here through this unique column.
tickets = Table(
    "tickets", metadata,
    Column("id", Integer, primary_key=True),
    Column("number", Text, nullable=False, unique=True),
    Column("category", Text, nullable=False),
    Column("ticket_class", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("what", Text, nullable=False),
    Column("county", Text),
    Column("township", Text),
    Column("filer_id", BigInteger, ForeignKey("users.telegram_id")),
    Column("caller_name", Text, nullable=False, server_default=""),
    Column("caller_phone", Text),
    Column("owner_county", Text),
    Column("owner_township", Text),
    Column("owner_id", BigInteger, ForeignKey("users.telegram_id")),
    Column("answer", Text),
    Column("close_reason", Text),
    Column("rating", Text),
    Column("deadline_at", Number, nullable=False),
    # The deadline the owner was reminded of, and how many times it went up a level.
    Column("reminded_for", Number),
    Column("escalations", Integer, nullable=False, server_default="0"),
    Column("changes", Integer, nullable=False, server_default="0"),
    Column("need_id", Integer, ForeignKey("listings.id"), unique=True),
    Column("created_at", Number, nullable=False),
    Column("updated_at", Number, nullable=False),
    sqlite_autoincrement=True,
)
Index("tickets_state_deadline", tickets.c.state, tickets.c.deadline_at)
Index("tickets_region", tickets.c.county, tickets.c.township)
Index("tickets_filer", tickets.c.filer_id)

# The day's last ticket serial (RX-<day>-<serial>), shared by every worker.
ticket_counters = Table(
    "ticket_counters", metadata,
    Column("day", Text, primary_key=True),
    Column("value", Integer, nullable=False),
)

# Transport passes: an application (pending) that an official of its route approves
# (number set), rejects (reason) or later revokes. Crew is JSON [{"name", "phone"}],
# driver first; an end of the route is a county of the city or a place outside it.
passes = Table(
    "passes", metadata,
    Column("id", Integer, primary_key=True),
    Column("number", Text, unique=True),
    Column("status", Text, nullable=False, server_default="pending"),
    Column("applicant_id", BigInteger, ForeignKey("users.telegram_id"), nullable=False),
    Column("applied_by", BigInteger),
    Column("plate", Text, nullable=False),
    Column("crew", Text, nullable=False, server_default="[]"),
    Column("category", Text, nullable=False),
    Column("origin_county", Text),
    Column("origin_outside", Text),
    Column("destination_county", Text),
    Column("destination_outside", Text),
    Column("valid_from", Text, nullable=False),
    Column("valid_until", Text, nullable=False),
    Column("issuer_county", Text),
    Column("decided_by", BigInteger),
    Column("decided_at", Number),
    Column("reason", Text),
    Column("revoked_by", BigInteger),
    Column("revoked_at", Number),
    Column("created_at", Number, nullable=False),
    Column("updated_at", Number, nullable=False),
    sqlite_autoincrement=True,
)
Index("passes_origin", passes.c.origin_county)
Index("passes_destination", passes.c.destination_county)
Index("passes_applicant", passes.c.applicant_id)

# Each issuing unit's last serial: the next pass number is taken by incrementing it.
pass_serials = Table(
    "pass_serials", metadata,
    Column("code", Text, primary_key=True),
    Column("last", Integer, nullable=False),
)

# Daily price monitoring (日监测). Monitoring points: supermarkets, farmers' markets and
# wholesale markets in a county-level unit (and township). A removed point keeps its
# reports; its name stays taken.
monitoring_points = Table(
    "monitoring_points", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("type", Text, nullable=False),
    Column("county", Text, nullable=False),
    Column("township", Text),
    Column("created_at", Number, nullable=False),
    Column("removed_at", Number),
    sqlite_autoincrement=True,
)
# A user linked to a point reports its prices. A link is not a role: a buyer linked to a
# market stays a buyer, and one user may be linked to several points. By Telegram id, so
# a reporter may be linked before first opening the bot.
point_links = Table(
    "point_links", metadata,
    Column("point_id", Integer, ForeignKey("monitoring_points.id"), primary_key=True,
           autoincrement=False),
    Column("telegram_id", BigInteger, primary_key=True, autoincrement=False),
    Column("created_at", Number, nullable=False),
)
Index("point_links_user", point_links.c.telegram_id)
# One-time links an official hands to a point's reporter.
point_invites = Table(
    "point_invites", metadata,
    Column("code", Text, primary_key=True),
    Column("point_id", Integer, ForeignKey("monitoring_points.id"), nullable=False),
    Column("created_by", BigInteger),
    Column("created_at", Number, nullable=False),
    Column("used_by", BigInteger),
    Column("used_at", Number),
)
# A point's price of a basket item on a day, the latest report of it (yuan per
# price_unit; sales in kg, L or a count unit). What a later report replaced is kept in
# price_report_history.
price_reports = Table(
    "price_reports", metadata,
    Column("point_id", Integer, ForeignKey("monitoring_points.id"), primary_key=True,
           autoincrement=False),
    Column("day", Text, primary_key=True),
    Column("product", Text, primary_key=True),
    Column("price", Number, nullable=False),
    Column("price_unit", Text, nullable=False),
    Column("sales", Number),
    Column("sales_unit", Text),
    Column("reported_by", BigInteger),
    Column("reported_at", Number, nullable=False),
    Column("source", Text, nullable=False),
)
# Covers the day's table: the day's scan and the lookup of each point's price days before.
Index("price_reports_day_point", price_reports.c.day, price_reports.c.point_id,
      price_reports.c.product, price_reports.c.price_unit, price_reports.c.price)
price_report_history = Table(
    "price_report_history", metadata,
    Column("id", Integer, primary_key=True),
    Column("point_id", Integer, nullable=False),
    Column("day", Text, nullable=False),
    Column("product", Text, nullable=False),
    Column("price", Number, nullable=False),
    Column("price_unit", Text, nullable=False),
    Column("sales", Number),
    Column("sales_unit", Text),
    Column("reported_by", BigInteger),
    Column("reported_at", Number, nullable=False),
    Column("source", Text, nullable=False),
    Column("replaced_at", Number, nullable=False),
    sqlite_autoincrement=True,
)
Index("price_report_history_point_day", price_report_history.c.point_id,
      price_report_history.c.day)

# --- the daily store survey (日调查) and supply-assurance officers (保供服务官) ---
# A store or market surveyed daily; re-importing updates it by chain + name.
stores = Table(
    "stores", metadata,
    Column("id", Integer, primary_key=True),
    Column("chain", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("type", Text, nullable=False),  # 超市, 农贸市场, 社区店
    Column("county", Text, nullable=False),
    Column("township", Text),
    # The 店长电话 of the import: users signed up with it become the store's managers.
    Column("manager_phone", Text),
    Column("created_at", Number, nullable=False),
    Column("updated_at", Number, nullable=False),
    UniqueConstraint("chain", "name"),
    sqlite_autoincrement=True,
)
Index("stores_region", stores.c.county, stores.c.township)

# A user linked to a store as its manager (a link, not a role: one may manage several).
store_managers = Table(
    "store_managers", metadata,
    Column("store_id", Integer, ForeignKey("stores.id"), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.telegram_id"), primary_key=True),
    Column("created_at", Number, nullable=False),
)
Index("store_managers_user", store_managers.c.user_id)

# The official assigned to a store point to point (its 保供服务官), one per store.
store_officers = Table(
    "store_officers", metadata,
    Column("store_id", Integer, ForeignKey("stores.id"), primary_key=True, autoincrement=False),
    Column("official_id", BigInteger, ForeignKey("users.telegram_id"), nullable=False),
    Column("assigned_by", BigInteger),
    Column("assigned_at", Number, nullable=False),
)
Index("store_officers_official", store_officers.c.official_id)

# One item of one store's report of one day (ISO date); a later report of the day wins.
survey_reports = Table(
    "survey_reports", metadata,
    Column("store_id", Integer, ForeignKey("stores.id"), primary_key=True),
    Column("product", Text, primary_key=True),
    Column("day", Text, primary_key=True),
    Column("stock", Number, nullable=False),
    Column("stock_unit", Text, nullable=False),
    Column("sales", Number),
    Column("sales_unit", Text),
    Column("sales_basis", Text),  # daily_average, today
    Column("reported_by", BigInteger),
    Column("reported_at", Number, nullable=False),
)
# The day's table reads a week of every store's reports: this index holds all it reads.
Index("survey_reports_day", survey_reports.c.day, survey_reports.c.store_id,
      survey_reports.c.product, survey_reports.c.stock, survey_reports.c.stock_unit,
      survey_reports.c.sales, survey_reports.c.sales_unit)

# A need the survey drafted for a store's short item: draft → published (its listing) or
# dismissed; published → closed when the stock is back above target.
survey_needs = Table(
    "survey_needs", metadata,
    Column("id", Integer, primary_key=True),
    Column("store_id", Integer, ForeignKey("stores.id"), nullable=False),
    Column("product", Text, nullable=False),
    Column("day", Text, nullable=False),
    Column("status", Text, nullable=False, server_default="draft"),
    Column("urgency", Text, nullable=False),  # the item's status when drafted: 偏紧, 告急, 断货
    Column("quantity", Number, nullable=False),
    Column("unit", Text, nullable=False),
    Column("listing_id", Integer, ForeignKey("listings.id")),
    Column("created_at", Number, nullable=False),
    Column("updated_at", Number, nullable=False),
    sqlite_autoincrement=True,
)
Index("survey_needs_store", survey_needs.c.store_id, survey_needs.c.product,
      survey_needs.c.status)
Index("survey_needs_listing", survey_needs.c.listing_id)

# 已协调: an official acknowledged an escalated need (shown above, pausing escalation a step).
need_coordinations = Table(
    "need_coordinations", metadata,
    Column("listing_id", Integer, ForeignKey("listings.id"), primary_key=True),
    Column("official_id", BigInteger, ForeignKey("users.telegram_id"), primary_key=True),
    Column("at", Number, nullable=False),
)

# When a user was told that officials of their area may see their phone (at sign-up, or
# once before an escalation first shows it).
phone_notices = Table(
    "phone_notices", metadata,
    Column("user_id", BigInteger, ForeignKey("users.telegram_id"), primary_key=True,
           autoincrement=False),
    Column("told_at", Number, nullable=False),
)

# --- the emergency supplier registry (应急商品供应数据库) ---
# A registered supplier; re-importing updates it by ``key``: "code:" + its 统一社会信用代码
# when known, else "name:" + name + "@" + its county-level unit and township.
suppliers = Table(
    "suppliers", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("type", Text, nullable=False),  # 养殖场, 蔬菜生产大户, 面粉加工企业, 批发商, 超市, 其他
    Column("credit_code", Text),  # 统一社会信用代码
    Column("county", Text, nullable=False),
    Column("township", Text),
    Column("contact", Text, nullable=False, server_default=""),
    # A business contact given to the bureau: officials of the supplier's area see it.
    Column("phone", Text),
    Column("flags", Text, nullable=False, server_default=""),  # 、-separated: 保供骨干企业
    Column("created_at", Number, nullable=False),
    Column("updated_at", Number, nullable=False),
    sqlite_autoincrement=True,
)
Index("suppliers_region", suppliers.c.county, suppliers.c.township)

# What a supplier can supply: a capacity per day (日) or per week (周), in a unit.
supplier_products = Table(
    "supplier_products", metadata,
    Column("supplier_id", Integer, ForeignKey("suppliers.id"), primary_key=True),
    Column("product", Text, primary_key=True),
    Column("capacity", Number, nullable=False),
    Column("unit", Text, nullable=False),
    Column("period", Text, nullable=False),  # 日, 周
)
Index("supplier_products_product", supplier_products.c.product,
      supplier_products.c.supplier_id)

# A signed-up user speaking for a supplier (their listings show the supplier's name).
supplier_users = Table(
    "supplier_users", metadata,
    Column("supplier_id", Integer, ForeignKey("suppliers.id"), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.telegram_id"), primary_key=True),
    Column("created_at", Number, nullable=False),
)
Index("supplier_users_user", supplier_users.c.user_id)

# A registry supplier asked for a need the market did not cover: by a card to its linked
# users (channel "bot") or on the call list of its area's officials ("call"); answered
# once: yes (能供应), no (不能), partial (能供应部分, with a quantity in the need's unit).
supplier_requests = Table(
    "supplier_requests", metadata,
    Column("id", Integer, primary_key=True),
    Column("need_id", Integer, ForeignKey("listings.id"), nullable=False),
    Column("supplier_id", Integer, ForeignKey("suppliers.id"), nullable=False),
    Column("channel", Text, nullable=False),  # bot, call
    Column("status", Text, nullable=False, server_default="asked"),  # asked, yes, no, partial
    Column("quantity", Number),
    Column("unit", Text),
    Column("asked_at", Number, nullable=False),
    Column("answered_at", Number),
    Column("answered_by", BigInteger),
    Column("offer_id", Integer, ForeignKey("listings.id")),  # the offer 能供应 became
    UniqueConstraint("need_id", "supplier_id"),
    sqlite_autoincrement=True,
)
Index("supplier_requests_supplier", supplier_requests.c.supplier_id, supplier_requests.c.status)

# --- sealed areas and directed delivery (封控区定向配送) ---
# A sealed area an official declared in a township: its compounds (names joined by 、), its
# level (封控区, 管控区, 防范区) and start day (ISO); active until lifted.
sealed_areas = Table(
    "sealed_areas", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("county", Text, nullable=False),
    Column("township", Text, nullable=False),
    Column("compounds", Text, nullable=False, server_default=""),
    Column("level", Text, nullable=False),
    Column("start", Text, nullable=False),
    Column("declared_by", BigInteger),
    Column("declared_at", Number, nullable=False),
    Column("lifted_at", Number),
    Column("lifted_by", BigInteger),
    sqlite_autoincrement=True,
)

# A registry supplier designated to deliver into a sealed area: only these are matched to
# its needs.
sealed_area_suppliers = Table(
    "sealed_area_suppliers", metadata,
    Column("area_id", Integer, ForeignKey("sealed_areas.id"), primary_key=True),
    Column("supplier_id", Integer, ForeignKey("suppliers.id"), primary_key=True),
    Column("created_at", Number, nullable=False),
)

# A property manager or volunteer receiving for a sealed area, at a delivery point; the needs
# they post are the area's.
sealed_area_receivers = Table(
    "sealed_area_receivers", metadata,
    Column("area_id", Integer, ForeignKey("sealed_areas.id"), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.telegram_id"), primary_key=True),
    Column("point", Text, nullable=False),
    Column("created_at", Number, nullable=False),
)
Index("sealed_area_receivers_user", sealed_area_receivers.c.user_id)

# A consented match into a sealed area: assigned → dispatched (已发车) → received (已签收).
deliveries = Table(
    "deliveries", metadata,
    Column("id", Integer, primary_key=True),
    Column("area_id", Integer, ForeignKey("sealed_areas.id"), nullable=False),
    Column("match_id", Integer, ForeignKey("matches.id"), nullable=False, unique=True),
    Column("supplier_user", BigInteger, nullable=False),
    Column("receiver_user", BigInteger, nullable=False),
    Column("product", Text, nullable=False),
    Column("quantity", Number),
    Column("unit", Text),
    Column("point", Text, nullable=False),
    Column("status", Text, nullable=False, server_default="assigned"),
    Column("plate", Text),
    Column("received_quantity", Number),
    Column("shortfall", Number),
    Column("created_at", Number, nullable=False),
    Column("dispatched_at", Number),
    Column("received_at", Number),
    sqlite_autoincrement=True,
)
Index("deliveries_area", deliveries.c.area_id, deliveries.c.status)
