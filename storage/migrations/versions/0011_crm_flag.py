"""/deal reaches the CRM: a won deal goes out through the write-back outbox

``crm_connections.deal_events_cursor``: the last deal event turned into a write-back (as
``events_cursor`` for task events). ``crm_connections.win_deals``: the team's setting, win the deal in
the CRM (true, the default) or only record it in the bot. ``crm_outbox.deal_event_id``: a write made
from a deal event (unique, so each event is one row, once); such a row has no task event or task, so
``event_id`` and ``task_id`` may be NULL.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crm_connections") as batch:
        batch.add_column(sa.Column("deal_events_cursor", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("win_deals", sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table("crm_outbox") as batch:
        batch.add_column(sa.Column("deal_event_id", sa.Integer(), nullable=True))
        batch.alter_column("event_id", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("task_id", existing_type=sa.Integer(), nullable=True)
        batch.create_unique_constraint("uq_crm_outbox_deal_event_id", ["deal_event_id"])


def downgrade() -> None:
    op.execute("DELETE FROM crm_outbox WHERE deal_event_id IS NOT NULL")
    with op.batch_alter_table("crm_outbox") as batch:
        batch.drop_constraint("uq_crm_outbox_deal_event_id", type_="unique")
        batch.alter_column("task_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("event_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("deal_event_id")
    with op.batch_alter_table("crm_connections") as batch:
        batch.drop_column("win_deals")
        batch.drop_column("deal_events_cursor")
