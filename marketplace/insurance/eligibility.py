"""Who a scheme is for: an approved enterprise in its areas, of one of its legal forms, with no more staff than it
allows. Shared by joining (enrolments) and by who may read the policy wording (permissions)."""

from ..organisations.models import LegalForm, OrgKind, OrgStatus
from .models import Scheme


def who_reasons(scheme: Scheme, organisation) -> list[str]:
    """An approved enterprise in the scheme's areas, of one of its legal forms, with no more staff than it allows."""
    reasons = []
    if organisation.kind != OrgKind.ENTERPRISE or organisation.status != OrgStatus.APPROVED:
        reasons.append("Only an approved enterprise can join")
    allowed = {area.id for area in scheme.areas}
    if allowed and organisation.area_id not in allowed:
        reasons.append(f"This scheme is only for enterprises in {', '.join(area.name for area in scheme.areas)}")
    forms = scheme.legal_form_list
    if forms and organisation.legal_form not in forms:
        labels = ", ".join(LegalForm(form).label.lower() for form in forms)
        reasons.append(f"This scheme is only for these kinds of business: {labels}")
    if scheme.max_fte is not None:
        if organisation.fte is None:
            reasons.append("Add how many full-time staff your enterprise has to its details")
        elif organisation.fte > scheme.max_fte:
            most = format(scheme.max_fte.normalize(), "f")
            reasons.append(f"This scheme is only for enterprises with {most} full-time staff or fewer")
    return reasons
