"""The printer and payment-terminal fault matrices, run through their own test machinery
(tests/integration/drivers/test_drivers_faults.py against the ESC/POS emulator; tests/integration/payments/
test_payments_fault_matrix.py against the ZVT/WeChat/Alipay emulators), counted per case."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from .common import PYTHON, ROOT, child_env

MATRICES = {
    "printer": "tests/integration/drivers/test_drivers_faults.py",
    "terminal": "tests/integration/payments/test_payments_fault_matrix.py",
}


def run_one(name: str, path: str, work: Path) -> dict[str, Any]:
    xml = work / f"{name}.xml"
    env = child_env()
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    proc = subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={xml}", path],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    cases = []
    if xml.exists():
        for tc in ET.parse(xml).getroot().iter("testcase"):
            outcome = "passed"
            for child in tc:
                if child.tag in ("failure", "error"):
                    outcome = "failed"
                elif child.tag == "skipped":
                    outcome = "skipped"
            cases.append({"case": tc.get("name", ""), "outcome": outcome})
    return {
        "file": path,
        "cases": len(cases),
        "passed": sum(c["outcome"] == "passed" for c in cases),
        "failed": [c["case"] for c in cases if c["outcome"] == "failed"],
        "skipped": sum(c["outcome"] == "skipped" for c in cases),
        "case_names": [c["case"] for c in cases],
        "exit_code": proc.returncode,
        "tail": proc.stdout[-600:] if proc.returncode else "",
    }


def run(work: Path) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    return {name: run_one(name, path, work) for name, path in MATRICES.items()}
