"""Stripe-shaped objects: Stripe's published sample of each resource, and Stripe-looking ids."""

import copy
import functools
import json
import secrets
import string

from .schema import DATA_DIR

FIXTURES_FILE = DATA_DIR / "fixtures3.json"
_ALPHABET = string.ascii_letters + string.digits


@functools.cache
def _fixtures() -> dict:
    return json.loads(FIXTURES_FILE.read_text())["resources"]


def fixture(name: str) -> dict:
    """A fresh deep copy of Stripe's sample object for resource `name` (e.g. "checkout.session")."""
    return copy.deepcopy(_fixtures()[name])


def new_id(prefix: str, length: int = 24) -> str:
    """A Stripe-looking object id such as `pi_3Px...`."""
    return f"{prefix}_" + "".join(secrets.choice(_ALPHABET) for _ in range(length))
