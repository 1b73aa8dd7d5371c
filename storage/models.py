"""SQLAlchemy 2 models. Every row that belongs to a team carries ``team_id`` so that every query can be
scoped to the acting member's team."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    func,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from domain.enums import HotOutcome, OutboxStatus, PlanStatus, Role, Stage, TaskEventKind, TaskStatus

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend (SQLite keeps no zone, so naive values read back as UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _enum(cls: type) -> Enum:
    # Stored as plain strings (no native PostgreSQL enum): adding a value needs no migration dance.
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class TeamRow:
    """What a team's row starts with: its id and the team it belongs to, deleted with the team (see the
    module docstring). ``sort_order`` keeps these the table's first columns, in this order."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-3)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), sort_order=-2)


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    workdays: Mapped[str] = mapped_column(String(16), default="1,2,3,4,5")
    holiday_country: Mapped[str | None] = mapped_column(String(8), default="RU")
    morning_at: Mapped[time] = mapped_column(Time, default=time(9, 0))
    evening_at: Mapped[time] = mapped_column(Time, default=time(18, 0))
    approval_at: Mapped[time] = mapped_column(Time, default=time(21, 0))
    digest_at: Mapped[time] = mapped_column(Time, default=time(19, 0))
    hot_stale_days: Mapped[int] = mapped_column(Integer, default=5)
    paid_broadcast: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())

    members: Mapped[list[Member]] = relationship(back_populates="team")


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    tg_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    name: Mapped[str] = mapped_column(String(128))
    username: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(_enum(Role))
    locale: Mapped[str] = mapped_column(String(8), default="ru")
    timezone: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())

    team: Mapped[Team] = relationship(back_populates="members")


class Invite(Base):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Client(TeamRow, Base):
    __tablename__ = "clients"

    owner_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    name: Mapped[str] = mapped_column(String(200))
    # casefolded name: SQLite's lower() leaves Cyrillic alone, so search runs on this column
    name_key: Mapped[str] = mapped_column(String(200))
    stage: Mapped[Stage] = mapped_column(_enum(Stage), default=Stage.NEW)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), server_default=func.now(), onupdate=func.now()
    )

    __table_args__ = (
        # a manager's clients in name order, without reading the whole team's
        Index("ix_clients_team_owner_name", "team_id", "owner_id", "name_key"),
        Index("ix_clients_team_name_key", "team_id", "name_key"),
    )


class Task(TeamRow, Base):
    __tablename__ = "tasks"

    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    action: Mapped[str] = mapped_column(String(500))
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus), default=TaskStatus.OPEN)
    result: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    moves: Mapped[int] = mapped_column(Integer, default=0)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), server_default=func.now(), onupdate=func.now()
    )
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        Index("ix_tasks_assignee_status_due", "assignee_id", "status", "due_date"),
        Index("ix_tasks_team_status_due", "team_id", "status", "due_date"),
        # a member's tasks of one day or window, any status (the day list)
        Index("ix_tasks_assignee_due", "assignee_id", "due_date"),
        # a client's latest outcomes from the index alone (frozen clients: three entries per client)
        Index("ix_tasks_client_latest", "client_id", "updated_at", "id", "status", "moves"),
    )


class TaskEvent(Base):
    """The history of a task: every change, who made it and when."""

    __tablename__ = "task_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[TaskEventKind] = mapped_column(_enum(TaskEventKind))
    #: the task's due date when the event happened: a task moved away from a day still counts in that
    #: day's plan-vs-fact
    from_date: Mapped[date | None] = mapped_column(Date)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())

    # No index may lead with ``kind``: with no planner statistics SQLite would read every event of a kind
    # instead of seeking by task or by time (migration 0004).
    __table_args__ = (
        Index("ix_task_events_from_date_kind", "from_date", "kind"),
        Index("ix_task_events_at_kind_task", "at", "kind", "task_id"),  # the day's marks, from the index
    )


class Vacation(Base):
    __tablename__ = "vacations"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date] = mapped_column(Date)


class Plan(TeamRow, Base):
    """A manager's plan for one day, written the evening before and decided by the head."""

    __tablename__ = "plans"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    for_date: Mapped[date] = mapped_column(Date)
    status: Mapped[PlanStatus] = mapped_column(_enum(PlanStatus), default=PlanStatus.DRAFT)
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

    __table_args__ = (
        UniqueConstraint("member_id", "for_date", name="uq_plans_member_date"),
        Index("ix_plans_team_date", "team_id", "for_date"),
        Index("ix_plans_team_status", "team_id", "status", "for_date"),
    )


class DayReport(TeamRow, Base):
    """A manager's evening report for one local date."""

    __tablename__ = "day_reports"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    on_date: Mapped[date] = mapped_column(Date)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    planned: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    mood: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("member_id", "on_date", name="uq_day_reports_member_date"),
        Index("ix_day_reports_team_date", "team_id", "on_date"),
    )


class Lead(TeamRow, Base):
    __tablename__ = "leads"

    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    source: Mapped[str | None] = mapped_column(String(200))
    on_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())

    __table_args__ = (Index("ix_leads_team_date", "team_id", "on_date"),)


class Deal(TeamRow, Base):
    __tablename__ = "deals"

    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    on_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())
    # "live" (counted), "pending" (waits for its author's tap: unusual or a repeat), "void" (cancelled);
    # only live deals count on the board, in plans, bonuses, digests and exports (domain.deals)
    state: Mapped[str] = mapped_column(String(16), default="live", server_default="live")
    voided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    voided_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

    __table_args__ = (
        Index("ix_deals_team_date", "team_id", "on_date"),
        Index("ix_deals_member_created", "member_id", "created_at"),
    )


class DealEvent(Base):
    """A deal's history: recorded, confirmed, corrected (old and new amount), cancelled; by whom, when."""

    __tablename__ = "deal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(16))
    old_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    new_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())


class HotEntry(TeamRow, Base):
    """The head's hot list: a client the head personally invests time in."""

    __tablename__ = "hot_entries"

    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    next_step: Mapped[str] = mapped_column(Text)
    next_date: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())
    touched_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    outcome: Mapped[HotOutcome | None] = mapped_column(_enum(HotOutcome))

    __table_args__ = (Index("ix_hot_entries_team_open", "team_id", "closed_at"),)


class Outbox(TeamRow, Base):
    """One scheduled message per (recipient, kind, local date), written before it is sent."""

    __tablename__ = "outbox"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    local_date: Mapped[date] = mapped_column(Date)
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    message_ids: Mapped[list[int] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        UniqueConstraint("member_id", "kind", "local_date", name="uq_outbox_recipient_kind_date"),
        Index("ix_outbox_status_next", "status", "next_attempt_at"),
        Index("ix_outbox_team_date", "team_id", "local_date"),
    )


class ProcessedUpdate(Base):
    """Telegram update ids already handled: a webhook retry of the same update is handled once."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now(), index=True)


class DialogState(Base):
    """The dialog a person is in the middle of (aiogram's FSM state and data), so a restart does not lose
    it; a row only while a dialog is open (``bot/dialog_storage.py``). Used when ``REDIS_URL`` is not set.
    ``thread_id`` 0 and ``business_id`` '' stand for none (key columns cannot be NULL)."""

    __tablename__ = "dialog_states"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    thread_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    business_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    destiny: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())


class SalesPlan(TeamRow, Base):
    """A month's sales plan for one manager, or for the whole team when ``member_id`` is NULL."""

    __tablename__ = "sales_plans"

    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)  # the first day of the month
    revenue: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    deals: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), server_default=func.now(), onupdate=func.now()
    )

    __table_args__ = (
        UniqueConstraint("team_id", "member_id", "month", name="uq_sales_plans_team_member_month"),
        Index("ix_sales_plans_team_month", "team_id", "month"),
    )


class BonusScheme(Base):
    """A team's bonus calculator: a base amount and a scale of percentages of plan (JSON steps)."""

    __tablename__ = "bonus_schemes"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    base: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    scale: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), server_default=func.now(), onupdate=func.now()
    )


class Review(TeamRow, Base):
    """A commercial review (one-on-one) of a manager by the head, kept with its date and outcome."""

    __tablename__ = "reviews"

    manager_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    head_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    held_on: Mapped[date] = mapped_column(Date)
    agenda: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    outcome: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_reviews_team_manager", "team_id", "manager_id"),)


# ------------------------------------------------------------------------------------ CRM (issue 12)


class CrmConnection(Base):
    """A team's CRM: which one, where, and its secret encrypted (``crm/vault.py``); at most one per team.
    Disconnecting keeps the row (and everything synced) with ``status`` ``disconnected``."""

    __tablename__ = "crm_connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), unique=True)
    provider: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(255))
    secret_enc: Mapped[str] = mapped_column(Text)
    secret_tail: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="active")
    account_name: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    connected_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())
    last_sync_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    tasks_cursor: Mapped[datetime | None] = mapped_column(UtcDateTime())
    deals_cursor: Mapped[datetime | None] = mapped_column(UtcDateTime())
    #: the last task event turned into a write-back (``crm_outbox``); events after it are still to go
    events_cursor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: the same for deal events (a deal recorded with /deal → won in the CRM)
    deal_events_cursor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: the team's setting: /deal wins the deal in the CRM (true) or is only recorded in the bot
    win_deals: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    last_error: Mapped[str | None] = mapped_column(String(500))
    #: a CRM user was matched by hand since the last sync: the next one reads every open task again
    full_sync_due: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: CRM live (0011): SHA-256 of the webhook path secret, the secret encrypted, Bitrix24's
    #: application_token encrypted; since when the CRM is down and why, whether the head was told
    hook_hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    hook_enc: Mapped[str | None] = mapped_column(Text)
    hook_token_enc: Mapped[str | None] = mapped_column(Text)
    down_since: Mapped[datetime | None] = mapped_column(UtcDateTime())
    down_kind: Mapped[str | None] = mapped_column(String(16))
    down_told: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    full_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    #: 0013: the process syncing the team now and until when its lease holds (``CrmRepo.claim_sync``);
    #: what the last nightly reconcile corrected (the ``crm_reconcile`` message is composed from it)
    sync_owner: Mapped[str | None] = mapped_column(String(64))
    sync_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reconcile: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: OAuth (0014): how the CRM is reached, ``token`` (a long-lived token or a webhook in ``secret_enc``)
    #: or ``oauth2`` (the token set as encrypted JSON there); the set's version, raised by every refresh
    #: and reconnect, for the compare-and-set that lets one process at a time refresh (``crm/oauth.py``)
    auth: Mapped[str] = mapped_column(String(16), default="token", server_default="token")
    secret_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class TeamCrmRow(TeamRow):
    """A team's row mirrored from or written to its CRM: ``provider`` says which CRM it belongs to (a
    ``ProviderKind`` value)."""

    provider: Mapped[str] = mapped_column(String(16), sort_order=-1)


class CrmUserLink(TeamCrmRow, Base):
    """A CRM user of a team's CRM and the member they are (NULL until matched)."""

    __tablename__ = "crm_users"

    crm_user_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    #: the head said this CRM user is not one of the department's people: not offered for matching
    ignored: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    __table_args__ = (
        UniqueConstraint("team_id", "provider", "crm_user_id", name="uq_crm_users_team_provider_user"),
    )


class CrmLink(TeamCrmRow, Base):
    """A bot row (task, client or deal) and the CRM object it mirrors: one per CRM id, so a replayed sync
    finds it and never creates twice. ``version`` is the CRM's last change seen; ``vague`` is the concrete-
    action check's problem with a CRM task's wording (NULL when it names an action)."""

    __tablename__ = "crm_links"

    kind: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    local_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[str | None] = mapped_column(String(64))
    vague: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        UniqueConstraint("team_id", "provider", "kind", "external_id", name="uq_crm_links_external"),
        Index("ix_crm_links_local", "team_id", "kind", "local_id"),
    )


class CrmStageMap(TeamCrmRow, Base):
    """How a team's CRM stages map to the bot's stages; filled with defaults from each stage's meaning."""

    __tablename__ = "crm_stage_map"

    pipeline_id: Mapped[str] = mapped_column(String(64))
    stage_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    semantic: Mapped[str] = mapped_column(String(8))
    stage: Mapped[Stage] = mapped_column(_enum(Stage))

    __table_args__ = (
        UniqueConstraint("team_id", "provider", "pipeline_id", "stage_id", name="uq_crm_stage_map_stage"),
    )


class CrmOutbox(TeamCrmRow, Base):
    """A write from the bot to the CRM, made from a task event (the mark's own transaction wrote the
    event, so no mark is lost), sent in order per team; ``event_id`` makes each event one row, once."""

    __tablename__ = "crm_outbox"

    event_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    task_id: Mapped[int | None] = mapped_column(Integer)
    #: a write made from a deal event (/deal → won in the CRM) instead of a task event
    deal_event_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    op: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    error: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (Index("ix_crm_outbox_team_status", "team_id", "status", "id"),)


__all__ = [
    "Base",
    "BonusScheme",
    "Client",
    "CrmConnection",
    "CrmLink",
    "CrmOutbox",
    "CrmStageMap",
    "CrmUserLink",
    "DayReport",
    "Deal",
    "DealEvent",
    "DialogState",
    "HotEntry",
    "Invite",
    "Lead",
    "Member",
    "Outbox",
    "Plan",
    "ProcessedUpdate",
    "Review",
    "SalesPlan",
    "Task",
    "TaskEvent",
    "Team",
    "Vacation",
]
