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
import time
import traceback
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
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "memory": mem,
        "sqlite": sqlite3.sqlite_version,
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


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


def to_markdown(info: dict[str, Any], results: dict[str, Any]) -> str:
    out = [
        "# Guitai benchmark report",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()),
        "",
    ]
    for name, r in results.items():
        out += [f"## {name}", ""]
        if "error" in r:
            out += [f"**failed**: {r['error']}", ""]
            continue
        figures = dict(r["figures"])
        targets = figures.pop("targets", {})
        out += ["| figure | value | target | met |", "|---|---|---|---|"]
        for k, v in figures.items():
            t = targets.get(k, {})
            val = f"{v:.3f}" if isinstance(v, float) else str(v)
            met = "" if not t else ("yes" if t.get("met") else "**no**")
            out.append(f"| {k} | {val} | {t.get('target', '')} | {met} |")
        out.append("")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    names = argv or sorted(p.stem for p in HERE.glob("bench_*.py"))
    info = machine()
    results = run_all(names)
    (HERE / "REPORT.json").write_text(
        json.dumps({"machine": info, "results": results}, ensure_ascii=False, indent=2, default=str)
    )
    (HERE / "REPORT.md").write_text(to_markdown(info, results), "utf-8")
    print(f"wrote {HERE / 'REPORT.md'}")
    return 1 if any("error" in r for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
