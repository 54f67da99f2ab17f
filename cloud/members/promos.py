"""Targeted promotions published from the cloud (会员日, weekends, campaign weeks, for tiers,
segments or stores).  The till's one pricing engine decides when and for whom each applies
(pos_app/domain/promo_windows.py); the cloud checks what it names and, for a segment, publishes
the segment's member ids in the same transaction, so a till that has the promotion has the
members it is for."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from pos_app.domain.errors import GuitaiError
from pos_app.domain.promotions import Promotion

from ..changelog import Publish
from ..common import ApiError
from ..db import CloudDB
from .segment_rules import TIERS
from .segments import Segments


class Promos:
    def __init__(
        self, db: CloudDB, now: Callable[[], datetime], publish: Publish, segments: Segments
    ) -> None:
        self.db = db
        self.now = now
        self.publish = publish
        self.segments = segments

    def add(self, promo_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
        try:
            promo = Promotion.from_dict({"id": promo_id, **data})  # what the tills would refuse
        except GuitaiError as err:
            raise ApiError(400, "bad_promotion", err.message, err.message_zh) from err
        bad_tiers = sorted(promo.audience.tiers - set(TIERS))
        if bad_tiers:
            raise ApiError(
                400,
                "bad_tier",
                f"Unknown tier {', '.join(bad_tiers)}: use {', '.join(TIERS)}",
                f"未知等级 {', '.join(bad_tiers)}，可用：{', '.join(TIERS)}",
            )
        published: dict[str, int] = {}
        with self.db.tx() as tx:
            for store in sorted(promo.audience.stores):
                if (
                    tx.execute("SELECT 1 FROM stores WHERE store_id = ?", (store,)).fetchone()
                    is None
                ):
                    raise ApiError(
                        404,
                        "unknown_store",
                        f"No store {store}: add it with `guitai cloud store add`",
                        f"没有门店 {store}：请先用 guitai cloud store add 添加",
                    )
            for name in sorted(promo.audience.segments):
                published[name] = self.segments.publish_members(tx, name)
            self.publish(tx, "promotion", "upsert", promo_id, {"id": promo_id, **data})
        return {"id": promo_id, **data, "segment_members": published}
