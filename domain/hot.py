"""The head's hot list (горячий список): clients the head personally invests time in.

Each open entry has a client, the reason the head believes in the sale, the head's own next step and its
date. The rules of the reminder the head gets at the team's morning time:

* Due: open entries whose next step is dated today or earlier (an earlier date is overdue).
* Stale: the other open entries the head has not touched (created or edited) for ``stale_days`` days or
  more: the local date of the last touch is at least ``stale_days`` days before today. An entry that is
  both due and stale is reminded once, as due.
* Nothing due and nothing stale: no reminder.
* Entries are listed by next step date, then client name (case-insensitive), then id.

A won or lost client leaves the list with its outcome (``DayRepo.set_stage``); the head may also take
an entry off the list (outcome "removed").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

MAX_TEXT = 500


@dataclass(frozen=True, slots=True)
class HotItem:
    """An open entry of the hot list as the reminder lists it (the rules in the module docstring)."""

    entry_id: int
    client_id: int
    client: str
    owner: str  # the manager who owns the client
    reason: str
    step: str
    next_date: date
    touched_on: date  # the local date of the last edit (or of the creation)

    def untouched_days(self, today: date) -> int:
        return max(0, (today - self.touched_on).days)


@dataclass(frozen=True)
class HotReminders:
    due: list[HotItem]
    stale: list[HotItem]

    @property
    def empty(self) -> bool:
        return not self.due and not self.stale


def order_entries(items: Iterable[HotItem]) -> list[HotItem]:
    return sorted(items, key=lambda h: (h.next_date, h.client.casefold(), h.client, h.entry_id))


def reminders(items: Iterable[HotItem], today: date, stale_days: int) -> HotReminders:
    """What the morning reminder names (rules in the module docstring)."""
    entries = order_entries(items)
    due = [h for h in entries if h.next_date <= today]
    stale = [h for h in entries if h.next_date > today and h.untouched_days(today) >= stale_days]
    return HotReminders(due=due, stale=stale)
