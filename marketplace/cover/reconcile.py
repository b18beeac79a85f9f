"""Relief cover's side of reconciliation: every approved timesheet's funded minutes, charge and pay match the
allowance ledger, its payment and its payout, and no enterprise has used more funded hours than it was granted."""

from sqlalchemy import String, and_, cast, func, literal, or_, select

from ..extensions import db
from ..payments.models import Payment, Payout
from .models import AllowanceEntry, CoverShift, Timesheet
from .statuses import TimesheetStatus


def _money_problems() -> list[str]:
    """Approved timesheets whose charge or pay disagrees with their payment or payout."""
    rows = db.session.execute(
        select(Timesheet.id, Timesheet.charged_pence, Payment.amount_pence, Timesheet.pay_pence, Payout.amount_pence)
        .outerjoin(Payment, Payment.id == Timesheet.payment_id)
        .outerjoin(Payout, Payout.id == Timesheet.payout_id)
        .where(
            Timesheet.status == TimesheetStatus.APPROVED,
            or_(
                func.coalesce(Payment.amount_pence, 0) != Timesheet.charged_pence,
                func.coalesce(Payout.amount_pence, 0) != Timesheet.pay_pence,
            ),
        )
    ).all()
    return [
        f"Timesheet {sid}: charged {charged} but payment {paid}; pay {pay} but payout {payout}"
        for sid, charged, paid, pay, payout in rows
    ]


def _allowance_problems() -> list[str]:
    """Funded minutes recorded on timesheets that the ledger does not show as used, and overdrawn years."""
    used = (
        select(func.coalesce(func.sum(-AllowanceEntry.minutes), 0))
        .where(
            AllowanceEntry.reason == "used",
            AllowanceEntry.source_key == literal("shift:") + cast(CoverShift.id, String),
        )
        .scalar_subquery()
    )
    mismatched = db.session.execute(
        select(Timesheet.id, Timesheet.funded_minutes, used)
        .join(CoverShift, CoverShift.id == Timesheet.shift_id)
        .where(Timesheet.status == TimesheetStatus.APPROVED, Timesheet.funded_minutes != used)
    ).all()
    overdrawn = db.session.execute(
        select(AllowanceEntry.member_id, AllowanceEntry.year)
        .group_by(AllowanceEntry.member_id, AllowanceEntry.year)
        .having(and_(func.sum(AllowanceEntry.minutes) < 0))
    ).all()
    problems = [
        f"Timesheet {sid}: {funded} funded minutes, but the ledger shows {ledger} used"
        for sid, funded, ledger in mismatched
    ]
    problems += [
        f"Pool membership {member}: more funded hours used than granted in {year}" for member, year in overdrawn
    ]
    return problems


def cover_problems() -> list[str]:
    """Everything in relief cover that does not add up (an empty list means it reconciles)."""
    return _money_problems() + _allowance_problems()
