"""Insurance's demo data, made through the real services: Leeds's scheme went ahead (two members covered, with
certificates), West Yorkshire's is open and short of its threshold, and Cornwall's did not go ahead."""

from datetime import timedelta

from sqlalchemy import select

from ..core.clock import clock, today, utcnow
from ..extensions import db
from ..payments.services import mark_invoice_paid
from . import activation, schemes
from .models import Enrolment
from .schemes import LineDetails, QuestionDetails
from .statuses import CoverKind, SubsidyKind

LINES = [
    LineDetails(CoverKind.PUBLIC_LIABILITY, 500_000_000, 25_000),
    LineDetails(CoverKind.EMPLOYERS_LIABILITY, 1_000_000_000, 0),
    LineDetails(CoverKind.PROFESSIONAL_INDEMNITY, 100_000_000, 50_000),
    LineDetails(CoverKind.LEGAL_EXPENSES, 10_000_000, 0),
]
CLAIMS = QuestionDetails("Has your business had an insurance claim in the last 5 years?", "yes_no", "yes")
INSURER = QuestionDetails("Who insures your business now, if anyone?", "short", None)


def _scheme(organisation, officer, name: str, *, starts, threshold: int, area_ids, **details):
    return schemes.create_scheme(
        organisation,
        officer,
        name=name,
        summary="Public and employers' liability, professional indemnity and legal expenses for care and support "
        "businesses, negotiated for the area's micro-enterprises. The more join, the less each pays.",
        insurer_name="Northern Mutual Insurance",
        insurer_frn="202877",
        broker_name="Dales Insurance Brokers",
        broker_frn="307744",
        period_starts=starts,
        period_ends=starts + timedelta(days=364),
        enrolment_opens=starts - timedelta(days=45),
        enrolment_closes=starts - timedelta(days=1),
        threshold=threshold,
        area_ids=area_ids,
        lines=LINES,
        tiers=[(1, 42_000), (5, 36_000), (20, 30_000)],
        questions=[CLAIMS, INSURER],
        **details,
    )


def _pledge(scheme, owner) -> None:
    organisation = next(m.organisation for m in owner.memberships if m.is_owner)
    answers = {scheme.questions[0].id: "no", scheme.questions[1].id: "None yet"}
    activation.join(scheme, organisation, owner, answers=answers, invoice_mandate=True)


def seed_insurance(publishers: dict, officers: dict, areas: dict, owners: list, finance) -> None:
    """owners: the eight demo enterprises' owners, in the order they were made; finance: Leeds's finance person."""
    now = utcnow()
    with clock.at(now - timedelta(days=40)):
        leeds = _scheme(
            publishers["leeds"],
            officers["leeds"],
            "Leeds care providers' insurance",
            starts=today() + timedelta(days=30),
            threshold=2,
            area_ids=[areas["Leeds"].id],
            subsidy_kind=SubsidyKind.FIXED,
            subsidy_value=6000,
            subsidy_budget_pence=500_000,
        )
        schemes.open_scheme(leeds, officers["leeds"])
        for owner in owners[:2]:
            _pledge(leeds, owner)
        activation.activate_early(leeds, officers["leeds"])
    with clock.at(now - timedelta(days=33)):
        for enrolment in db.session.scalars(select(Enrolment).where(Enrolment.scheme_id == leeds.id)):
            mark_invoice_paid(enrolment.payment, finance)  # the members paid their invoices
    with clock.at(now - timedelta(days=60)):
        cornwall = _scheme(
            publishers["cornwall"],
            officers["cornwall"],
            "Cornwall care insurance",
            starts=today() + timedelta(days=30),
            threshold=5,
            area_ids=[areas["Cornwall"].id],
        )
        schemes.open_scheme(cornwall, officers["cornwall"])
        for owner in owners[2:4]:
            _pledge(cornwall, owner)
    with clock.at(now - timedelta(days=25)):
        activation.activate(cornwall)  # enrolment closed with 2 of the 5 needed: it fails, nobody charged
    west = _scheme(
        publishers["wyicb"],
        officers["wyicb"],
        "West Yorkshire care insurance",
        starts=today() + timedelta(days=35),
        threshold=6,
        area_ids=[areas[name].id for name in ("Bradford", "Calderdale", "Wakefield", "Kirklees")],
        subsidy_kind=SubsidyKind.PERCENT,
        subsidy_value=20,
    )
    schemes.open_scheme(west, officers["wyicb"])
    for owner in owners[4:7]:
        _pledge(west, owner)
