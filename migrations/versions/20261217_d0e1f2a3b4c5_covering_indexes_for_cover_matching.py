"""Covering indexes for relief cover's matching (on PostgreSQL the INCLUDE columns let it answer from the index):
training records by person and topic, relief worker profiles' checks by person, a pool's workers by status.

Revision ID: d0e1f2a3b4c5
Revises: b8c9d0e1f2a3
Create Date: 2026-12-03 14:10:00

"""

from alembic import op

revision = "d0e1f2a3b4c5"
down_revision = "b8c9d0e1f2a3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_training_records_user_id_topic_id",
        "training_records",
        ["user_id", "topic_id"],
        postgresql_include=["completed_on", "expires_on"],
    )
    op.create_index(
        "ix_relief_worker_profiles_user_id_checks",
        "relief_worker_profiles",
        ["user_id"],
        postgresql_include=["id", "dbs_level", "dbs_issued_on", "dbs_update_service"],
    )
    op.drop_index("ix_relief_pool_workers_pool_status", table_name="relief_pool_workers")
    op.create_index(
        "ix_relief_pool_workers_pool_status",
        "relief_pool_workers",
        ["pool_id", "status"],
        postgresql_include=["user_id", "id", "dbs_verified", "right_to_work_checked_on"],
    )


def downgrade():
    op.drop_index("ix_relief_pool_workers_pool_status", table_name="relief_pool_workers")
    op.create_index("ix_relief_pool_workers_pool_status", "relief_pool_workers", ["pool_id", "status"])
    op.drop_index("ix_relief_worker_profiles_user_id_checks", table_name="relief_worker_profiles")
    op.drop_index("ix_training_records_user_id_topic_id", table_name="training_records")
