"""Areas: the UK's upper-tier local authority areas, by GSS code, kept by platform admins."""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..core import audit
from ..core.errors import DomainError
from ..extensions import db
from .models import Area
from .permissions import require

TAKEN = "An area with this name or GSS code already exists"


def areas_by_name() -> list[Area]:
    """Every area, alphabetically."""
    return list(db.session.scalars(select(Area).order_by(Area.name)))


def area_choices() -> dict[int, str]:
    """Areas as form choices."""
    return {area.id: area.name for area in areas_by_name()}


def add_area(*, name: str, gss_code: str, nation: str, actor: User) -> Area:
    """Add an area (admin)."""
    require(actor, "platform_admin")
    _check_area_unique(name, gss_code)
    area = Area(name=name.strip(), gss_code=gss_code, nation=nation)
    _save(lambda: db.session.add(area))
    audit.record("area.added", obj=area, actor=actor, name=area.name, gss_code=gss_code)
    return area


def update_area(area: Area, *, name: str, gss_code: str, nation: str, actor: User) -> None:
    """Rename or recode an area (admin)."""
    require(actor, "platform_admin")
    _check_area_unique(name, gss_code, exclude=area.id)
    audit.record("area.updated", obj=area, actor=actor, old=[area.name, area.gss_code], new=[name.strip(), gss_code])

    def rename() -> None:
        area.name, area.gss_code, area.nation = name.strip(), gss_code, nation

    _save(rename)


def _check_area_unique(name: str, gss_code: str, exclude: int | None = None) -> None:
    """A friendly early answer that also catches names differing only in case."""
    query = select(Area).where((func.lower(Area.name) == name.strip().lower()) | (Area.gss_code == gss_code))
    if exclude is not None:
        query = query.where(Area.id != exclude)
    if db.session.scalar(query):
        raise DomainError(TAKEN)


def _save(change) -> None:
    """Write inside a savepoint: the unique constraints are the last word when two admins save at once."""
    try:
        with db.session.begin_nested():
            change()
    except IntegrityError as error:
        raise DomainError(TAKEN) from error
