"""The till's follow-up list and the associate's phone agree (issue 21, item 7), without a
browser: a trigger's task pulled into the till's list (step 0, its title), a 3369 step done on
the phone done at the till after a sync, a task done at the till gone from the phone, and a
reassignment moving the pulled task to the new associate."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from members_cloud_rig import Rig, open_rig, run_cloud
from members_kit import run, run_text, set_setting

PHONE = "13800138000"
JKT = "6901234567892"


@pytest.fixture
def rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    monkeypatch.setenv("GUITAI_ASSOCIATE_PASSWORD", "associate-2026")
    yield from open_rig(tmp_path, monkeypatch)


def open_at_till(rig: Rig, who: str) -> list[tuple[str, int]]:
    rows = run(rig.a, "member", "followups", "--associate", who, "--due")
    return sorted((r["sale_id"], r["step"]) for r in rows)


def on_phone(rig: Rig, who: str) -> list[tuple[str, int]]:
    out = []
    for t in rig.svc.associates.workbench.today(who):
        kind, _, rest = t["key"].partition(":")
        if kind == "t":
            out.append((f"task:{rest}", 0))
        else:
            _, sale, step = rest.split(":")
            out.append((sale, int(step)))
    return sorted(out)


def test_the_till_and_the_phone_agree(rig: Rig) -> None:
    for name in ("小李", "小王"):
        run_cloud(rig, "associate", "add", name, "--store", "S001")
    run_cloud(rig, "trigger", "add", "big", "--when", "purchase_above:20000", "--then", "task:大单")
    set_setting(rig.a, "loyalty_rules", json.dumps({"followup_minutes": [0, 4320]}))
    member = run(rig.a, "member", "enroll", "--phone", PHONE, "--name", "王芳", "--consent",
                 "--associate", "小李")["member_id"]  # fmt: skip
    sale = run(rig.a, "sale", "--user", "admin", "--member", PHONE, "--associate", "小李",
               "--scan", JKT, "--pay", "cash:300")  # fmt: skip
    rig.sync(rig.a)
    rig.svc.triggers.run_stream()
    rig.sync(rig.a)
    both = open_at_till(rig, "小李")
    assert both == on_phone(rig, "小李") and len(both) == 2
    assert "任务 大单" in run_text(rig.a, "member", "followups", "--due")

    # the 3369 step finished on the phone: done at the till after its next pull
    rig.svc.associates.workbench.done("小李", f"f:{member}:{sale['sale_id']}:1", "好")
    rig.sync(rig.a)
    assert open_at_till(rig, "小李") == on_phone(rig, "小李") == [(both[1][0], 0)]

    # a manager gives the member to 小王: the open task moves, on the phone and at the till
    run_cloud(rig, "associate", "assign", member, "--to", "小王")
    rig.sync(rig.a)
    assert on_phone(rig, "小李") == open_at_till(rig, "小李") == []
    assert on_phone(rig, "小王") == open_at_till(rig, "小王") == [(both[1][0], 0)]

    # finished at the till: gone from the phone once the cloud reads the till's event
    task = run(rig.a, "member", "followups", "--associate", "小王", "--due")[0]
    run_text(rig.a, "member", "followup-done", str(task["id"]), "--user", "admin")
    rig.sync(rig.a)
    rig.svc.triggers.run_stream()
    assert on_phone(rig, "小王") == []
