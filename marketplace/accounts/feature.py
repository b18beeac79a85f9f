"""Accounts plug in: sign-in pages, the account tables, their clean-up jobs and the account links."""

from ..core.features import Feature, Job, nav_link, signed_out
from . import models
from .services import purge_expired_reset_tokens
from .sessions import purge_expired_sessions
from .throttle import purge_old_failures
from .views import bp

feature = Feature(
    "accounts",
    blueprints=(bp,),
    models=(models,),
    jobs=(
        Job("purge-password-reset-tokens", "Delete used and expired password reset links", purge_expired_reset_tokens),
        Job("purge-sessions", "Delete expired sign-in sessions", purge_expired_sessions),
        Job("purge-sign-in-failures", "Forget failed sign-ins older than the throttle window", purge_old_failures),
    ),
    navigation=(
        nav_link(80, "Your account", "accounts.profile"),
        nav_link(90, "Sign in", "accounts.sign_in", shown_to=signed_out),
        nav_link(91, "Create an account", "accounts.register", shown_to=signed_out),
    ),
)
