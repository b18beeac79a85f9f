"""Accounts plug in: sign-in pages, the account tables, how long their rows are kept (the retention schedule, applied
by privacy's job), what they hold about a person and the account links."""

from ..core.features import Feature, PersonalData, Retention, nav_link, signed_out
from . import models, personal_data
from .services import purge_expired_reset_tokens
from .sessions import purge_expired_sessions
from .throttle import purge_old_failures
from .views import bp

feature = Feature(
    "accounts",
    blueprints=(bp,),
    models=(models,),
    retention=(
        Retention(
            10,
            "Failed attempts to sign in (the email address and IP address used)",
            "{SIGN_IN_WINDOW_MINUTES} minutes",
            purge_old_failures,
        ),
        Retention(
            20,
            "Signed-in sessions",
            "Until they end: when you sign out, {SESSION_IDLE_HOURS} hours after you last used Backstop, or "
            "{PERMANENT_SESSION_LIFETIME.days} days if you chose to stay signed in",
            purge_expired_sessions,
        ),
        Retention(
            30,
            "Password reset links",
            "Until used, or {PASSWORD_RESET_MAX_AGE_MINUTES} minutes",
            purge_expired_reset_tokens,
        ),
    ),
    # Last: closing an account anonymises the user row the other features read first.
    personal_data=(PersonalData(100, export=personal_data.export, anonymise=personal_data.anonymise),),
    navigation=(
        nav_link(80, "Your account", "accounts.profile"),
        nav_link(90, "Sign in", "accounts.sign_in", shown_to=signed_out),
        nav_link(91, "Create an account", "accounts.register", shown_to=signed_out),
    ),
)
