"""The price-per-member chart of a scheme's tiers, drawn on the server as accessible SVG (with the same numbers in
a table beside it): one bar per tier, the tier the pool has reached marked."""

from dataclasses import dataclass

from ..core.money import format_pence
from .enrolments import tiers_of
from .pricing import tier_for

WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 320, 180, 20, 40, 8


@dataclass(frozen=True)
class Bar:
    label: str  # "1 to 24 members"
    price: str  # "£240"
    x: int
    y: int
    width: int
    height: int
    reached: bool


def price_chart(scheme, members: int) -> list[Bar]:
    """Bars of price a year per member, tallest the first tier; empty without tiers."""
    tiers = tiers_of(scheme)
    if not tiers:
        return []
    reached = tier_for(tiers, max(members, 1))
    top = max(tier.annual_price_pence for tier in tiers)
    gap, usable = 8, WIDTH - 2 * LEFT
    width = (usable - gap * (len(tiers) - 1)) // len(tiers)
    bars = []
    for index, tier in enumerate(tiers):
        upper = tiers[index + 1].min_members - 1 if index + 1 < len(tiers) else None
        label = f"{tier.min_members} to {upper} members" if upper else f"{tier.min_members} or more members"
        height = max(2, round((HEIGHT - TOP - BOTTOM) * tier.annual_price_pence / top))
        bars.append(
            Bar(
                label,
                format_pence(tier.annual_price_pence),
                LEFT + index * (width + gap),
                HEIGHT - BOTTOM - height,
                width,
                height,
                tier == reached,
            )
        )
    return bars
