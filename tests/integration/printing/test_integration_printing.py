"""The whole till against the virtual printer: a sale prints a Chinese receipt whose QR
decodes and verifies; the drawer opens for cash; paper out never touches the sale and the
reprint works once the roll is replaced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from driver_fixtures import vprinter  # noqa: F401 (PNG-rendering, not the conftest's)
from printer_kit import cli, print_on

from drivers.escpos.emulator.printer import VirtualPrinter


def test_sale_prints_and_reprints(
    till_home: Path,
    vprinter: VirtualPrinter,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    # a real drawer is pushed shut by the cashier after each sale
    vprinter.set(auto_close_drawer=True)
    port = vprinter.serve_tcp(0)
    rc, _, err = cli(
        till_home,
        capsys,
        "devices",
        "add",
        "front",
        "--kind",
        "printer",
        "--uri",
        f"tcp://127.0.0.1:{port}",
    )
    assert rc == 0, err
    vprinter.wait_for_jobs(1)  # the test page printed while adding
    assert cli(till_home, capsys, "shift", "open", "--user", "admin", "--float", "100")[0] == 0
    rc, out, err = cli(
        till_home,
        capsys,
        "sale",
        "--user",
        "admin",
        "--scan",
        "6901234567892",
        "--pay",
        "cash:300",
        "--json",
    )
    assert rc == 0, err
    sale = json.loads(out)
    job = vprinter.wait_for_jobs(2)[-1]
    text = "\n".join(job["text_lines"])
    assert "男士羊毛夹克" in text and "静安嘉里店" in text
    assert len(vprinter.kicks) == 1  # cash sale: the drawer opened
    url = (job["qr"] or job["qr_native"])[0]
    rc, out, _ = cli(till_home, capsys, "receipt", "verify", url, "--json")
    v = json.loads(out)
    assert rc == 0 and v["receipt_no"] == sale["receipt_no"] and v["local_sale"]["matches"]

    vprinter.set(paper_out=True)
    rc, out, err = cli(
        till_home,
        capsys,
        "sale",
        "--user",
        "admin",
        "--scan",
        "6901234567908",
        "--pay",
        "cash:100",
        "--json",
    )
    assert rc == 0, err  # the paid sale stands
    assert "纸" in err and "Reprint" in err, (out, err)
    second = json.loads(out)["receipt_no"]
    rc, out, _ = cli(till_home, capsys, "sales", "show", str(second), "--json")
    assert rc == 0 and json.loads(out)["receipt_no"] == second
    vprinter.clear_faults()
    rc, out, err = cli(till_home, capsys, "receipt", "print", str(second), "--json")
    assert rc == 0, err
    assert json.loads(out)["state"] == "done"
    reprint = vprinter.jobs[-1]
    assert any("重印" in line for line in reprint["text_lines"])
    assert cli(till_home, capsys, "journal", "verify")[0] == 0


def test_no_sale_and_pay_out_open_the_drawer_and_count_on_the_z_report(
    till_home: Path,
    vprinter: VirtualPrinter,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    vprinter.set(auto_close_drawer=True)
    print_on(vprinter, till_home, capsys)
    assert cli(till_home, capsys, "shift", "no-sale", "--user", "admin")[0] == 0
    assert (
        cli(till_home, capsys, "shift", "pay-out", "20", "--user", "admin", "--reason", "快递费")[0]
        == 0
    )
    assert cli(till_home, capsys, "drawer", "open", "--user", "admin")[0] == 0
    assert len(vprinter.kicks) == 3
    rc, out, _ = cli(till_home, capsys, "report", "x", "--json")
    assert rc == 0
    x = json.loads(out)
    assert x["cash"]["no_sale_opens"] == 2 and x["cash"]["pay_out_fen"] == 2000

    # the X on paper on demand; the Z prints by itself when the day is closed
    before = len(vprinter.jobs)
    rc, out, err = cli(till_home, capsys, "report", "x", "--print")
    assert rc == 0, err
    xjob = vprinter.wait_for_jobs(before + 1)[-1]
    xtext = "\n".join(xjob["text_lines"])
    assert "交班报表 (X)" in xtext and "应有现金" in xtext and "-20.00" in xtext
    assert "交班报表 (X)" in out  # the screen shows what the paper shows
    rc, out, err = cli(till_home, capsys, "shift", "close", "--user", "admin", "--counted", "80")
    assert rc == 0, err
    zjob = vprinter.wait_for_jobs(before + 2)[-1]
    ztext = "\n".join(zjob["text_lines"])
    assert "日结报表 (Z)" in ztext and "实点现金" in ztext and "库存调整" in ztext
    assert "重印" not in ztext
    assert "日结报表 (Z)" in out and "长短款" in out
    day = x["business_day"]
    rc, out, err = cli(till_home, capsys, "report", "z", "--day", day, "--print")
    assert rc == 0, err
    again = vprinter.wait_for_jobs(before + 3)[-1]
    assert any("重印" in line for line in again["text_lines"])
    rc, out, _ = cli(till_home, capsys, "devices", "jobs", "--all", "--json")
    refs = [j["ref"] for j in json.loads(out) if j["kind"] == "report"]
    assert sorted(refs) == ["X1", "Z1", "Z1"]
