"""topic names unique whatever their case

Revision ID: 3c9d4e7a1b52
Revises: ae6e83857f80
Create Date: 2026-12-02 01:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c9d4e7a1b52'
down_revision = 'ae6e83857f80'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('uq_training_topics_lower_name', 'training_topics', [sa.text('lower(name)')], unique=True)


def downgrade():
    op.drop_index('uq_training_topics_lower_name', table_name='training_topics')
