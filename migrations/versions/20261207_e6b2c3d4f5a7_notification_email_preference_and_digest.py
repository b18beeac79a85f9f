"""People choose how notifications are emailed (each, a daily digest, or none); notifications record when emailed.

Revision ID: e6b2c3d4f5a7
Revises: d5a1b2c3e4f6
Create Date: 2026-12-07 09:00:00
"""

import sqlalchemy as sa
from alembic import op

import marketplace.core.types

revision = "e6b2c3d4f5a7"
down_revision = "d5a1b2c3e4f6"
branch_labels = None
depends_on = None


def upgrade():
    """Add users.notification_email (everyone keeps an email each) and notifications.emailed_at, indexed.

    Notifications made before this revision were emailed as they were made, so they are marked emailed: the first
    daily digest does not repeat them.
    """
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("notification_email", sa.String(length=10), server_default="each", nullable=False)
        )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("emailed_at", marketplace.core.types.UTCDateTime(), nullable=True))
        batch_op.create_index("ix_notifications_emailed_at_created_at", ["emailed_at", "created_at"], unique=False)
    notifications = sa.table("notifications", sa.column("emailed_at"), sa.column("created_at"))
    op.execute(notifications.update().values(emailed_at=notifications.c.created_at))


def downgrade():
    """Drop both columns."""
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_emailed_at_created_at")
        batch_op.drop_column("emailed_at")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("notification_email")
