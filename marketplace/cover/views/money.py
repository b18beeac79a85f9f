"""Money pages of relief cover: a worker's payout account, an enterprise's saved card, a publisher's payroll."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...core.actions import attempt
from ...core.permissions import policy
from ...organisations.permissions import organisation_for
from ...payments import connect, payouts, saved_methods
from .blueprint import bp


@bp.route("/earnings/payout-account", methods=["POST"])
@policy("relief_worker")
def set_up_payouts():
    """Go to the payment provider to set up (or finish setting up) the account you are paid into."""
    links = {
        "return_url": url_for("cover.payouts_returned", _external=True),
        "refresh_url": url_for("cover.earnings", _external=True),
    }
    outcome = attempt(lambda: connect.onboarding_link(current_user, **links))
    return redirect(outcome.result if outcome.ok else url_for("cover.earnings"))


@bp.route("/earnings/payout-account/done")
@policy("relief_worker")
def payouts_returned():
    """Back from the payment provider: ask it how the account stands now."""
    outcome = attempt(lambda: connect.refresh_payout_account(current_user))
    if outcome.ok:
        flash(outcome.result.words, "success")
    return redirect(url_for("cover.earnings"))


@bp.route("/organisations/<int:org_id>/card", methods=["POST"])
@policy("organisation_finance", load=organisation_for)
def save_card(organisation):
    """Save a card for cover charges beyond the funded hours (taken only when a timesheet is approved)."""
    links = {
        "return_url": url_for("cover.cover_requests", org_id=organisation.id, card="saved", _external=True),
        "cancel_url": url_for("cover.cover_requests", org_id=organisation.id, _external=True),
    }
    start = lambda: saved_methods.start_saving_method(organisation, actor=current_user, **links)  # noqa: E731
    outcome = attempt(start)
    return redirect(outcome.result if outcome.ok else url_for("cover.cover_requests", org_id=organisation.id))


@bp.route("/manage/organisations/<int:org_id>/payroll", methods=["GET", "POST"])
@policy("organisation_finance", load=organisation_for)
def payroll(organisation):
    """Relief workers' pay to send through the organisation's payroll; mark what has been paid."""
    if request.method == "POST":
        chosen = [int(value) for value in request.form.getlist("payout_ids") if value.isdigit()]
        if not chosen:
            flash("Select the payments you have made", "error")
        else:
            done = attempt(lambda: payouts.mark_payroll_paid(chosen, current_user))
            if done.ok:
                flash(f"{done.result} payment{'' if done.result == 1 else 's'} marked as paid.", "success")
        return redirect(url_for("cover.payroll", org_id=organisation.id))
    rows = payouts.payroll_rows(organisation, actor=current_user)
    return render_template(
        "cover/manage/payroll.html",
        organisation=organisation,
        rows=rows,
        total=sum(row.amount_pence for row in rows),
        title="Relief workers' pay",
    )


@bp.route("/manage/organisations/<int:org_id>/payroll.csv")
@policy("organisation_finance", load=organisation_for)
def payroll_csv(organisation):
    """The pay still to send, as a spreadsheet for the payroll."""
    body = payouts.payroll_csv(organisation, actor=current_user)
    disposition = f'attachment; filename="relief-pay-{organisation.id}.csv"'
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": disposition})
