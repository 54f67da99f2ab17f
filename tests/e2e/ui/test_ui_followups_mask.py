"""The follow-ups list masks the member's mobile number exactly as the member column does:
one masking helper (issue 16, item 10)."""

from __future__ import annotations

from typing import Any

# The member cloud stub and a till with a shop, as fixtures of this module.
from members_ui_fixtures import cloud, shop  # noqa: F401
from members_ui_kit import PHONE_A, panel_ready, start_selling
from on_db import on_db
from uihelp import dialog, table_text, tap, wedge_scan

from pos_app.domain.members import mask_phone


def test_followups_show_the_phone_masked_like_the_member_column(
    qtbot: Any, shop: dict[str, str], app_ui: Any
) -> None:
    t = app_ui
    uow = t.session.till.uow

    def due_followup() -> None:
        with uow:
            uow.conn.execute(
                "INSERT INTO followups(member_id, sale_id, associate, step, due_at, created_at) "
                "VALUES (?, 'S-1', '李娜', 1, '2000-01-01T00:00:00Z', '2000-01-01T00:00:00Z')",
                (shop["a"],),
            )
            uow.commit()

    on_db(t.session.till, due_followup)
    start_selling(qtbot, t)
    col = t.window.sale.member_col
    wedge_scan(qtbot, t, f"GTM:{shop['a']}")
    panel_ready(qtbot, t)
    tap(qtbot, t, col.followups_btn)
    rows = table_text(dialog(t).table)
    assert [r[3] for r in rows] == ["138****8000"]
    assert PHONE_A not in " ".join(" ".join(r) for r in rows)
    assert col.phone.text() == rows[0][3]  # the same masking as the member column


def test_one_masking_for_every_phone() -> None:
    from pos_app.domain.members import Member
    from receipts.document import mask_phone as receipts_mask

    assert receipts_mask is mask_phone
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("138****5678") == "138****5678"  # already masked: unchanged
    assert mask_phone("12345") == "*****"
    assert Member(id="M1", phone="13812345678", name="").phone_masked == "138****5678"
