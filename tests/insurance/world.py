"""A scheme in a state every insurance page can show, built through the services: the council's scheme (three
tiers, a threshold of 1), open for enrolment from yesterday to next week, cover from next month for a year."""

import io
from datetime import timedelta

from werkzeug.datastructures import FileStorage

from marketplace.core.clock import today
from marketplace.extensions import db
from marketplace.insurance import activation, enrolments, schemes
from marketplace.insurance.schemes import LineDetails, QuestionDetails
from marketplace.insurance.statuses import CoverKind, SubsidyKind

TIERS = [(1, 24_000), (5, 18_000), (10, 14_000)]


def scheme_details(**overrides) -> dict:
    """A scheme's settings relative to the injected clock."""
    start = today() + timedelta(days=30)
    details = {
        "name": "Leeds care providers' insurance",
        "summary": "Public liability and professional indemnity for care and support businesses in Leeds.",
        "insurer_name": "Example Mutual",
        "insurer_frn": "123456",
        "period_starts": start,
        "period_ends": start + timedelta(days=364),
        "enrolment_opens": today() - timedelta(days=1),
        "enrolment_closes": today() + timedelta(days=7),
        "threshold": 5,
        "subsidy_kind": SubsidyKind.NONE,
        "subsidy_value": 0,
        "lines": [
            LineDetails(CoverKind.PUBLIC_LIABILITY, 500_000_000, 25_000),
            LineDetails(CoverKind.PROFESSIONAL_INDEMNITY, 100_000_000, 50_000),
        ],
        "tiers": TIERS,
        "questions": [QuestionDetails("Have you had an insurance claim in the last 5 years?", "yes_no", "yes")],
    }
    return {**details, **overrides}


def open_scheme(officer, council, **overrides):
    scheme = schemes.create_scheme(council, officer, **scheme_details(**overrides))
    schemes.open_scheme(scheme, officer)
    db.session.commit()
    return scheme


def answers(scheme, answer: str = "no") -> dict[int, str]:
    return {question.id: answer for question in scheme.questions}


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def attach_wording(scheme, officer, content: bytes = PDF, filename: str = "wording.pdf") -> None:
    schemes.attach_wording(scheme, officer, FileStorage(io.BytesIO(content), filename=filename))


def insurance_world(officer, council, owner, enterprise) -> dict:
    """Enterprise A covered by an active scheme with its policy wording (invoice mode: covered on its mandate)."""
    scheme = open_scheme(officer, council, threshold=1)
    attach_wording(scheme, officer)
    enrolment = enrolments.pledge(scheme, enterprise, owner, answers=answers(scheme), invoice_mandate=True)
    activation.activate_early(scheme, officer)
    link = enrolments.share_proof(enrolment, owner)
    return {"scheme_id": scheme.id, "enrolment_id": enrolment.id, "number": enrolment.member_number, "link": link}
