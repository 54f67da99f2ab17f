"""`make soak`: the long durability and hostile-world run; writes benchmarks/SOAK.md + .json.

    python -m benchmarks.soak [--kills 200] [--cuts 15] [--events 10000] [--quick]

--quick (or GUITAI_BENCH_QUICK=1): 20 kills, 3 power cuts per mode (the control cuts on, to 12, until it loses a sale), 500 events, and the fault
matrices left to `make test` (they are ordinary tests there); tests/integration/proof runs this version.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.__main__ import machine, report_folder

HERE = Path(__file__).resolve().parent.parent


def _guard(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except Exception as err:  # one broken scenario must not hide the others' results
        return {"error": f"{type(err).__name__}: {err}", "trace": traceback.format_exc()}


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from . import clockjump, crash, diskfull, matrices, network, powerloss

    out: dict[str, Any] = {}
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("crash", lambda: crash.run(work / "crash", args.kills)),
        (
            "power_loss",
            lambda: [asdict(r) for r in powerloss.run(work / "power", args.cuts)],
        ),
        ("network", lambda: network.run(work / "net", args.events)),
        ("disk", lambda: diskfull.run(work / "disk")),
        ("clock", lambda: clockjump.run(work / "clock")),
    ]
    if not args.quick:
        steps.append(("fault_matrices", lambda: matrices.run(work / "matrices")))
    for name, fn in steps:
        t = time.monotonic()
        out[name] = _guard(fn)
        print(f"soak {name}: {time.monotonic() - t:.0f} s", flush=True)
    return out


def verdicts(r: dict[str, Any]) -> dict[str, bool]:
    v: dict[str, bool] = {}
    if "crash" in r:
        v["crash"] = bool(r["crash"].get("ok"))
        if "receipts" in r["crash"]:
            v["crash_receipts_printed_or_listed"] = bool(r["crash"]["receipts"].get("ok"))
    if isinstance(r.get("power_loss"), list):
        modes = {m["synchronous"]: m for m in r["power_loss"]}
        full, normal = modes.get("FULL", {}), modes.get("NORMAL", {})
        v["power_loss_full_keeps_every_sale"] = (
            full.get("acknowledged_lost_runs") == 0
            and full.get("integrity_failures") == 0
            and not full.get("other_problems")
        )
        v["power_loss_normal_control_loses_sales"] = normal.get("acknowledged_lost_runs", 0) > 0
    else:
        v["power_loss"] = False
    if "network" in r:
        v["network_exactly_once"] = bool(r["network"].get("exactly_once"))
    if "disk" in r:
        v["disk_full_and_read_only"] = bool(r["disk"].get("ok"))
    if "clock" in r:
        v["clock_jumps"] = bool(r["clock"].get("ok"))
    if "fault_matrices" in r:
        fm = r["fault_matrices"]
        v["fault_matrices"] = "error" not in fm and all(
            m["cases"] > 0 and not m["failed"] and m["exit_code"] == 0 for m in fm.values()
        )
    return v


def to_markdown(info: dict[str, Any], r: dict[str, Any], v: dict[str, bool]) -> str:
    lines = [
        "# Guitai soak report" + (" (quick)" if info.get("mode") == "quick" else ""),
        "",
        "Machine: " + ", ".join(f"{k} {x}" for k, x in info.items()),
        "",
        "| check | outcome |",
        "|---|---|",
        *[f"| {k} | {'pass' if ok else '**FAIL**'} |" for k, ok in v.items()],
        "",
    ]
    c = r.get("crash", {})
    if "kills" in c:
        lines += [
            "## Crash safety (SIGKILL during selling, refunds and Z closes)",
            "",
            f"{c['kills']} kills; highest acknowledged receipt {c['acknowledged_receipt_max']}; "
            f"{c['sales_in_db']} sales and refunds in the database ({c['refunds_in_db']} refunds, "
            f"{c['z_closes_in_db']} Z closes); problems: {c['problems'] or 'none'}. After every "
            "kill: quick_check, receipt numbers gap-free, every acknowledged receipt present, an "
            "outbox event for every journal entry, outbox seq gap-free; the journal chain "
            "verified every tenth kill and at the end.",
            "",
        ]
        cr = c.get("receipts", {})
        if "kills" in cr:
            lines += [
                f"Receipts (a printing till, virtual printer on loopback): {cr['kills']} kills, "
                f"{cr['kills_after_commit']} of them between a sale's commit and its receipt; "
                f"after the restart {cr['receipts']} sales and refunds: {cr['printed']} printed "
                f"on paper, {cr['listed_unprinted']} listed as not printed (`guitai devices "
                f"jobs`), {len(cr['missing'])} neither; {cr['owed_printed_after_restart']} of "
                f"the {cr['owed_at_kill']} receipts owed at a kill printed at the next start; "
                f"{cr['seconds']} s.",
                "",
            ]
    if isinstance(r.get("power_loss"), list):
        lines += [
            "## Power loss (apsw VFS that keeps only synced writes; the till's own services "
            "run on it through an apsw connection adapter)",
            "",
            "| synchronous | cuts | runs losing acknowledged sales | acknowledged sales "
            "| lost | integrity failures | other problems |",
            "|---|---|---|---|---|---|---|",
        ]
        for m in r["power_loss"]:
            lines.append(
                f"| {m['synchronous']} | {m['cuts']} | {m['acknowledged_lost_runs']} | "
                f"{m['acknowledged_sales']} | {m['lost_sales']} | {m['integrity_failures']} | "
                f"{len(m['other_problems'])} |"
            )
        lines.append("")
    n = r.get("network", {})
    if "events" in n:
        lines += [
            "## Hostile network (tests/support/fault_proxy.py between till and cloud)",
            "",
            f"{n['events']} events ({n['sales_and_refunds']} sales and refunds); cloud holds "
            f"{n['cloud_events']}; missing {n['missing_in_cloud']}, duplicates "
            f"{n['duplicates_in_cloud']}; totals till {n['till_total_fen']} fen = cloud "
            f"{n['cloud_total_fen']} fen; pending {n['pending']}, dead letters "
            f"{n['dead_letters']}; {n['seconds']} s. Faults injected: "
            + ", ".join(f"{k} {x}" for k, x in sorted(n["faults"].items())),
            "",
        ]
    d = r.get("disk", {})
    if "method" in d:
        lines += [
            "## Disk full and read-only database",
            "",
            f"Method: {d['method']}. {d['sales_until_full']} sales until the disk was full; "
            f"error: “{d['full_error_en']}” / “{d['full_error_zh']}”; half-written sales "
            f"{d['half_written_sales']}; retry while full refused: "
            f"{d['retry_while_full_refused']}; sales after space returned "
            f"{d['sales_after_space_returned']}. Read-only: “{d['read_only_error_en']}” / "
            f"“{d['read_only_error_zh']}”; sales once writable again "
            f"{d['sales_after_read_write_again']}. integrity_check {d['integrity']}, journal "
            f"problems {d['problems'] or 'none'}.",
            "",
        ]
    k = r.get("clock", {})
    if "jumps" in k:
        lines += [
            "## Clock jumps (ManualClock)",
            "",
            f"Jumps: {', '.join(k['jumps'])}. {k['sales_and_refunds']} sales and refunds; "
            f"business days {k['business_days']}; receipts in commit order "
            f"{k['receipts_in_commit_order']}; every sale on its shift's day "
            f"{k['days_follow_shift']}; journal problems {k['problems'] or 'none'}; "
            f"{k['events']} events synced exactly once {k['synced_exactly_once']}.",
            "",
        ]
    fm = r.get("fault_matrices", {})
    if fm and "error" not in fm:
        lines += ["## Printer and terminal fault matrices", ""]
        for name, m in fm.items():
            lines.append(
                f"- {name} ({m['file']}): {m['cases']} cases, {m['passed']} passed, "
                f"{len(m['failed'])} failed {m['failed'] or ''}, {m['skipped']} skipped"
            )
        lines.append("")
    for name, x in r.items():
        if isinstance(x, dict) and "error" in x:
            lines += [f"## {name}: failed", "", "```", x["trace"][-3000:], "```", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None, out_dir: Path | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--kills", type=int, default=200)
    ap.add_argument("--cuts", type=int, default=15)
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    if args.quick or os.environ.get("GUITAI_BENCH_QUICK") == "1":
        args.quick = True
        args.kills, args.cuts, args.events = min(args.kills, 20), min(args.cuts, 3), 500
    os.environ.setdefault("GUITAI_SCRYPT_N", "4096")
    logging.getLogger("sync").setLevel(logging.CRITICAL)  # the proxy's faults are expected
    out_dir = out_dir or Path(os.environ.get("GUITAI_SOAK_OUT", HERE))
    if not report_folder(out_dir, "GUITAI_SOAK_OUT"):
        return 2
    info = machine()
    info["mode"] = "quick" if args.quick else "full"
    work = Path(tempfile.mkdtemp(prefix="guitai-soak-"))
    try:
        results = run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    v = verdicts(results)
    (out_dir / "SOAK.json").write_text(
        json.dumps(
            {"machine": info, "verdicts": v, "results": results},
            ensure_ascii=False,
            indent=2,
            default=str,
        )
    )
    (out_dir / "SOAK.md").write_text(to_markdown(info, results, v), "utf-8")
    print(f"wrote {out_dir / 'SOAK.md'}")
    return 0 if v and all(v.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
