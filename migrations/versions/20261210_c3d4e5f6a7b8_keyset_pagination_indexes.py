"""Indexes for keyset pagination (catalogue, audit log and notifications pages without OFFSET or COUNT).

Each list is sorted by its columns then id, and a page seeks past the last row's values, so each index ends in id:
the catalogue's (status, starts_at, id) replaces (status, starts_at); the audit log's (at, id) replaces (at); a
person's notifications get (user_id, created_at, id), and the admin list of organisations (created_at, id).

Revision ID: c3d4e5f6a7b8
Revises: a8d4e5f6b7c9
Create Date: 2026-12-10 09:00:00
"""

from alembic import op

revision = "c3d4e5f6a7b8"
down_revision = "a8d4e5f6b7c9"
branch_labels = None
depends_on = None


def upgrade():
    """Add the sort-order indexes, dropping the ones they make redundant."""
    with op.batch_alter_table("training_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_training_sessions_status_starts_at_id", ["status", "starts_at", "id"], unique=False)
        batch_op.drop_index("ix_training_sessions_status_starts_at")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_at_id", ["at", "id"], unique=False)
        batch_op.drop_index(batch_op.f("ix_audit_events_at"))
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_user_id_created_at_id", ["user_id", "created_at", "id"], unique=False)
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.create_index("ix_organisations_created_at_id", ["created_at", "id"], unique=False)


def downgrade():
    """Back to the single-column indexes."""
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_index("ix_organisations_created_at_id")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_id_created_at_id")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_at"), ["at"], unique=False)
        batch_op.drop_index("ix_audit_events_at_id")
    with op.batch_alter_table("training_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_training_sessions_status_starts_at", ["status", "starts_at"], unique=False)
        batch_op.drop_index("ix_training_sessions_status_starts_at_id")
