"""Fuzz target: alipay_json (see fuzz/targets.py).  python fuzz/fuzz_alipay_json.py -max_total_time=60"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz.targets import run_atheris

if __name__ == "__main__":
    run_atheris("alipay_json")
