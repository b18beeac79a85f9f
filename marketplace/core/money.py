"""Money is integer pence; this is the one place that turns it into words and back."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def format_pence(pence: int | None, *, free_word: str = "Free") -> str:
    """1250 -> '£12.50'; 1200 -> '£12'; 0 -> 'Free'."""
    if pence is None:
        return ""
    if pence == 0:
        return free_word
    pounds, rest = divmod(abs(pence), 100)
    sign = "-" if pence < 0 else ""
    return f"{sign}£{pounds:,}" if rest == 0 else f"{sign}£{pounds:,}.{rest:02d}"


def format_pounds_field(pence: int) -> str:
    """1250 -> '12.50', 1200 -> '12.00': an amount as it goes back into a form field (parse_pounds reads it)."""
    pounds, rest = divmod(pence, 100)
    return f"{pounds}.{rest:02d}"


MAX_PENCE = 2_100_000_000
"""The most an amount may be, £21,000,000: amounts are integer pence in 32-bit columns (at most 2,147,483,647)."""
MAX_POUNDS = Decimal(MAX_PENCE) / 100


def _amount(text: str | None) -> Decimal | None:
    """The number typed ('£1,250.5' -> 1250.5), or None if it is not a finite number (NaN and Infinity are not)."""
    cleaned = (text or "").strip().replace("£", "").replace(",", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def parse_pounds(text: str | None) -> int | None:
    """'12.50' or '£12.5' -> 1250 pence; None if it is not an amount of money (negative, NaN, Infinity, more than
    two decimal places, or more than MAX_PENCE)."""
    amount = _amount(text)
    if amount is None or amount < 0 or amount > MAX_POUNDS:
        return None
    if amount != amount.quantize(Decimal("0.01")) and amount.as_tuple().exponent < -2:
        return None
    return int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def pounds_problem(text: str | None, label: str) -> str | None:
    """Why `text` is not an amount we can take for the field `label`, in words naming the field, or None."""
    amount = _amount(text)
    if amount is not None and amount > MAX_POUNDS:
        return f"{label} must be {format_pence(MAX_PENCE)} or less"
    if parse_pounds(text) is None:
        return f"Enter {label.lower()} as an amount of money, like 12.50"
    return None
