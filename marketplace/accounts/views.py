"""Account pages: register, confirm email, sign in and out, passwords, profile."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..core.actions import submit
from ..core.errors import DomainError
from ..core.features import profile_sections_for
from ..core.permissions import public, signed_in
from ..core.urls import safe_next_url
from ..extensions import db, limiter
from . import devices, services
from .forms import (
    ChangePasswordForm,
    EmailOnlyForm,
    NotificationEmailForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    SignInForm,
)

bp = Blueprint("accounts", __name__)
_auth_limit = limiter.limit("30 per minute", methods=["POST"])


def form_page(form, title: str, **context):
    """Render the shared one-form page."""
    return render_template("components/form_page.html", form=form, title=title, **context)


@bp.route("/register", methods=["GET", "POST"])
@public
@_auth_limit
def register():
    """Create an account and send the confirmation email (same answer if the address is already registered)."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        # An address that already has an account gets the same page (its holder is emailed instead).
        try:
            services.register(
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
                intended_role=form.intended_role.data,
            )
            db.session.commit()
        except IntegrityError:  # the same new address registered twice at once (at the insert or the commit):
            db.session.rollback()  # the first one won, and this one gets the same page
        return render_template("accounts/check_email.html", title="Check your email", email=form.email.data)
    return render_template("accounts/register.html", form=form, title="Create an account")


@bp.route("/verify-email/<token>")
@public
def verify_email(token: str):
    """Confirm an email address from the link we sent."""
    user = services.verify_email(token)
    if user is None:
        return render_template(
            "accounts/link_invalid.html", title="This link has expired or is not valid", resend=True
        ), 400
    db.session.commit()
    flash("Your email address is confirmed. You can now sign in.", "success")
    return redirect(url_for("dashboard.index") if current_user.is_authenticated else url_for("accounts.sign_in"))


@bp.route("/verify-email", methods=["GET", "POST"])
@public
@_auth_limit
def resend_verification():
    """Send a new confirmation link (same answer whether or not the account exists)."""
    form = EmailOnlyForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(form.email.data)
        if user and not user.is_verified:
            services.send_verification_email(user)
        db.session.commit()
        return render_template("accounts/check_email.html", title="Check your email", email=form.email.data)
    return form_page(form, "Get a new confirmation link", lead="Enter the email address you registered with.")


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@_auth_limit
def sign_in():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.email.data,
                form.password.data,
                request.remote_addr or "unknown",
                device=devices.known_device(),
            )
        except DomainError as error:
            db.session.commit()
            form.email.errors.append(str(error))
        else:
            services.sign_in(user, remember=form.remember.data)
            db.session.commit()
            response = redirect(safe_next_url(request.args.get("next")) or url_for("dashboard.index"))
            return devices.remember_device(response, user)
    return render_template("accounts/sign_in.html", form=form, title="Sign in")


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out():
    """Sign out of this browser."""
    services.sign_out(current_user._get_current_object())
    db.session.commit()
    flash("You have signed out.", "success")
    return redirect(url_for("public.home"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@_auth_limit
def forgot_password():
    """Ask for a password reset link."""
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("accounts/check_email.html", title="Check your email", email=form.email.data, reset=True)
    return form_page(
        form,
        "Reset your password",
        lead="Enter your email address and we will send you a link to reset your password. "
        "The link works once, for 1 hour.",
    )


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
@_auth_limit
def reset_password(token: str):
    """Choose a new password from a single-use link."""
    if services.usable_reset_token(token) is None:
        return render_template(
            "accounts/link_invalid.html", title="This link has expired or is not valid", reset=True
        ), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        if services.reset_password(token, form.password.data) is None:
            db.session.rollback()
            return render_template(
                "accounts/link_invalid.html", title="This link has expired or is not valid", reset=True
            ), 400
        db.session.commit()
        flash("Your password has been changed. Sign in with your new password.", "success")
        return redirect(url_for("accounts.sign_in"))
    return form_page(form, "Choose a new password")


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def profile():
    """See and edit your own details."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(current_user, name=form.name.data)
        services.choose_text_alerts(current_user, form.mobile.data, form.sms_alerts.data)
        db.session.commit()
        flash("Your details have been saved.", "success")
        return redirect(url_for("accounts.profile"))
    return render_template(
        "accounts/profile.html",
        form=form,
        email_form=NotificationEmailForm(formdata=None, obj=current_user),
        sections=profile_sections_for(current_user),
        title="Your account",
    )


@bp.route("/account/notification-emails", methods=["GET", "POST"])
@signed_in
def notification_emails():
    """Choose how your notifications are emailed: each one, one digest a day, or none."""
    user = current_user._get_current_object()
    form = NotificationEmailForm(obj=user)
    saved = submit(
        form,
        lambda: services.choose_notification_email(user, form.notification_email.data),
        success="Your choice of notification emails has been saved.",
        report=form.notification_email,
    )
    if saved.ok:
        return redirect(url_for("accounts.profile"))
    return form_page(form, "Notification emails")


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    """Change your password (signs out every other browser)."""
    form = ChangePasswordForm()
    user = current_user._get_current_object()  # the real User: login_user() must not be given the proxy
    changed = submit(
        form,
        lambda: services.change_password(user, form.current_password.data, form.new_password.data),
        success="Your password has been changed. Other devices have been signed out.",
        report=form.current_password,
    )
    if changed.ok:
        return redirect(url_for("accounts.profile"))
    return form_page(form, "Change your password")
