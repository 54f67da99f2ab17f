#!/usr/bin/env bash
# `make package`: the PyInstaller one-folder build of the till, then the .deb around it.
# Usage: packaging/build.sh [PYTHON]   (PYTHON: the venv's python with pyinstaller installed)
# Output: dist/guitai/ (the one-folder build) and dist/guitai_<version>_<arch>.deb
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${1:-${PYTHON:-$ROOT/.venv/bin/python}}"
DIST="${DIST:-$ROOT/dist}"
WORK="${WORK:-$ROOT/build/pyinstaller}"

cd "$ROOT"
# This checkout's code, even when the venv has another checkout installed in editable mode.
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" packaging/guitai.spec
mid=$(date +%s)
echo "pyinstaller: $((mid - start)) s, $(du -sh "$DIST/guitai" | cut -f1) in $DIST/guitai"
bash packaging/build_deb.sh "$DIST/guitai" "$DIST"
end=$(date +%s)
echo "package: $((end - start)) s in all"
