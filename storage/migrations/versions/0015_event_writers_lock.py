"""Event writers announce themselves: the CRM write-back's cursor may not pass a mark still being made

On PostgreSQL a task or deal event draws its id at the insert, and a transaction still open may commit a
lower id after a higher one is visible. A statement trigger on ``task_events`` and ``deal_events`` takes a
shared advisory lock (keys 5394256 and 1, ``storage.crm_repo.EVENT_WRITERS_LOCK``: two int4 keys, a space
apart from the bigint keys of the per-person lock) before the insert draws any id, held to the end of the
transaction: the write-back waits for the holders it sees before moving its cursor
(``CrmRepo.event_writers``). Nobody takes the lock exclusively, so writers never wait on it.
SQLite runs one writer at a time and needs none of this.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TABLES = ("task_events", "deal_events")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION rop_event_writer() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock_shared(5394256, 1);
            RETURN NULL;
        END
        $$
        """
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_writer BEFORE INSERT ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION rop_event_writer()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_writer ON {table}")
    op.execute("DROP FUNCTION rop_event_writer()")
