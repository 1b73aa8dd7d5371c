"""A member the bot could not reach (they blocked it) is reachable again once they unblock it."""

from __future__ import annotations

from sqlalchemy import update

from storage.models import Member
from tests.handlers.conftest import TeamWorld


async def test_unblocking_makes_a_member_reachable_again(world: TeamWorld) -> None:
    anna = world.managers[0]
    emu = world.app.emulator
    emu.add_user(anna.tg_id, first_name=anna.name, started=True)
    emu.block(anna.tg_id)
    async with world.pool() as s, s.begin():  # as a 403 to a scheduled send leaves it
        await s.execute(update(Member).where(Member.id == anna.id).values(unreachable=True))
    await world.app.drain()  # the block itself changes nothing more
    async with world.pool() as s:
        assert (await s.get(Member, anna.id)).unreachable  # type: ignore[union-attr]
    emu.unblock(anna.tg_id)
    await world.app.drain()
    async with world.pool() as s:
        assert not (await s.get(Member, anna.id)).unreachable  # type: ignore[union-attr]
        assert not (await s.get(Member, world.managers[1].id)).unreachable  # type: ignore[union-attr]
