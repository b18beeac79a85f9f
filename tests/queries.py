"""Count the SQL statements a block of code sends (for bounded-query tests)."""

from contextlib import contextmanager

from sqlalchemy import event

from marketplace.extensions import db

MAX_QUERIES = 10  # the most SQL statements any page may send, whatever the size of the data (issue 9)


@contextmanager
def counted_queries():
    """Collect every SQL statement sent to the database inside the block."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
