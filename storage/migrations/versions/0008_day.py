"""client names and task texts cleaned; client name keys recomputed

Names are now cleaned before they are stored or compared (``domain.text.clean_name``: NFKC, invisible and
bidi control characters removed, spaces collapsed), and ``name_key`` is computed from the cleaned name.
Rows written before keep what was typed: ``Ромашка\u200b`` had a key of its own, so a company could exist
twice. This recomputes every client's name and key and cleans every task's text, in batches, touching only
the rows that change. A name with nothing visible left keeps its old text (it cannot be made empty).
Companies already entered twice stay two rows (merging them moves tasks, leads and deals: a head's
decision), but now show with the same name and key.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from domain.text import clean_name, clean_text, name_key

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 5000

clients = sa.table(
    "clients", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("name_key", sa.String)
)
tasks = sa.table("tasks", sa.column("id", sa.Integer), sa.column("action", sa.Text))


def _batches(
    bind: sa.Connection, query: sa.Select[*tuple[Any, ...]]
) -> list[Sequence[sa.Row[*tuple[Any, ...]]]]:
    rows = bind.execute(query).all()
    return [rows[i : i + BATCH] for i in range(0, len(rows), BATCH)]


def upgrade() -> None:
    bind = op.get_bind()
    for batch in _batches(bind, sa.select(clients.c.id, clients.c.name, clients.c.name_key)):
        changed = []
        for client_id, name, key in batch:
            cleaned = clean_name(name) or name
            new_key = name_key(cleaned) or key
            if cleaned != name or new_key != key:
                changed.append({"cid": client_id, "new_name": cleaned, "new_key": new_key})
        if changed:
            bind.execute(
                clients.update()
                .where(clients.c.id == sa.bindparam("cid"))
                .values(name=sa.bindparam("new_name"), name_key=sa.bindparam("new_key")),
                changed,
            )
    for batch in _batches(bind, sa.select(tasks.c.id, tasks.c.action)):
        changed_tasks = [
            {"tid": task_id, "new_action": cleaned}
            for task_id, action in batch
            if (cleaned := clean_text(action or "")) and cleaned != action
        ]
        if changed_tasks:
            bind.execute(
                tasks.update()
                .where(tasks.c.id == sa.bindparam("tid"))
                .values(action=sa.bindparam("new_action")),
                changed_tasks,
            )


def downgrade() -> None:
    """Nothing to undo: the invisible characters removed carried no meaning."""
