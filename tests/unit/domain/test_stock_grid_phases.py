"""The grid as the till's screen asks for it: this store first (with the scanned SKU), then
the other stores on their own call, with the reason in both languages when they are missing."""

from __future__ import annotations

from typing import Any

import pytest

from pos_app.domain.errors import GuitaiError, NotFound

STYLE = "QP-9"
CELLS = [("QP-9-BLK-S", "黑", "S"), ("QP-9-BLK-M", "黑", "M"), ("QP-9-WHT-M", "白", "M")]


@pytest.fixture
def styled(till: Any) -> Any:
    conn = till.database.conn
    conn.execute("BEGIN")
    for sku, colour, size in CELLS:
        conn.execute(
            "INSERT INTO skus(sku, style, name, colour, size, price_fen) VALUES (?,?,?,?,?,?)",
            (sku, STYLE, f"风衣 {colour} {size}", colour, size, 59900),
        )
    conn.execute("INSERT INTO styles(style, name) VALUES (?, '风衣')", (STYLE,))
    conn.execute("COMMIT")
    admin = till.users.authenticate("admin", "7391")
    till.stock.count_start(admin)
    till.stock.count_scan("QP-9-BLK-M", 4)
    till.stock.count_finish(admin)
    return till


def test_scanned_sku_is_named_and_a_style_number_names_none(styled: Any) -> None:
    g = styled.stock.grid("qp-9-blk-m", other_stores=False)
    assert g["scanned_sku"] == "QP-9-BLK-M"
    assert g["other_stores"] == [] and g["other_stores_error"] is None
    assert styled.stock.grid(STYLE, other_stores=False)["scanned_sku"] is None


def test_not_enrolled_says_why_in_both_languages(styled: Any) -> None:
    r = styled.stock.other_stores(STYLE)
    assert r["other_stores"] == []
    assert r["other_stores_error"] == "this till is not enrolled with the cloud"
    assert r["other_stores_error_zh"] == "本机未注册到云端"
    with pytest.raises(NotFound):
        styled.stock.other_stores("NOPE-1")


def test_other_stores_nearest_first_and_the_cloud_failing(styled: Any) -> None:
    answers: list[Any] = [
        {
            "stores": [
                {"store_id": "S003", "name": "西湖店", "distance_km": 160.2,
                 "skus": {"QP-9-BLK-M": 1}},
                {"store_id": "S001", "name": "本店", "distance_km": 0, "skus": {}},
                {"store_id": "S002", "name": "南京西路店", "distance_km": 1.1,
                 "skus": {"QP-9-BLK-S": 2, "QP-9-WHT-M": 3}},
            ]
        }
    ]  # fmt: skip

    def remote(style: str) -> dict[str, Any]:
        assert style == STYLE
        a = answers.pop(0)
        if isinstance(a, GuitaiError):
            raise a
        return dict(a)

    styled.stock.remote_grid = remote  # the cloud's answer, as the sync client returns it
    r = styled.stock.other_stores(STYLE)
    assert [s["store_id"] for s in r["other_stores"]] == ["S002", "S003"]  # ours left out
    assert r["other_stores"][0]["total"] == 5 and r["other_stores_error"] is None
    assert r["other_stores"][0]["rows"][1]["cells"][1]["on_hand"] == 3
    answers.append(GuitaiError("the cloud did not answer within 3 s", "云端 3 秒内未响应"))
    g = styled.stock.grid("QP-9-BLK-S")
    assert g["scanned_sku"] == "QP-9-BLK-S" and g["total"] == 4
    assert g["other_stores"] == [] and g["other_stores_error_zh"] == "云端 3 秒内未响应"
