"""发票 from the e-receipt page (issue 19, item 8) against the served cloud (SQLite and
PostgreSQL) and the invoicing provider's emulator on loopback: a request issues once and the
page shows 已开具 with the PDF link; a provider failure shows 失败 and why; a second request
gets the first's state; a wrong tax id, script in the title or email, an altered token and an
unsynced sale are refused with nothing stored; a refund after invoicing asks for the 红冲."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cloud_shop import Shop
from sync_fixtures import Cloud

from cloud.emulators.fapiao import FapiaoEmulator
from pos_app.cli import main

TENCENT = "9144030071526726XG"  # 深圳市腾讯计算机系统有限公司, as published


@pytest.fixture
def provider() -> Iterator[FapiaoEmulator]:
    with FapiaoEmulator() as emu:
        yield emu


@pytest.fixture
def shop(cloud_db_url: str, provider: FapiaoEmulator) -> Iterator[Shop]:
    from cloud.ereceipt import CloudConfig

    cloud = Cloud(
        cloud_db_url, config=CloudConfig(brand_name="青衫", fapiao_url=provider.url)
    ).start()
    try:
        yield Shop(cloud)
    finally:
        cloud.stop()


def assert_real_pdf(data: bytes) -> None:
    """A PDF a viewer opens: every cross-reference entry points at its object."""
    assert data.rstrip().endswith(b"%%EOF")
    start = int(data.rsplit(b"startxref", 1)[1].split()[0])
    assert data[start:].startswith(b"xref")
    entries = data[start:].split(b"\n")[2:]
    count = int(data[start:].split(b"\n")[1].split()[1])
    for n, entry in enumerate(entries[1:count], 1):
        offset = int(entry.split()[0])
        assert data[offset:].startswith(b"%d 0 obj" % n)


def ask(shop: Shop, token: str, **body: Any) -> httpx.Response:
    return httpx.post(f"{shop.cloud.url}/r/{token}/fapiao", json=body, timeout=15)


def stored(shop: Shop) -> int:
    with shop.cloud.db.tx() as tx:
        return int(tx.execute("SELECT count(*) FROM fapiao_requests").fetchone()[0])


def cli_list(capsys: Any, shop: Shop, *args: str) -> Any:
    capsys.readouterr()
    db = shop.cloud.db.url
    flag = "--database-url" if db.startswith("postgres") else "--db"
    rc = main(["cloud", "fapiao", "list", flag, db, *args])
    out = capsys.readouterr().out
    assert rc in (0, None), out
    return json.loads(out) if "--json" in args else out


def test_a_company_invoice_is_issued_once_and_the_page_shows_the_link(
    shop: Shop, provider: FapiaoEmulator, capsys: Any
) -> None:
    sale, token = shop.sale()
    page = httpx.get(f"{shop.cloud.url}/r/{token}", timeout=15)
    assert (
        page.status_code == 200 and 'id="fp-form"' in page.text and "申请开具电子发票" in page.text
    )

    # typed on a phone: lower case, with spaces; stored as the code is written
    answer = ask(
        shop, token, kind="company", title="深圳市腾讯计算机系统有限公司",
        tax_id="9144 0300 7152 6726 xg", email="finance@example.com",
    )  # fmt: skip
    assert answer.status_code == 202, answer.text
    state = answer.json()
    assert state["state"] == "issued" and state["state_zh"] == "已开具"
    assert state["tax_id"] == TENCENT and state["email"] == "f***@example.com"
    assert state["total_fen"] == 117800
    assert state["lines"] == sale["vat"]
    assert re.fullmatch(r"[0-9]{20}", state["number"])
    pdf = httpx.get(state["pdf_url"], timeout=15)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert state["number"].encode() in pdf.content
    assert_real_pdf(pdf.content)

    # the provider saw one request, with the sale's VAT lines
    issued = provider.invoices()
    assert [(i["number"], i["total_fen"], i["tax_id"]) for i in issued] == [
        (state["number"], 117800, TENCENT)
    ]

    # the page: 已开具 and the link, no form any more
    page = httpx.get(f"{shop.cloud.url}/R/{token}", timeout=15).text
    assert "已开具" in page and html.escape(state["pdf_url"]) in page and 'id="fp-form"' not in page
    assert state["number"] in page
    view = httpx.get(f"{shop.cloud.url}/r/{token}/fapiao", timeout=15).json()
    assert view["available"] and view["synced"] and view["fapiao"]["number"] == state["number"]

    # a second request (another buyer, another tap): refused with the first's state
    again = ask(shop, token, kind="personal", title="王芳", email="wf@example.com")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_requested"
    assert again.json()["fapiao"]["number"] == state["number"]
    assert "每张小票限开一张" in again.json()["error"]["message_zh"]
    assert len(provider.invoices()) == 1 and stored(shop) == 1

    # the store manager's list
    rows = cli_list(capsys, shop, "--json")
    assert [(r["receipt_no"], r["title"], r["state"], r["number"]) for r in rows] == [
        (1, "深圳市腾讯计算机系统有限公司", "issued", state["number"])
    ]
    assert rows[0]["email"] == "finance@example.com"  # the manager sees the full contact
    text = cli_list(capsys, shop, "--store", "S001")
    assert "已开具" in text and "1178.00" in text and state["number"] in text
    assert cli_list(capsys, shop, "--store", "S999", "--json") == []


def test_a_provider_failure_shows_why_and_a_new_request_may_follow(
    shop: Shop, provider: FapiaoEmulator
) -> None:
    _sale, token = shop.sale()
    provider.fail = "购买方纳税人识别号未在税务机关登记"
    answer = ask(shop, token, kind="company", title="北京百度网讯科技有限公司",
                 tax_id="91110000802100433B", phone="13800138000")  # fmt: skip
    assert answer.status_code == 202
    state = answer.json()
    assert state["state"] == "failed" and state["state_zh"] == "失败"
    assert state["reason"] == provider.fail and state["phone"] == "138****8000"
    page = httpx.get(f"{shop.cloud.url}/r/{token}", timeout=15).text
    assert "失败" in page and provider.fail in page
    assert 'id="fp-form"' in page  # asked again after checking the details
    provider.fail = ""
    again = ask(shop, token, kind="company", title="北京百度网讯科技有限公司",
                tax_id="91110000802100433B", phone="13800138000")  # fmt: skip
    assert again.status_code == 202 and again.json()["state"] == "issued"
    assert len(provider.invoices()) == 1 and stored(shop) == 1


def test_wrong_input_is_refused_and_nothing_is_stored(shop: Shop) -> None:
    _sale, token = shop.sale()
    # one character mistyped in Tencent's code: the check digit no longer matches
    bad = ask(shop, token, kind="company", title="腾讯", tax_id="9144030071526727XG",
              email="a@example.com")  # fmt: skip
    assert bad.status_code == 400
    err = bad.json()["error"]
    assert err["code"] == "bad_tax_id" and "校验码" in err["message_zh"]
    for body in (
        {"kind": "company", "title": "腾讯", "tax_id": TENCENT[:17], "email": "a@example.com"},
        {
            "kind": "company",
            "title": "腾讯",
            "tax_id": TENCENT.replace("X", "I"),
            "email": "a@b.cn",
        },
        {"kind": "company", "title": "腾讯", "email": "a@example.com"},
        {"kind": "personal", "title": "<script>alert(1)</script>", "email": "a@example.com"},
        {"kind": "personal", "title": "王芳", "email": "<script>alert(1)</script>@x.cn"},
        {"kind": "personal", "title": "王芳", "email": 'a@example.com"><img src=x>'},
        {"kind": "personal", "title": "王芳", "phone": "12345"},
        {"kind": "personal", "title": "王芳"},
        {"kind": "government", "title": "王芳", "email": "a@example.com"},
        {"kind": "personal", "title": "", "email": "a@example.com"},
    ):
        answer = ask(shop, token, **body)
        assert answer.status_code == 400, (body, answer.text)
        assert answer.json()["error"]["message_zh"]
    assert stored(shop) == 0
    page = httpx.get(f"{shop.cloud.url}/r/{token}", timeout=15).text
    assert "<script>alert(1)</script>" not in page and "<img src=x>" not in page


def test_markup_in_a_valid_title_is_escaped_on_the_page(shop: Shop) -> None:
    _sale, token = shop.sale()
    title = 'Tom\'s "Shop" & Co 汤姆商行'
    answer = ask(shop, token, kind="company", title=title, tax_id="91110108551385082Q",
                 email="t@example.com")  # fmt: skip
    assert answer.status_code == 202 and answer.json()["title"] == title
    page = httpx.get(f"{shop.cloud.url}/r/{token}", timeout=15).text
    assert html.escape(title) in page and title not in page


def test_altered_unknown_and_unsynced_receipts_cannot_ask(shop: Shop) -> None:
    _sale, token = shop.sale(push=False)  # printed, not yet synced
    body = {"kind": "personal", "title": "王芳", "email": "wf@example.com"}
    answer = ask(shop, token, **body)
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "not_synced"
    assert (
        "稍后" in answer.json()["error"]["message_zh"]
        or "几分钟" in answer.json()["error"]["message_zh"]
    )
    page = httpx.get(f"{shop.cloud.url}/r/{token}", timeout=15).text
    assert "同步后即可在此申请电子发票" in page and 'id="fp-form"' not in page
    # a token whose signature does not verify, and one that is no token at all
    raw = bytearray(token.encode())
    raw[30] = ord("A") if raw[30] != ord("A") else ord("B")
    forged = ask(shop, raw.decode(), **body)
    assert forged.status_code == 404
    assert forged.json()["error"]["code"] in ("not_genuine", "bad_token")
    assert ask(shop, "NOTATOKEN", **body).json()["error"]["code"] == "bad_token"
    assert stored(shop) == 0


def test_a_refund_after_invoicing_asks_for_the_red_letter_reversal(
    shop: Shop, provider: FapiaoEmulator, capsys: Any
) -> None:
    sale, token = shop.sale()
    blue = ask(shop, token, kind="personal", title="王芳", email="wf@example.com").json()
    assert blue["state"] == "issued" and blue["title"] == "王*"  # a person's name masked
    shop.refund_one_coat(sale)
    red = [i for i in provider.invoices() if i["red"]]
    assert [(i["reverses"], i["total_fen"]) for i in red] == [(blue["number"], -45900)]
    state = httpx.get(f"{shop.cloud.url}/r/{token}/fapiao", timeout=15).json()["fapiao"]
    assert [(r["state"], r["total_fen"], r["number"]) for r in state["reversals"]] == [
        ("issued", -45900, red[0]["number"])
    ]
    page = httpx.get(f"{shop.cloud.url}/r/{token}", timeout=15).text
    assert "退货红冲" in page and red[0]["number"] in page
    assert "红冲" in cli_list(capsys, shop)


def test_an_invoice_after_a_refund_is_net_of_it(shop: Shop) -> None:
    sale, token = shop.sale()
    shop.refund_one_coat(sale)
    state = ask(shop, token, kind="personal", title="王芳", email="wf@example.com").json()
    assert state["total_fen"] == 117800 - 45900
    assert state["lines"] == [
        {"rate_bp": 600, "gross_fen": 26000, "vat_fen": 1472},
        {"rate_bp": 1300, "gross_fen": 45900, "vat_fen": 10561 - 5281},
    ]
    assert state["reversals"] == []  # asked after the refund: nothing to reverse


class Flaky:
    """The provider behind a link that drops the first `drops` calls after sending them."""

    def __init__(self, real: Any, drops: int) -> None:
        self.real, self.drops = real, drops

    def issue(self, request: dict[str, Any]) -> Any:
        from cloud.fapiao.provider import ProviderUnreachable

        out = self.real.issue(request)  # the provider did issue it: only the answer is lost
        if self.drops:
            self.drops -= 1
            raise ProviderUnreachable("ReadTimeout")
        return out

    def reverse(self, number: str, request: dict[str, Any]) -> Any:
        return self.real.reverse(number, request)


def test_a_lost_answer_stays_pending_and_the_retry_makes_no_second_invoice(
    shop: Shop, provider: FapiaoEmulator
) -> None:
    desk = shop.cloud.service.fapiao
    desk.provider = Flaky(desk.provider, drops=1)
    _sale, token = shop.sale()
    first = ask(shop, token, kind="personal", title="王芳", phone="13800138000")
    assert first.status_code == 202
    assert (first.json()["state"], first.json()["state_zh"]) == ("pending", "申请中")
    # the next look sends it again under the same request id: the provider's one invoice
    page = httpx.get(f"{shop.cloud.url}/r/{token}", timeout=15).text
    assert "已开具" in page
    assert len(provider.invoices()) == 1
