"""pyproject.toml builds without setuptools' deprecation warnings (`make demo` printed
"`project.license` as a TOML table is deprecated" three times, once per build step)."""

from __future__ import annotations

import re
import tomllib

import paths

ROOT = paths.ROOT


def test_license_is_an_spdx_string_and_the_backend_understands_it() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    license_ = meta["project"]["license"]
    # PEP 639: a string is an SPDX expression; a private licence is LicenseRef-<name>.
    assert isinstance(license_, str) and re.fullmatch(r"LicenseRef-[A-Za-z0-9.-]+", license_)
    # setuptools reads an SPDX string from 77.0.0 on; an older backend rejects it.
    (req,) = [r for r in meta["build-system"]["requires"] if r.startswith("setuptools")]
    m = re.fullmatch(r"setuptools>=(\d+)(?:\.\d+)*", req)
    assert m and int(m.group(1)) >= 77, req
