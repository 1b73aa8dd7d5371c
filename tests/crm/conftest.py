"""Fixtures of the CRM tests: a fake amoCRM served over HTTP on loopback, a team with members."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from crm.amocrm import AmoCrm
from crm.base import ProviderKind
from crm.bitrix24 import Bitrix24
from crm.http import Transport
from crm.limiter import LeakyBucket, Limiter, SlidingWindow
from crm.live import CrmLive
from crm.service import connect
from crm.vault import Vault
from crm_fakes.amocrm import FakeAmoCrm
from crm_fakes.bitrix24 import FakeBitrix24
from domain.enums import Role
from storage.repo import Repo

AMO_TOKEN = "amo-secret-token-Zq81xK3v9LmP2"
NOW = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)  # 09:00 in Moscow


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def timestamp(self) -> float:
        return self.now.timestamp()

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def amo(clock: Clock) -> AsyncIterator[FakeAmoCrm]:
    fake = FakeAmoCrm(AMO_TOKEN, clock=clock.timestamp)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


_LIMITERS: dict[int, Limiter] = {}


def amo_client(fake: FakeAmoCrm, token: str = AMO_TOKEN, **kw: object) -> AmoCrm:
    """A client with the fake's own limiter (as every client of one account shares one) and quick
    retries; tests do not share the process-wide limiters."""
    limiter = _LIMITERS.setdefault(id(fake), SlidingWindow(7, 1.0))
    transport = Transport(limiter, attempts=4, base_delay=0.05, timeout=5)
    return AmoCrm(fake.url, token, transport=transport, **kw)  # type: ignore[arg-type]


@dataclass
class TeamFixture:
    team_id: int
    head_id: int
    anna_id: int
    boris_id: int


async def make_team(pool) -> TeamFixture:  # type: ignore[no-untyped-def]
    async with pool() as session, session.begin():
        repo = Repo(session)
        team = await repo.teams.create("Отдел продаж", "Europe/Moscow")
        ids = []
        for n, (name, role) in enumerate(
            (("Ирина Петрова", Role.HEAD), ("Анна Смирнова", Role.MANAGER), ("Борис Ёлкин", Role.MANAGER))
        ):
            invite = await repo.invites.create(team.id, role, NOW, timedelta(hours=1))
            joined = await repo.invites.redeem(invite.code, 5000 + n, name, None, "ru", NOW)
            ids.append(joined.member.id)
        return TeamFixture(team.id, *ids)


B24_TOKEN = "b24hook-Secret-9fK2mQ7xLp"


@pytest.fixture
async def b24(clock: Clock) -> AsyncIterator[FakeBitrix24]:
    fake = FakeBitrix24(B24_TOKEN, clock=clock.timestamp)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


def b24_client(fake: FakeBitrix24, webhook: str | None = None) -> Bitrix24:
    limiter = _LIMITERS.setdefault(id(fake), LeakyBucket(50, 2.0))
    transport = Transport(limiter, attempts=4, base_delay=0.05, timeout=5)
    return Bitrix24(webhook or fake.webhook, transport=transport)


async def amo_live(pool, amo: FakeAmoCrm, clock: Clock, vault: Vault, team_id: int) -> CrmLive:  # type: ignore[no-untyped-def]
    """The team connected to the fake amoCRM (its check through a test client), and a ``CrmLive`` whose
    syncs use test clients of it (texts are their keys)."""
    client = amo_client(amo)
    try:
        await connect(pool, vault, team_id, ProviderKind.AMOCRM, amo.url, AMO_TOKEN, clock, client)
    finally:
        await client.close()
    return CrmLive(pool, vault, clock, lambda key, **_: key, provider_of=lambda conn: amo_client(amo))
