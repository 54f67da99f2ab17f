# Guitai: two commands on a fresh machine.  `make demo` runs the till against emulated devices,
# `make test` runs every check.  Both create .venv and install what they need first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export PYTHONDONTWRITEBYTECODE := 1

.PHONY: all setup system-deps test check lint typecheck contracts unit fast demo bench soak package clean

all: test

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

setup: system-deps $(STAMP)

# Debian packages the checks need (a CJK font for receipts and the till, Chromium for the
# e-receipt page, PostgreSQL for the cloud's second backend, libusb for pyusb).
system-deps:
	@bash scripts/system-deps.sh

# The fast tier: tests of pure code (domain rules, receipt rendering, tokens) that need no till
# folder, database, subprocess, server or Qt; about 10 s.  They also run in `make unit`.
FAST_TESTS := \
	tests/foundation/test_money.py \
	tests/foundation/test_sale_domain.py \
	tests/foundation/test_sale_limits_domain.py \
	tests/foundation/test_returns_domain.py \
	tests/catalog/test_catalog_barcodes.py \
	tests/members/test_members_engine.py \
	tests/stock/test_stock_domain.py \
	tests/sync/test_sync_public_keys.py \
	tests/receipts/test_receipts_document.py \
	tests/receipts/test_receipts_layout.py \
	tests/receipts/test_receipts_paper_layout.py \
	tests/receipts/test_receipts_properties.py \
	tests/receipts/test_receipts_shift_report.py \
	tests/receipts/test_receipts_token.py \
	tests/receipts/test_receipts_escpos.py \
	tests/receipts/test_receipts_golden.py \
	tests/receipts/test_receipts_qr_scan.py \
	tests/docs/test_project_metadata.py \
	tests/docs/test_fast_tier.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider --ignore=tests/ui
	# The Qt till in a process of its own: no device, server or payment threads left over from
	# the other suites share its interpreter while Qt processes events.
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider tests/ui

test: setup lint typecheck contracts unit

# The inner loop, under a minute: lint, types, import contracts and the fast tier.
check: lint typecheck contracts fast

fast: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider $(FAST_TESTS)

demo: setup
	$(BIN)/python -m pos_app.demo

bench: setup
	$(BIN)/python -m benchmarks

soak: setup
	$(BIN)/python -m benchmarks.soak

# The store PC's artifacts: dist/guitai/ (PyInstaller one-folder build, no Python needed) and
# dist/guitai_<version>_<arch>.deb (/opt/guitai, systemd service, udev rules).  About 35 s on
# 2 cores; docs/operations.md.
package: $(STAMP)
	bash packaging/build.sh $(abspath $(BIN)/python)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
