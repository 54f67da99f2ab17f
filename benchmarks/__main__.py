"""`make bench`: run every benchmark script and write benchmarks/REPORT.md and REPORT.json.

Each `benchmarks/bench_*.py` has a `main()` returning a dict of figures (and, where it has
targets, a "targets" dict of {figure: {"target", "met"}}).  GUITAI_BENCH_QUICK=1 runs them
with small data (the short version that `make test` can afford).
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def machine() -> dict[str, Any]:
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = f.readline().split(":")[1].strip()
    except OSError:
        pass
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu
            )
    except OSError:
        pass
    return {
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "memory": mem,
        "sqlite": sqlite3.sqlite_version,
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def report_folder(path: Path, variable: str) -> bool:
    """Create the folder the report goes to and prove it writable, before minutes of
    measuring that a failing write at the end would throw away.  False, after saying so in
    both languages on standard error, when it cannot be used."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".guitai-write-check-"):
            pass
    except OSError as err:
        reason = err.strerror or str(err)
        print(
            f"错误：无法创建或写入报告文件夹 {path}（{reason}）：请把 {variable} 设为可写的"
            f"文件夹，或修正其权限后重试；尚未运行任何测量\n"
            f"error: cannot create or write the report folder {path} ({reason}): set "
            f"{variable} to a writable folder or fix its permissions, then run again; nothing "
            "was measured",
            file=sys.stderr,
        )
        return False
    return True


def run_all(names: list[str]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name in names:
        mod = importlib.import_module(f"benchmarks.{name}")
        t = time.perf_counter()
        try:
            figures = mod.main()
            results[name] = {"figures": figures, "seconds": time.perf_counter() - t}
        except Exception as err:  # one broken benchmark must not hide the others' figures
            results[name] = {
                "error": f"{type(err).__name__}: {err}",
                "trace": traceback.format_exc(),
            }
        print(f"{name}: {'error' if 'error' in results[name] else 'ok'}", flush=True)
    return results


# Targets for figures whose benchmark predates the common "targets" shape (issue 10 asks
# for every figure with its target in one report).
EXTRA_TARGETS: dict[str, dict[str, tuple[str, Callable[[float], bool]]]] = {
    "bench_sync": {
        "events_per_s": (">= 2000 events/s", lambda v: v >= 2000),
        "memory_growth_ratio": ("< 1.5 (memory flat as the backlog grows 5x)", lambda v: v < 1.5),
    },
    "bench_receipts": {
        "render_ms.escpos_text_native_qr_80": ("< 5 ms", lambda v: v < 5),
        "bytes.text_native_qr_80": ("< 2500 bytes", lambda v: v < 2500),
    },
    "bench_catalog": {
        "startup.ratio": ("< 1.2 (500k vs 5k SKUs)", lambda v: v < 1.2),
        "scan.p99_ms": ("< 2 ms", lambda v: v < 2),
    },
}


def flatten(figures: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in figures.items():
        if k in ("targets", "targets_met") and not prefix:
            continue
        if isinstance(v, dict):
            out.update(flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def normalise_targets(name: str, figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every benchmark's targets as {figure: {"target": text, "met": bool}}."""
    flat = flatten(figures)
    targets: dict[str, dict[str, Any]] = {}
    for k, t in (figures.get("targets") or {}).items():
        if isinstance(t, dict):
            targets[k] = {"target": t.get("target", ""), "met": bool(t.get("met"))}
        elif isinstance(t, int | float) and isinstance(flat.get(k), int | float):
            targets[k] = {"target": f"< {t}", "met": flat[k] < t}
    for k, (label, ok) in EXTRA_TARGETS.get(name, {}).items():
        if k not in targets and isinstance(flat.get(k), int | float):
            targets[k] = {"target": label, "met": bool(ok(flat[k]))}
    return targets


def summary(results: dict[str, Any]) -> list[str]:
    out = [
        "## Targets",
        "",
        "| benchmark | figure | value | target | met |",
        "|---|---|---|---|---|",
    ]
    for name, r in results.items():
        if "error" in r:
            out.append(f"| {name} | — | failed: {r['error']} | | **no** |")
            continue
        flat = flatten(r["figures"])
        for k, t in normalise_targets(name, r["figures"]).items():
            v = flat.get(k, "")
            val = f"{v:.3f}" if isinstance(v, float) else str(v)
            out.append(
                f"| {name} | {k} | {val} | {t['target']} | {'yes' if t['met'] else '**no**'} |"
            )
    return [*out, ""]


def to_markdown(info: dict[str, Any], results: dict[str, Any]) -> str:
    quick = os.environ.get("GUITAI_BENCH_QUICK") == "1"
    out = [
        "# Guitai benchmark report"
        + (" (quick mode: small sizes, figures not comparable)" if quick else ""),
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()),
        "",
        "Ratios (`*_ratio`, `*_vs_*`) compare with a baseline measured in the same run.",
        "",
        *summary(results),
    ]
    for name, r in results.items():
        out += [f"## {name}", ""]
        if "error" in r:
            out += [f"**failed**: {r['error']}", ""]
            continue
        targets = normalise_targets(name, r["figures"])
        figures = flatten(r["figures"])
        out += ["| figure | value | target | met |", "|---|---|---|---|"]
        for k, v in figures.items():
            t = targets.get(k, {})
            val = f"{v:.3f}" if isinstance(v, float) else str(v)
            met = "" if not t else ("yes" if t.get("met") else "**no**")
            out.append(f"| {k} | {val} | {t.get('target', '')} | {met} |")
        out.append("")
    return "\n".join(out)


def main(argv: list[str], out_dir: Path | None = None) -> int:
    names = argv or sorted(p.stem for p in HERE.glob("bench_*.py"))
    out_dir = out_dir or Path(os.environ.get("GUITAI_BENCH_OUT", HERE))
    if not report_folder(out_dir, "GUITAI_BENCH_OUT"):
        return 2
    info = machine()
    info["mode"] = "quick" if os.environ.get("GUITAI_BENCH_QUICK") == "1" else "full"
    results = run_all(names)
    for name, r in results.items():
        if "figures" in r:
            r["targets"] = normalise_targets(name, r["figures"])
    (out_dir / "REPORT.json").write_text(
        json.dumps({"machine": info, "results": results}, ensure_ascii=False, indent=2, default=str)
    )
    (out_dir / "REPORT.md").write_text(to_markdown(info, results), "utf-8")
    print(f"wrote {out_dir / 'REPORT.md'}")
    return 1 if any("error" in r for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
