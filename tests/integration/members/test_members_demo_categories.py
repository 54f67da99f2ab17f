"""Points exclusions name a category's code, the value the catalog keeps in `category` and
every rule matches exactly: the demo catalog's services (改衣服务) earn no points under the
default exclusion 服务, on a real till database through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from members_kit import init_till, run, set_setting

from pos_app.adapters.db.connection import open_database

PHONE = "13800138000"


def _demo_sku(home: Path, name: str) -> tuple[str, str]:
    db = open_database(home / "till.db")
    try:
        row = db.conn.execute(
            "SELECT sku, category FROM skus WHERE name LIKE ? ORDER BY sku LIMIT 1", (f"{name}%",)
        ).fetchone()
    finally:
        db.close()
    assert row is not None, name
    return str(row[0]), str(row[1])


@pytest.mark.parametrize("rules", [None, '{"excluded_categories": ["服务"]}'])
def test_demo_services_earn_no_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rules: str | None
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    home = init_till(tmp_path / "till", 1)
    if rules is not None:  # a setting written before this fix keeps working
        set_setting(home, "loyalty_rules", rules)
    run(home, "demo-data", "--skus", "2000", "--members", "0")
    service, service_cat = _demo_sku(home, "改衣服务")
    run(home, "member", "enroll", "--phone", PHONE, "--name", "王女士", "--consent")
    run(home, "shift", "open", "--user", "admin", "--float", "500")
    jacket = "6901234567892"  # 男士羊毛夹克, 男装: earns
    sale = run(
        home, "sale", "--user", "admin", "--member", PHONE, "--scan", service, "--scan", jacket,
        "--pay", "cash:400",
    )  # fmt: skip
    jacket_fen = next(ln["amount_fen"] for ln in sale["lines"] if ln["category"] == "男装")
    assert sale["total_fen"] > jacket_fen  # the service was sold too
    assert sale["points_earned"] == jacket_fen // 100
    assert service_cat == "服务"  # the code rules name; no display label appended
