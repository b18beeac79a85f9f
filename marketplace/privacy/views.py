"""Your data pages: ask for a copy, open the emailed link and download it, close your account."""

import io

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from ..accounts import sessions
from ..core.actions import attempt
from ..core.clock import to_london
from ..core.permissions import signed_in
from ..extensions import db
from . import closure, exports
from .forms import CloseAccountForm, RequestExportForm

bp = Blueprint("privacy", __name__, url_prefix="/account")


@bp.route("/your-data", methods=["POST"])
@signed_in
def request_export():
    """Ask for everything held about you: it is prepared in the background and the link emailed."""
    user = current_user._get_current_object()
    if RequestExportForm().validate_on_submit():
        attempt(
            lambda: exports.request_export(user),
            success=f"We are preparing your data. We will email a link to {user.email} that works for 24 hours.",
        )
    return redirect(url_for("accounts.profile") + "#your-data")


def _own_export(token: str):
    """The signed-in person's export behind this link (404 if it is not theirs or not real, 410 once expired)."""
    try:
        export = exports.export_for(current_user, token)
    except exports.LinkExpired as error:
        return None, (
            render_template("privacy/link_invalid.html", title="This link has expired", reason=str(error)),
            410,
        )
    if export is None:
        reason = "Check you are signed in as the person who asked for the data, or ask for your data again."
        page = render_template("privacy/link_invalid.html", title="This link is not valid", reason=reason)
        return None, (page, 404)
    return export, None


@bp.route("/your-data/<token>")
@signed_in
def show_export(token: str):
    """The emailed link: your data is ready to download, until the link expires."""
    export, refused = _own_export(token)
    if refused:
        return refused
    return render_template(
        "privacy/export.html", token=token, expires_at=to_london(export.expires_at), title="Download your data"
    )


@bp.route("/your-data/<token>/download")
@signed_in
def download_export(token: str):
    """The ZIP file itself (each download is audited)."""
    export, refused = _own_export(token)
    if refused:
        return refused
    content = exports.download(export, current_user._get_current_object())
    db.session.commit()
    name = f"backstop-your-data-{to_london(export.prepared_at):%Y-%m-%d}.zip"
    return send_file(io.BytesIO(content), mimetype="application/zip", as_attachment=True, download_name=name)


@bp.route("/close", methods=["GET", "POST"])
@signed_in
def close_account():
    """Close your account, after entering your password (refused while an organisation needs you as its owner)."""
    user = current_user._get_current_object()
    tasks = closure.blockers(user)
    if tasks:
        return render_template("privacy/close_refused.html", tasks=tasks, title="You cannot close your account yet")
    form = CloseAccountForm()
    if form.validate_on_submit():
        closed = attempt(lambda: closure.close_account(user, form.password.data), report=form.password)
        if closed.ok:
            sessions.end_session()
            db.session.commit()
            flash("Your account is closed. We have removed your name and email address from Backstop.", "success")
            return redirect(url_for("public.home"))
    return render_template("privacy/close.html", form=form, title="Close your account")
