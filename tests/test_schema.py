"""`flask db upgrade` from empty gives exactly the models' schema, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.organisations.models import Area


def test_migrations_match_models(ctx):
    """The schema built by the migrations (the app fixture runs them) has no differences from the models."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_areas_are_loaded_by_migration(ctx):
    """The areas data file is loaded: every nation present, GSS codes unique."""
    counts = dict(db.session.execute(select(Area.nation, func.count()).group_by(Area.nation)).all())
    assert counts == {"England": 153, "Wales": 22, "Scotland": 32, "Northern Ireland": 5}
    assert db.session.scalar(select(Area.gss_code).where(Area.name == "Leeds")) == "E08000035"
