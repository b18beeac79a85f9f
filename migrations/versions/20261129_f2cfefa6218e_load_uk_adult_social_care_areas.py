"""Load the UK's adult social care areas (upper-tier councils and NI trusts) from migrations/data/areas_2026.csv.

Revision ID: f2cfefa6218e
Revises: 6fe639d37782
Create Date: 2026-11-29 10:55:26.185060

"""
import csv
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "f2cfefa6218e"
down_revision = "6fe639d37782"
branch_labels = None
depends_on = None

DATA = Path(__file__).resolve().parent.parent / "data" / "areas_2026.csv"

areas = sa.table(
    "areas",
    sa.column("gss_code", sa.String),
    sa.column("name", sa.String),
    sa.column("nation", sa.String),
    sa.column("created_at", sa.DateTime),
)


def upgrade():
    now = datetime.now(UTC).replace(tzinfo=None)
    with DATA.open(encoding="utf-8", newline="") as handle:
        rows = [
            {"gss_code": row["gss_code"], "name": row["name"], "nation": row["nation"], "created_at": now}
            for row in csv.DictReader(handle)
        ]
    op.bulk_insert(areas, rows)


def downgrade():
    with DATA.open(encoding="utf-8", newline="") as handle:
        codes = [row["gss_code"] for row in csv.DictReader(handle)]
    op.execute(areas.delete().where(areas.c.gss_code.in_(codes)))
