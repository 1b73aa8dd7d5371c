"""CRM sync: one process at a time per team, and what the nightly reconcile fixed

``crm_connections.sync_owner`` / ``sync_until``: the lease of the process syncing the team now (claimed
with a conditional UPDATE, renewed while the sync runs, released at its end; a crashed owner's lease lapses
at ``sync_until``). ``reconcile``: the counts of what the last nightly full reconcile corrected, which the
head's ``crm_reconcile`` message is composed from.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crm_connections") as batch:
        batch.add_column(sa.Column("sync_owner", sa.String(64), nullable=True))
        batch.add_column(sa.Column("sync_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("reconcile", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crm_connections") as batch:
        for name in ("reconcile", "sync_until", "sync_owner"):
            batch.drop_column(name)
