"""People may give a UK mobile and opt in to urgent alerts by text; notifications record their text message.

Revision ID: e5f6a7b8c9d0
Revises: d4e5f6a7b8c9
Create Date: 2026-12-12 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e5f6a7b8c9d0"
down_revision = "d4e5f6a7b8c9"
branch_labels = None
depends_on = None


def upgrade():
    """Add users.mobile and users.sms_alerts (nobody is texted until they opt in), and notifications.sms_status and
    sms_id (None: not texted)."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mobile", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("sms_alerts", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sms_status", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("sms_id", sa.String(length=36), nullable=True))


def downgrade():
    """Drop the four columns."""
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("sms_id")
        batch_op.drop_column("sms_status")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("sms_alerts")
        batch_op.drop_column("mobile")
