"""indexes that keep the day lists and digests bounded as history grows

The day list, the evening report and the head's digests must cost the same after two years of history as
after two weeks (``bench/digest.py``). SQLite plans without statistics (nothing runs ANALYZE), so an index
whose first column is barely selective is taken as a good one: ``(kind, from_date)`` drew every query that
names an event kind into reading all events of that kind. Each index here lets a query seek straight to
the rows it returns.

- task_events (at, kind, task_id): the day's marks read from the index alone (``DayRepo.day_tasks``).
- task_events (from_date, kind) instead of (kind, from_date): the moves away from a day (``TaskRepo.of_day``)
  without drawing the queries by task id and kind (``off_plan``, ``_ordered``, reports) onto all events.
- tasks (assignee_id, due_date): a member's tasks of one day or window, any status (the day list, the
  head's share).
- tasks (client_id, updated_at, id, status, moves) instead of (client_id): a client's latest outcomes read
  from the index alone, three entries per client (``DayRepo.frozen_clients``).
- clients (team_id, owner_id, name_key) instead of (team_id, owner_id): a manager's clients in name order
  without reading the whole team's clients.
- plans (team_id, status, for_date): plans waiting for the head without reading every plan of the team.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task_events", schema=None) as batch_op:
        batch_op.drop_index("ix_task_events_kind_from_date")
        batch_op.create_index("ix_task_events_from_date_kind", ["from_date", "kind"], unique=False)
        batch_op.create_index("ix_task_events_at_kind_task", ["at", "kind", "task_id"], unique=False)

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_client")
        batch_op.create_index(
            "ix_tasks_client_latest", ["client_id", "updated_at", "id", "status", "moves"], unique=False
        )
        batch_op.create_index("ix_tasks_assignee_due", ["assignee_id", "due_date"], unique=False)

    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_index("ix_clients_team_owner")
        batch_op.create_index("ix_clients_team_owner_name", ["team_id", "owner_id", "name_key"], unique=False)

    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index("ix_plans_team_status", ["team_id", "status", "for_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index("ix_plans_team_status")

    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_index("ix_clients_team_owner_name")
        batch_op.create_index("ix_clients_team_owner", ["team_id", "owner_id"], unique=False)

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_assignee_due")
        batch_op.drop_index("ix_tasks_client_latest")
        batch_op.create_index("ix_tasks_client", ["client_id"], unique=False)

    with op.batch_alter_table("task_events", schema=None) as batch_op:
        batch_op.drop_index("ix_task_events_at_kind_task")
        batch_op.drop_index("ix_task_events_from_date_kind")
        batch_op.create_index("ix_task_events_kind_from_date", ["kind", "from_date"], unique=False)
