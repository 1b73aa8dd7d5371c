"""Sends' outcomes share a transaction (a group commit), but a batch lingers for more only while some send
in flight has not yet brought its outcome: once each has, none can come, and every waiting outcome holds
a send's slot."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

import scheduler.delivery as delivery
from scheduler.delivery import Deliverer
from tests.scheduler.conftest import World


def _deliverer(world: World, in_flight: int) -> Deliverer:
    deliverer = world.runner(concurrency=8).deliverer
    deliverer.in_flight = in_flight  # the sends holding a slot, as _send_one counts them
    return deliverer


async def test_outcomes_of_sends_in_flight_share_one_transaction(world: World) -> None:
    deliverer = _deliverer(world, in_flight=2)
    sessions: list[AsyncSession] = []

    async def outcome(session: AsyncSession) -> None:
        sessions.append(session)

    first = asyncio.create_task(deliverer._write(outcome))
    await asyncio.sleep(0)  # the first lingers for the other send's outcome
    await asyncio.gather(first, deliverer._write(outcome))
    assert len(sessions) == 2 and sessions[0] is sessions[1]


async def test_a_batch_does_not_linger_once_every_send_has_its_outcome(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "WRITE_LINGER", 600.0)  # lingering at all would hang the test
    deliverer = _deliverer(world, in_flight=2)
    done: list[int] = []

    async def outcome(session: AsyncSession) -> None:
        done.append(1)

    await asyncio.wait_for(asyncio.gather(deliverer._write(outcome), deliverer._write(outcome)), 60)
    deliverer.in_flight = 1
    await asyncio.wait_for(deliverer._write(outcome), 60)
    assert done == [1, 1, 1]
