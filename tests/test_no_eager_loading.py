"""No relationship loads eagerly by default: each query says what its page shows (issue 9: eager-loading cascades
made "Your bookings" run 29 statements and build 700+ objects)."""

from marketplace.extensions import db

EAGER = {"joined", "selectin", "subquery", "immediate"}


def test_no_relationship_loads_eagerly_by_default(app):
    """Every relationship of every model loads lazily unless a query asks for more."""
    eager = [
        f"{mapper.class_.__name__}.{relationship.key} (lazy={relationship.lazy!r})"
        for mapper in db.Model.registry.mappers
        for relationship in mapper.relationships
        if relationship.lazy in EAGER
    ]
    assert eager == []


def test_the_check_sees_an_eager_relationship(app):
    """The check above reads what SQLAlchemy will do: a relationship made eager shows up in it."""
    from marketplace.training.models import Booking

    relationship = Booking.__mapper__.relationships["session"]
    original = relationship.lazy
    relationship.lazy = "joined"
    try:
        assert any(r.lazy in EAGER for r in Booking.__mapper__.relationships)
    finally:
        relationship.lazy = original
