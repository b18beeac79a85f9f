"""Refunds record when a person sent the money and their reference.

Revision ID: c4e2a9b7d1f3
Revises: 8b1f3c2d9e47
Create Date: 2026-12-05 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c4e2a9b7d1f3"
down_revision = "8b1f3c2d9e47"
branch_labels = None
depends_on = None


def upgrade():
    """Add the nullable sent_on and sent_reference columns to refunds."""
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("sent_reference", sa.String(length=60), nullable=True))


def downgrade():
    """Drop the columns."""
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_column("sent_reference")
        batch_op.drop_column("sent_on")
