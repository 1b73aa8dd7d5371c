"""CRM from the chat: a CRM user the head marked as not in the department, and a full sync owed after a
match

``crm_users.ignored``: the head said this CRM user is not one of the department's people («не сотрудник
отдела»); they are no longer offered for matching. ``crm_connections.full_sync_due``: a CRM user was matched
by hand since the last sync, so the next sync reads every open task again (an incremental read would miss
the tasks that user had before the match).

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crm_users") as batch:
        batch.add_column(sa.Column("ignored", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("crm_connections") as batch:
        batch.add_column(sa.Column("full_sync_due", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("crm_connections") as batch:
        batch.drop_column("full_sync_due")
    with op.batch_alter_table("crm_users") as batch:
        batch.drop_column("ignored")
