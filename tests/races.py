"""Real-thread races on PostgreSQL: each contender in its own thread, app context and database session."""

import os
import threading

import pytest

from marketplace.core.errors import DomainError
from marketplace.extensions import db

POSTGRES_ONLY = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
        reason="races are run on PostgreSQL (make test runs them when TEST_DATABASE_URL is set); SQLite serialises writers",
    ),
]


def race(app, contenders) -> list:
    """Run contenders at once: each loads what it needs (as a request would), waits for the others, then acts.

    A contender is a function that loads its rows and returns the action to race; each outcome is the action's
    result (committed), the DomainError it raised (rolled back), or "ERROR ..." for anything else.
    """
    barrier = threading.Barrier(len(contenders))
    outcomes = [None] * len(contenders)

    def run(index, contender):
        with app.app_context():
            try:
                action = contender()
                barrier.wait(timeout=30)
                outcomes[index] = action()
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                outcomes[index] = error
            except Exception as error:  # noqa: BLE001  (reported by the test's assertion)
                db.session.rollback()
                outcomes[index] = f"ERROR {type(error).__name__}: {error}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def repeat(runs: int, attempt) -> list[str]:
    """Call attempt(run_number) `runs` times; the problems it reported (a string, or None when all was well)."""
    problems = [attempt(run) for run in range(runs)]
    return [f"run {number}: {problem}" for number, problem in enumerate(problems) if problem]


def summary(problems: list[str], runs: int) -> str:
    """An assertion message: how many runs went wrong, and the first few."""
    return f"{len(problems)} of {runs} runs went wrong: " + "; ".join(problems[:5])


def lost(outcome) -> str:
    """The message a losing contender was given ('' if it did not lose with a DomainError)."""
    return str(outcome) if isinstance(outcome, DomainError) else ""
