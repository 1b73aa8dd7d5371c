"""dialog state in the database: a dialog survives a restart without Redis

aiogram's FSM state and data per (bot, chat, user, thread, business connection, destiny), one row only
while a person is in the middle of a dialog (``bot/dialog_storage.py``). The primary key is the one index
the storage reads by, once per update.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dialog_states",
        sa.Column("bot_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("thread_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("business_id", sa.String(length=64), nullable=False),
        sa.Column("destiny", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=255), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint(
            "bot_id",
            "chat_id",
            "user_id",
            "thread_id",
            "business_id",
            "destiny",
            name=op.f("pk_dialog_states"),
        ),
    )


def downgrade() -> None:
    op.drop_table("dialog_states")
