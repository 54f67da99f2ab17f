"""The atheris targets of fuzz/ under hypothesis, a bounded number of examples each (the
long coverage-guided runs are `python fuzz/fuzz_<name>.py -max_total_time=N`).  A target
raises only for a real bug: its parser's documented refusals are the right answer."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fuzz.targets import TARGETS

FAST = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))

SEEDS = {
    "zvt": [bytes.fromhex("040f00"), bytes.fromhex("0600"), bytes.fromhex("10020400001003")],
    "wechat_xml": [b"<xml><return_code>SUCCESS</return_code></xml>", b"<xml><a>"],
    "alipay_json": [b'{"alipay_trade_pay_response":{"code":"10000"},"sign":"x"}', b"{"],
    "catalog_csv": [
        "sku,style,name,price,barcode\nA1,S1,衬衫,99.00,6901234567892\n".encode(),
        "\ufeffsku,price\nA,abc\n".encode(),
        "货号,价格\n".encode("gb18030"),
        b"\xef",  # a lone BOM prefix: CPython's utf-8-sig decoder passes it when final
        b"\xef\xbb",
    ],
    "ereceipt_token": [b"AAAA", b"https://r.example/R/" + b"A" * 60],
    "scanner": [b"6901234567892\r", b"\x02M123456\r"],
    "escpos_status": [b"\x16\x12\x12\x12", b"\xff\x00"],
}


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_fuzz_target_under_hypothesis(name: str) -> None:
    target = TARGETS[name]

    @FAST
    @given(st.binary(max_size=2048))
    def run(data: bytes) -> None:
        target(data)

    for seed in SEEDS.get(name, []):
        run = example(seed)(run)
    run()


def test_structured_csv_rows_never_crash_the_importer() -> None:
    cell = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)

    @FAST
    @given(st.lists(st.lists(cell, min_size=1, max_size=8), max_size=20))
    def run(rows: list[list[str]]) -> None:
        import csv
        import io

        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["sku", "style", "name", "price", "barcode", "category", "vat"])
        w.writerows(rows)
        TARGETS["catalog_csv"](buf.getvalue().encode())

    run()
