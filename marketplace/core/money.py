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


def parse_pounds(text: str | None) -> int | None:
    """'12.50' or '£12.5' -> 1250 pence; None if it is not an amount of money."""
    cleaned = (text or "").strip().replace("£", "").replace(",", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")) and amount.as_tuple().exponent < -2:
        return None
    return int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
