"""CRM OAuth: how a connection is authorised, and the version of its stored secret

``crm_connections.auth``: ``token`` (a long-lived token or a webhook, as before) or ``oauth2`` (the token
set, as encrypted JSON, in ``secret_enc``); ``secret_version``: raised by every refresh and reconnect, the
compare-and-set that lets one process at a time refresh a rotating refresh token.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crm_connections") as batch:
        batch.add_column(sa.Column("auth", sa.String(16), nullable=False, server_default="token"))
        batch.add_column(sa.Column("secret_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("crm_connections") as batch:
        batch.drop_column("secret_version")
        batch.drop_column("auth")
