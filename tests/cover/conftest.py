"""Relief cover fixtures: the clock frozen at NOW, and an open Leeds pool with an approved enterprise member."""

from types import SimpleNamespace

import pytest

from marketplace.extensions import db
from tests.cover import builders


@pytest.fixture
def now(clock):
    """The clock frozen at builders.NOW (a Monday morning); every shift is built relative to it."""
    clock.set(builders.NOW)
    return builders.NOW


@pytest.fixture
def cover(ctx, now):
    """An open pool serving Leeds (enhanced DBS, right to work, safeguarding training) and an approved Leeds
    enterprise in it, committed."""
    pool = builders.pool()
    member = builders.member(pool)
    db.session.commit()
    return SimpleNamespace(
        pool=pool, member=member, owner=builders.owner_of(member), manager=builders.manager(pool), now=now
    )
