"""deals that can be confirmed, corrected and cancelled, with their history

- deals.state: "live" (counted), "pending" (an unusual or repeated deal waiting for its author's tap),
  "void" (cancelled); existing deals are live. voided_at / voided_by: who cancelled it and when.
- deals (member_id, created_at): a manager's latest deals (the typical amount, a repeat within minutes,
  /deals) without reading the team's.
- deal_events: the history of each deal (recorded, confirmed, corrected with the old and new amount,
  cancelled), by whom and when.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state", sa.String(length=16), server_default="live", nullable=False))
        batch_op.add_column(sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("voided_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_deals_voided_by_members"), "members", ["voided_by"], ["id"]
        )
        batch_op.create_index("ix_deals_member_created", ["member_id", "created_at"], unique=False)

    op.create_table(
        "deal_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("old_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("new_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["members.id"], name=op.f("fk_deal_events_actor_id_members")),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_deal_events_deal_id_deals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_events")),
    )
    with op.batch_alter_table("deal_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_events_deal_id"), ["deal_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deal_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_events_deal_id"))
    op.drop_table("deal_events")
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_index("ix_deals_member_created")
        batch_op.drop_constraint(batch_op.f("fk_deals_voided_by_members"), type_="foreignkey")
        batch_op.drop_column("voided_by")
        batch_op.drop_column("voided_at")
        batch_op.drop_column("state")
