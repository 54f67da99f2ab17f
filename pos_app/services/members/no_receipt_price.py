"""Today's price of one unit after today's promotions (a return without a receipt of goods
not sold in the last 90 days goes back at it; issue 20)."""

from __future__ import annotations

from collections.abc import Callable

from pos_app.domain.promotions import BasketLine, price_basket
from pos_app.domain.sale import Sellable

from .pricing import MemberPricing


def today_price(pricing: MemberPricing) -> Callable[[Sellable], int]:
    """A unit alone in a basket, priced by the promotions active now for anyone (no member's
    price, tier or coupon: the customer without a receipt is not known to have had them)."""

    def price(item: Sellable) -> int:
        promotions = pricing.promotions()
        basket = [BasketLine(1, item.sku, item.category, 1, item.price_fen, item.price_fen)]
        got = price_basket(basket, promotions, context=pricing.context(promotions, None))
        return item.price_fen - sum(s.on_line(1) for s in got.savings)

    return price
