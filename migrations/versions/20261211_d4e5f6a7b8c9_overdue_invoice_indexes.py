"""Index each side's invoices by status and due date (the dashboards' overdue tasks seek them, oldest due first).

Revision ID: d4e5f6a7b8c9
Revises: c3d4e5f6a7b8
Create Date: 2026-12-11 09:00:00
"""

from alembic import op

revision = "d4e5f6a7b8c9"
down_revision = "c3d4e5f6a7b8"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_payments_payer_user_status_due": ["payer_user_id", "status", "due_on", "id"],
    "ix_payments_payer_org_status_due": ["payer_organisation_id", "status", "due_on", "id"],
    "ix_payments_payee_org_status_due": ["payee_organisation_id", "status", "due_on", "id"],
}


def upgrade():
    """Add the three indexes."""
    with op.batch_alter_table("payments", schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    """Drop them."""
    with op.batch_alter_table("payments", schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
