"""CRM live: the per-team webhook path secret, Bitrix24's application_token, the connection's health

``crm_connections.hook_hash``: SHA-256 of the path secret of ``POST /crm/{provider}/{secret}`` (looked up
by it); ``hook_enc``: the same secret encrypted, so ``crm status`` can show it; ``hook_token_enc``: the
Bitrix24 outbound handler's ``application_token``, encrypted. ``down_since`` / ``down_kind`` /
``down_told``: since when the CRM refuses the secret (``revoked``) or does not answer (``outage``), and
whether the head was told; ``full_at``: the last nightly full reconcile.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crm_connections") as batch:
        batch.add_column(sa.Column("hook_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("hook_enc", sa.Text(), nullable=True))
        batch.add_column(sa.Column("hook_token_enc", sa.Text(), nullable=True))
        batch.add_column(sa.Column("down_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("down_kind", sa.String(16), nullable=True))
        batch.add_column(sa.Column("down_told", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("full_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_crm_connections_hook_hash", ["hook_hash"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("crm_connections") as batch:
        batch.drop_index("ix_crm_connections_hook_hash")
        for name in (
            "full_at",
            "down_told",
            "down_kind",
            "down_since",
            "hook_token_enc",
            "hook_enc",
            "hook_hash",
        ):
            batch.drop_column(name)
