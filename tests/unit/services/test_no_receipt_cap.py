"""Which count the brand's no-receipt cap is checked against (issue 20): the cloud's, joined
with this till's own by refund id; this till's own only when the cloud is out of reach; and a
cloud that refuses or fails is never taken for one out of reach."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from pos_app.domain.errors import CloudFailed, CloudRefused, CloudUnreachable, GuitaiError
from pos_app.services.handlers.no_receipt_cap import made_since


class History:
    def __init__(self, ids: list[str]) -> None:
        self.ids = ids

    def sold_unit_prices(self, sku: str, since: str) -> list[int]:
        return []

    def refunds_since(self, phone_key: str, since: str) -> list[str]:
        return list(self.ids)


class Remote:
    def __init__(self, answer: list[str] | GuitaiError) -> None:
        self.answer = answer
        self.asked: list[tuple[str, str]] = []

    def sale_by_token(self, token: str) -> dict[str, Any]:
        raise NotImplementedError

    def reserve(self, refund_id: str, sale_id: str, lines: Sequence[tuple[int, int]]) -> None:
        raise NotImplementedError

    def release(self, refund_id: str) -> None:
        raise NotImplementedError

    def no_receipt_refunds(self, phone_key: str, since: str) -> list[str]:
        self.asked.append((phone_key, since))
        if isinstance(self.answer, GuitaiError):
            raise self.answer
        return list(self.answer)


SINCE = "2026-11-06T00:00:00Z"


def test_the_clouds_count_joins_the_tills_own_without_counting_one_twice() -> None:
    remote = Remote(["r-store-a", "r-mine-synced"])
    history = History(["r-mine-synced", "r-mine-not-yet"])
    assert made_since(history, remote, "0123456789abcdef", SINCE) == (3, "cloud")
    assert remote.asked == [("0123456789abcdef", SINCE)]


def test_out_of_reach_or_no_cloud_counts_the_tills_own() -> None:
    history = History(["r-mine"])
    unreachable = Remote(CloudUnreachable("no route", "无法连接"))
    assert made_since(history, unreachable, "0123456789abcdef", SINCE) == (1, "till")
    assert made_since(history, None, "0123456789abcdef", SINCE) == (1, "till")


@pytest.mark.parametrize(
    "answer",
    [CloudFailed("the cloud had an error", "云端出错"), CloudRefused(401, "revoked_key", "x", "x")],
)
def test_a_cloud_that_answers_with_an_error_is_not_out_of_reach(answer: GuitaiError) -> None:
    with pytest.raises(type(answer)):
        made_since(History([]), Remote(answer), "0123456789abcdef", SINCE)
