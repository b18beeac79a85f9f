"""Index training attendees by email ("Your bookings" and the training records look places up by address).

Revision ID: a8d4e5f6b7c9
Revises: f7c3d4e5a6b8
Create Date: 2026-12-09 09:00:00
"""

from alembic import op

revision = "a8d4e5f6b7c9"
down_revision = "f7c3d4e5a6b8"
branch_labels = None
depends_on = None


def upgrade():
    """Add ix_training_attendees_email."""
    with op.batch_alter_table("training_attendees", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_attendees_email"), ["email"], unique=False)


def downgrade():
    """Drop it."""
    with op.batch_alter_table("training_attendees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_attendees_email"))
