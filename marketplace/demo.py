"""Demo data for `make run`: publishers, enterprises, relief workers and an admin, all with one password."""

from decimal import Decimal

from sqlalchemy import select

from .accounts.services import create_user
from .cover.services import save_relief_profile
from .extensions import db
from .organisations.models import Area, LegalForm, MemberRole, Organisation, OrgKind, OrgStatus
from .organisations.services import add_member, create_enterprise

DEMO_PASSWORD = "backstop-demo-2026"
DOMAIN = "demo.backstop.example"

PUBLISHERS = [
    ("council", "Leeds City Council", ["Leeds"], "leeds"),
    ("council", "Cornwall Council", ["Cornwall"], "cornwall"),
    (
        "nhs",
        "NHS West Yorkshire Integrated Care Board",
        ["Leeds", "Bradford", "Kirklees", "Wakefield", "Calderdale"],
        "wyicb",
    ),
]

ENTERPRISES = [
    ("Kind Hands Home Support", LegalForm.SOLE_TRADER, "1.0", "Leeds", "LS6 2AB", None, "Amira Hussain"),
    ("Headingley Care Partners", LegalForm.PARTNERSHIP, "2.5", "Leeds", "LS6 3HN", None, "Tom Baker"),
    ("Tamar Valley Care Co-op", LegalForm.COOPERATIVE, "4.0", "Cornwall", "PL17 8AA", "IP031234", "Jenna Trelawny"),
    ("Penwith Companions CIC", LegalForm.CIC, "3.0", "Cornwall", "TR18 2QR", "13579246", "Morwenna Pascoe"),
    ("Aire Support Ltd", LegalForm.LIMITED_COMPANY, "5.0", "Bradford", "BD1 1HY", "12345678", "Kwame Mensah"),
    ("Calder Friends", LegalForm.CHARITY, "1.5", "Calderdale", "HX1 1UJ", "1198765", "Sian Roberts"),
    ("Wakefield Wellbeing at Home", LegalForm.SOLE_TRADER, "0.8", "Wakefield", "WF1 2DA", None, "Peter Nowak"),
    ("Holme Valley Care", LegalForm.LIMITED_COMPANY, "3.5", "Kirklees", "HD9 2QW", "09876543", "Grace Lee"),
]

RELIEF_WORKERS = [
    ("Dawn Mitchell", "Leeds"),
    ("Hassan Ali", "Leeds"),
    ("Kerensa Rowe", "Cornwall"),
    ("Oliver Grant", "Bradford"),
    ("Priya Patel", "Kirklees"),
    ("Sam Clarke", "Wakefield"),
]


def _areas() -> dict[str, Area]:
    return {area.name: area for area in db.session.scalars(select(Area))}


def _person(name: str, local: str, role: str):
    return create_user(name=name, email=f"{local}@{DOMAIN}", password=DEMO_PASSWORD, intended_role=role, verified=True)


def seed_demo() -> list[tuple[str, str]]:
    """Create the demo world and return (role, email) for every login."""
    areas = _areas()
    logins = []
    admin = _person("Alex Admin", "admin", "publisher")
    admin.is_admin = True
    logins.append(("Platform admin", admin.email))
    for kind, name, served, slug in PUBLISHERS:
        user = _person(f"{name.split()[0]} Officer", f"officer.{slug}", "publisher")
        organisation = Organisation(
            kind=OrgKind(kind), name=name, status=OrgStatus.APPROVED, served_areas=[areas[a] for a in served]
        )
        db.session.add(organisation)
        add_member(user, organisation, MemberRole.OWNER)
        logins.append((f"Publisher ({name})", user.email))
    for index, (name, form, fte, area, postcode, number, owner) in enumerate(ENTERPRISES, start=1):
        user = _person(owner, f"owner{index}", "entrepreneur")
        create_enterprise(
            user,
            name=name,
            legal_form=form,
            fte=Decimal(fte),
            area_id=areas[area].id,
            postcode=postcode,
            registration_number=number,
        )
        logins.append((f"Entrepreneur ({name})", user.email))
    for index, (name, area) in enumerate(RELIEF_WORKERS, start=1):
        user = _person(name, f"relief{index}", "relief_worker")
        save_relief_profile(user, area_id=areas[area].id, phone=None)
        logins.append(("Relief worker", user.email))
    return logins
