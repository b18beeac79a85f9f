"""Throwaway PostgreSQL databases beside a configured one (for the test suite and `make bench`)."""

from sqlalchemy import create_engine, make_url, text


def _admin(url):
    return create_engine(url, isolation_level="AUTOCOMMIT")


def create_scratch_database(base_url: str, suffix: str) -> str:
    """Create (afresh) a database named after base_url's plus a suffix; returns its URL."""
    url = make_url(base_url)
    name = f"{url.database}_{suffix}"
    engine = _admin(url)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_scratch_database(base_url: str, scratch_url: str) -> None:
    """Drop a scratch database (connections to it are closed); nothing to do for SQLite."""
    scratch = make_url(scratch_url)
    if scratch.get_backend_name() != "postgresql":
        return
    engine = _admin(make_url(base_url))
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
    engine.dispose()
