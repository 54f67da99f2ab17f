"""The till's identity and rules, read from settings once per service instance."""

from __future__ import annotations

import json
from dataclasses import dataclass

from pos_app.domain.errors import StateError
from pos_app.domain.money import CashRounding, Money
from pos_app.domain.sale_limits import DEFAULT_MAX_SALE_FEN, DiscountLimits
from pos_app.domain.timeutil import DEFAULT_TZ

from .unit_of_work import AbstractUnitOfWork


@dataclass(frozen=True)
class TillIdentity:
    store_id: str
    store_name: str
    till_no: int
    tz: str
    cash_rounding: CashRounding
    limits: DiscountLimits
    address: str = ""
    max_sale_fen: int = DEFAULT_MAX_SALE_FEN

    @classmethod
    def load(cls, uow: AbstractUnitOfWork) -> TillIdentity:
        s = uow.settings.all()
        if "store_id" not in s:
            raise StateError(
                "This till is not set up: run `guitai init` first",
                "收银台尚未初始化：请先运行 guitai init",
            )
        limits = DiscountLimits()
        if "discount_limits" in s:
            limits = DiscountLimits(
                {k: int(v) for k, v in json.loads(s["discount_limits"]).items()}
            )
        return cls(
            store_id=s["store_id"],
            store_name=s.get("store_name", s["store_id"]),
            till_no=int(s.get("till_no", "1")),
            tz=s.get("timezone", DEFAULT_TZ),
            cash_rounding=CashRounding(s.get("cash_rounding", "none")),
            limits=limits,
            address=s.get("store_address", ""),
            max_sale_fen=(
                Money.parse(s["max_sale_total"]).fen
                if s.get("max_sale_total")
                else DEFAULT_MAX_SALE_FEN
            ),
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "store_id": self.store_id,
            "store_name": self.store_name,
            "till_no": self.till_no,
            "timezone": self.tz,
            "cash_rounding": self.cash_rounding.value,
        }
