"""Fuzz target: catalog_csv (see fuzz/targets.py).  python fuzz/fuzz_catalog_csv.py -max_total_time=60"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz.targets import run_atheris

if __name__ == "__main__":
    run_atheris("catalog_csv")
