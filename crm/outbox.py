"""From the bot into the CRM: the write-back outbox.

A mark on a task is a ``task_events`` row written in the mark's own transaction, so the event log is the
durable record: ``collect`` turns the team's events after ``crm_connections.events_cursor`` into
``crm_outbox`` rows (one per event, ``event_id`` unique) and moves the cursor in the same transaction, so
an event becomes a row once whatever crashes. It reads no further than the newest event no mark still
being made can precede (``CrmRepo.event_writers``), so the cursor never passes an event committed late.
``drain`` sends the team's rows strictly in order: a row that cannot go now (CRM down, its limit) stops
the team's queue until its retry time, so a later mark never overtakes an earlier one; a row the CRM
refuses for good (4xx) is ``failed`` with the reason and the queue moves on. A row is ``sending`` while
its call is in flight: a process killed then sends it again at start, so only that one write can reach the
CRM twice (completing and moving are the same when repeated).

What each mark becomes:

- done → the CRM task completed with the manager's result (read when sent; a done mark waits
  ``grace`` for the result line that follows it); a result typed after that → a note with it;
- moved → the new deadline (the end of the new day in the team's time zone);
- not done → a note with the reason on the task's deal, company or contact;
- cancelled → the CRM task completed with "cancelled" as its result;
- the head's reassignment → the CRM task's responsible user; the head's rewording → the CRM task's text;
- a task made in the bot (``/add``, a plan, a review) → a CRM task on the client's CRM entity for the
  assignee's CRM user, linked to the bot task;
- ``/deal`` on a client that is a CRM deal (recorded, or a pending one confirmed) → the CRM deal moved to
  won with the amount, unless the team records deals only in the bot (``crm_connections.win_deals``);
  the bot's deal is linked to the CRM deal, so the sync that reads it back won does not count it twice.
  The win row keeps the stage the deal left (``from``; none when the CRM had it won already).
- a deal the bot won in the CRM, corrected → the CRM deal's price ("price"); cancelled → the CRM deal
  back to the stage it was won from ("unwin"; skipped when it was won there before the bot's win), and
  the link dropped, so a later win in the CRM counts as a new deal. Only the deals the bot itself won
  there follow their corrections: a team that records deals only in the bot sends none, a deal the CRM
  won first is the CRM's (the head corrects it there), and a deal the bot won before the team switched
  to recording still follows its own (the bot undoes only what it wrote).

Events that came from the CRM (``source`` in their data) are not sent back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from crm.base import CrmAuthError, CrmError, CrmUnavailable, EntityKind, EntityRef
from crm.job import TeamCrmJob
from domain.deals import DealEventKind, DealState
from domain.enums import CrmConnectionStatus, LinkKind, Stage, TaskEventKind
from storage.crm_repo import FAILED, PENDING, SENDING, SENT, DealMark, TaskMark
from storage.models import CrmConnection
from storage.repo import Repo

log = logging.getLogger("crm.outbox")

GRACE = timedelta(seconds=120)
RETRY_MAX = timedelta(minutes=10)
SKIPPED = "skipped"
WINNING = (PENDING, SENDING, SENT)  # a win row that went or may still go
DEAL_OPS = ("price", "unwin")  # the writes that follow a win the bot sent

Texts = Callable[..., str]
Collector = Callable[[Repo, CrmConnection, int, int], Awaitable[tuple[int, int]]]
SETTLE = timedelta(seconds=2)
SETTLE_POLL = 0.01  # seconds, the first pause; doubled up to a quarter of a second


@dataclass
class DrainReport:
    """What one drain of a team's CRM outbox did: rows sent, failed for good and skipped; how many still wait
    when it stopped, and why it stopped (``revoked``: the CRM refused the secret)."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0
    waiting: int = 0
    error: str | None = None
    revoked: bool = False


@dataclass(eq=False)
class CrmWriteBack(TeamCrmJob):
    t: Texts
    grace: timedelta = field(default=GRACE, kw_only=True)
    settle: timedelta = field(default=SETTLE, kw_only=True)  # how long to wait for a mark still being made

    # ------------------------------------------------------------------ events → rows

    async def collect(self, batch: int = 500) -> int:
        """Turns the team's new task and deal events into outbox rows; returns how many rows were made.

        Only events that no mark still being made can precede are read (``CrmRepo.event_writers``): when
        one stays open longer than ``settle``, nothing is collected now and the next round takes it."""
        settled = await self._settled()
        if settled is None:
            return 0
        tasks_upto, deals_upto = settled
        made = await self._collect(batch, tasks_upto, self._collect_tasks)
        return made + await self._collect(batch, deals_upto, self._collect_deals)

    async def _settled(self) -> tuple[int, int] | None:
        """The newest task and deal event ids once no mark still being made can precede them; None when
        a mark stays open longer than ``settle`` (logged with who holds it). Each look is its own short
        transaction, so waiting holds no connection."""
        async with self.pool() as session, session.begin():
            repo = Repo(session)
            newest = await repo.crm.newest_events()
            writers = await repo.crm.event_writers()
        loop = asyncio.get_running_loop()
        deadline, pause = loop.time() + self.settle.total_seconds(), SETTLE_POLL
        while writers:
            if loop.time() >= deadline:
                log.warning(
                    "team %s: CRM write-back waits for %d open event writer(s), the oldest open %.1f s "
                    "(pid %s); collecting next round",
                    self.team_id,
                    len(writers),
                    max(w.open_for for w in writers),
                    max(writers, key=lambda w: w.open_for).pid,
                )
                return None
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.25)
            async with self.pool() as session, session.begin():
                writers = await Repo(session).crm.event_writers(writers)
        return newest

    async def _collect(self, batch: int, upto: int, step: Collector) -> int:
        """Runs ``step`` batch by batch, each in its own transaction, while the connection is active;
        ``step`` reads events up to ``upto`` and returns (rows made, events read)."""
        made = 0
        while True:
            async with self.pool() as session, session.begin():
                repo = Repo(session)
                conn = await repo.crm.connection(self.team_id)
                if conn is None or conn.status != CrmConnectionStatus.ACTIVE:
                    return made
                rows, read = await step(repo, conn, batch, upto)
                made += rows
            if read < batch:
                return made

    async def _collect_tasks(self, repo: Repo, conn: CrmConnection, batch: int, upto: int) -> tuple[int, int]:
        marks = await repo.crm.marks_after(self.team_id, self.kind, conn.events_cursor, upto, batch)
        if not marks:
            return 0, 0
        users = await repo.crm.crm_user_of(self.team_id, self.kind)
        clients = await repo.crm.client_refs(
            self.team_id, self.kind, [m.task.client_id for m in marks if m.task.client_id]
        )
        now = self.clock()
        made = 0
        for mark in marks:
            planned = self._plan(mark, users, clients)
            if planned is not None:
                op, payload, delay = planned
                # a done mark waits ``grace`` from when it was made (not collected) for its result
                made_at = min(mark.at, now)
                repo.crm.enqueue(
                    self.team_id, self.kind, mark.event_id, mark.task.id, op, payload, made_at + delay
                )
                made += 1
        await repo.crm.set_events_cursor(self.team_id, marks[-1].event_id)
        return made, len(marks)

    async def _collect_deals(self, repo: Repo, conn: CrmConnection, batch: int, upto: int) -> tuple[int, int]:
        """Deal events → "win", "price" and "unwin" rows (module docstring)."""
        marks = await repo.crm.deal_marks_after(self.team_id, conn.deal_events_cursor, upto, batch)
        if not marks:
            return 0, 0
        refs = await repo.crm.client_refs(self.team_id, self.kind, [m.client.id for m in marks])
        wins = await repo.crm.deal_wins(self.team_id, [m.deal.id for m in marks])
        # the deals the bot has won (or is winning) in the CRM: only theirs are corrected there
        won = {deal_id for deal_id, rows in wins.items() if any(r.status in WINNING for r in rows)}
        now = self.clock()
        made = 0
        for mark in marks:
            entity = EntityRef.from_key(refs.get(mark.client.id))
            if entity is None or entity.kind is not EntityKind.DEAL:
                continue  # not a CRM deal
            planned = _plan_deal(mark, entity.id, win=conn.win_deals, won=mark.deal.id in won)
            if planned is not None:
                op, payload = planned
                repo.crm.enqueue_deal(self.team_id, self.kind, mark.event_id, op, payload, now)
                made += 1
                if op == "win":
                    won.add(mark.deal.id)
        await repo.crm.set_deal_events_cursor(self.team_id, marks[-1].event_id)
        return made, len(marks)

    def _plan(
        self, mark: TaskMark, users: dict[int, str], clients: dict[int, str]
    ) -> tuple[str, dict[str, Any], timedelta] | None:
        if mark.data.get("source"):
            return None
        task = mark.task
        entity = clients.get(task.client_id) if task.client_id else None
        none = timedelta(0)
        if mark.kind is TaskEventKind.CREATED:
            if mark.external_id is not None or task.assignee_id not in users:
                return None
            due = str(mark.data.get("due") or task.due_date.isoformat())
            payload = {"text": task.action, "due": due, "user": users[task.assignee_id], "entity": entity}
            return "create", payload, none
        if mark.kind is TaskEventKind.DONE:
            return "complete", {}, self.grace
        if mark.kind is TaskEventKind.EDITED and "action" in mark.data:
            return "text", {"text": str(mark.data["action"] or task.action)}, none  # the head reworded it
        if mark.kind is TaskEventKind.EDITED and "result" in mark.data:
            # behind its task's completion in the queue; skipped when the completion already carried it
            return "result", {"text": str(mark.data["result"] or ""), "entity": entity}, none
        if mark.kind is TaskEventKind.NOT_DONE:
            text = self.t("crm-note-not-done", action=task.action, reason=str(mark.data.get("reason") or "—"))
            return "note", {"text": text, "entity": entity}, none
        if mark.kind is TaskEventKind.MOVED and mark.data.get("to"):
            return "move", {"to": str(mark.data["to"])}, none
        if mark.kind is TaskEventKind.CANCELLED:
            return "cancel", {"text": self.t("crm-result-cancelled")}, none
        if mark.kind is TaskEventKind.REASSIGNED:
            to = mark.data.get("to")
            if isinstance(to, int) and to in users:
                return "assign", {"user": users[to]}, none
        return None

    # ------------------------------------------------------------------ rows → the CRM

    async def drain(self, limit: int = 1000) -> DrainReport:
        report = DrainReport()
        async with self.pool() as session:
            repo = Repo(session)
            team = await repo.teams.get(self.team_id)
            tz = ZoneInfo(team.timezone if team else "UTC")
        handled = 0
        while handled < limit:
            async with self.pool() as session, session.begin():
                head = await Repo(session).crm.outbox_head(self.team_id, 50)
                ids = [row.id for row in head]
            if not ids:
                return report
            for row_id in ids:
                outcome = await self._send_one(row_id, tz, report)
                handled += 1
                if outcome == "stop":
                    async with self.pool() as session, session.begin():
                        repo = Repo(session)
                        report.waiting = (await repo.crm.outbox_counts(self.team_id)).get(PENDING, 0)
                        conn = await repo.crm.connection(self.team_id)
                        if conn is not None and report.error:
                            conn.last_error = report.error[:500]  # the next good sync clears it
                    return report
        return report

    async def _send_one(self, row_id: int, tz: ZoneInfo, report: DrainReport) -> str:
        now = self.clock()
        async with self.pool() as session, session.begin():
            repo = Repo(session)
            row = await repo.crm.outbox_row(row_id)
            if row is None or row.status not in (PENDING, SENDING):
                return "next"
            if row.next_attempt_at is not None and row.next_attempt_at > now:
                return "stop"  # the queue's head is not due: nothing behind it overtakes it
            row.status, row.attempts = SENDING, row.attempts + 1
            op, payload, task_id, attempts = row.op, dict(row.payload or {}), row.task_id, row.attempts
            ids = [task_id] if task_id is not None else []  # a deal's row has no task
            links = await repo.crm.links_of_tasks(self.team_id, self.kind, ids)
            tasks = await repo.crm.tasks_by_id(self.team_id, ids)
            task = tasks.get(task_id) if task_id is not None else None
            external = links.get(task_id) if task_id is not None else None
            result_sent = None
            if op == "result" and task_id is not None:
                result_sent = await repo.crm.sent_result(task_id)
            if op in DEAL_OPS:
                payload["won"] = await self._won_by_us(repo, int(payload["bot_deal"]))
        try:
            status, payload = await self._call(op, payload, external, task, tz, result_sent)
        except CrmAuthError as exc:
            await self._finish(row_id, PENDING, str(exc), retry_at=now + RETRY_MAX)
            report.error, report.revoked = str(exc), True
            return "stop"
        except CrmUnavailable as exc:
            backoff = min(RETRY_MAX, timedelta(seconds=5 * 2 ** min(attempts, 7)))
            await self._finish(row_id, PENDING, str(exc), retry_at=now + backoff)
            report.error = str(exc)
            return "stop"
        except CrmError as exc:
            await self._finish(row_id, FAILED, str(exc))
            report.failed += 1
            return "next"
        await self._finish(row_id, status, None, payload=payload, created=(op == "create" and status == SENT))
        if status == SENT:
            report.sent += 1
        else:
            report.skipped += 1
        return "next"

    async def _call(
        self,
        op: str,
        payload: dict[str, Any],
        external: str | None,
        task: Any,
        tz: ZoneInfo,
        result_sent: str | None,
    ) -> tuple[str, dict[str, Any]]:
        """Sends one row; returns its final status and payload (what was sent, for the record)."""
        if op == "win":
            return await self._win(payload)
        if op in DEAL_OPS:
            return await self._correct(op, payload)
        if op == "create":
            if external is not None:
                return SKIPPED, payload  # a resend after the task was made and linked
            due = _end_of(date.fromisoformat(payload["due"]), tz)
            created = await self.crm.create_task(
                EntityRef.from_key(payload.get("entity")), payload["user"], payload["text"], due
            )
            return SENT, {**payload, "external_id": created}
        if external is None:
            return SKIPPED, payload  # the task is not in the CRM
        if op == "complete":
            text = (task.result if task is not None else None) or ""
            await self.crm.complete_task(external, text)
            return SENT, {**payload, "result": text}
        if op == "cancel":
            await self.crm.complete_task(external, payload["text"])
            return SENT, payload
        if op == "move":
            await self.crm.move_task(external, _end_of(date.fromisoformat(payload["to"]), tz))
            return SENT, payload
        if op == "assign":
            await self.crm.set_responsible(external, payload["user"])
            return SENT, payload
        if op == "text":
            await self.crm.set_task_text(external, payload["text"])
            return SENT, payload
        if op in ("note", "result"):
            entity = EntityRef.from_key(payload.get("entity"))
            if entity is None or (op == "result" and payload["text"] == result_sent):
                return SKIPPED, payload  # nowhere to put it, or the completion already carried it
            text = payload["text"] if op == "note" else self.t("crm-note-result", result=payload["text"])
            await self.crm.add_note(entity, text)
            return SENT, payload
        raise CrmError(f"unknown write {op}")

    async def _win(self, payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The CRM deal won with the bot's amount, once: a deal the sync already linked (won in the CRM
        first) or a resend after it went is skipped. The stage it leaves is kept in the row (``from``)
        for a cancellation to take it back there; none when it was won in the CRM already."""
        async with self.pool() as session:
            repo = Repo(session)
            known = await repo.crm.links(self.team_id, self.kind, LinkKind.DEAL, [payload["deal"]])
            stages = await repo.crm.stage_map(self.team_id, self.kind)
        if known:
            return SKIPPED, payload
        before = await self.crm.deals_by_id([payload["deal"]])
        was = [(d.pipeline_id, d.stage_id) for d in before if d.id == payload["deal"]]
        keep = was[0] if was and stages.get(was[0]) is not Stage.WON else None
        await self.crm.win_deal(payload["deal"], Decimal(payload["amount"]))
        return SENT, {**payload, "from": list(keep) if keep else None}

    async def _won_by_us(self, repo: Repo, bot_deal: int) -> list[str] | bool | None:
        """What the bot's sent win of the deal recorded: the stage it left (a list), ``None`` when it was
        won in the CRM already, ``False`` when the bot has not won it there."""
        rows = (await repo.crm.deal_wins(self.team_id, [bot_deal])).get(bot_deal, [])
        sent = [r for r in rows if r.status == SENT]
        if not sent:
            return False
        stage = (sent[0].payload or {}).get("from")
        return [str(x) for x in stage] if isinstance(stage, list) else None

    async def _correct(self, op: str, payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """A deal the bot won in the CRM, corrected (its price) or cancelled (back to the stage it was won
        from); skipped when the bot did not win it there (or, cancelled, it was won there already)."""
        won = payload.pop("won", False)
        if won is False:
            return SKIPPED, payload
        if op == "price":
            await self.crm.set_deal_price(payload["deal"], Decimal(payload["amount"]))
            return SENT, payload
        if not won:
            return SKIPPED, payload
        pipeline, stage = won
        await self.crm.move_deal(payload["deal"], pipeline, stage)
        return SENT, {**payload, "to": won}

    async def _finish(
        self,
        row_id: int,
        status: str,
        error: str | None,
        *,
        retry_at: datetime | None = None,
        payload: dict[str, Any] | None = None,
        created: bool = False,
    ) -> None:
        async with self.pool() as session, session.begin():
            repo = Repo(session)
            row = await repo.crm.outbox_row(row_id)
            if row is None:
                return
            row.status, row.error = status, (error or None) and error[:500]
            if retry_at is not None:
                row.next_attempt_at = retry_at
            if payload is not None:
                row.payload = payload
            if status in (SENT, SKIPPED):
                row.sent_at = self.clock()
            if created and payload is not None and row.task_id is not None:
                repo.crm.add_link(
                    self.team_id, self.kind, LinkKind.TASK, str(payload["external_id"]), row.task_id, None
                )
            if row.op == "unwin" and status == SENT and payload is not None:
                # the CRM deal left won: a later win there is a new deal, not this cancelled one
                await repo.crm.drop_deal_link(self.team_id, self.kind, str(payload["deal"]))
            if row.op == "win" and status == SENT and payload is not None:
                # the bot's deal is the CRM deal's: the sync that reads it back won makes no second one
                repo.crm.add_link(
                    self.team_id,
                    self.kind,
                    LinkKind.DEAL,
                    str(payload["deal"]),
                    int(payload["bot_deal"]),
                    None,
                )


def _plan_deal(mark: DealMark, crm_deal: str, *, win: bool, won: bool) -> tuple[str, dict[str, Any]] | None:
    """What a deal event on a CRM deal becomes: recorded live or confirmed → "win" (if the team wins deals
    in the CRM); corrected → "price", cancelled → "unwin", for a deal the bot won there only."""
    deal = mark.deal
    base: dict[str, Any] = {"deal": crm_deal, "bot_deal": deal.id}
    if mark.kind in (DealEventKind.RECORDED, DealEventKind.CONFIRMED):
        if win and deal.state == DealState.LIVE:
            return "win", {**base, "amount": str(deal.amount)}
        return None
    if not won:
        return None
    if mark.kind is DealEventKind.CORRECTED and mark.amount is not None:
        return "price", {**base, "amount": str(mark.amount)}
    if mark.kind is DealEventKind.VOIDED:
        return "unwin", base
    return None


def _end_of(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(23, 59), tz)
