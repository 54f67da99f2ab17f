"""The store PC's artifacts.  The unit file and udev rules are checked from packaging/ always;
the PyInstaller build and the .deb are built once per test session (about 35 s on 2 cores,
docs/operations.md) unless GUITAI_PACKAGE_DIST names a folder holding them (`make package`
output: dist/guitai/ and dist/guitai_*.deb).  Without PyInstaller or dpkg-deb the build tests
are skipped, saying why."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import paths
import pytest

ROOT = paths.ROOT
PKG = ROOT / "packaging"
SERVICE = PKG / "systemd" / "guitai.service"
RULES = PKG / "udev" / "60-guitai.rules"


# ---- the service file and udev rules (no build needed) ----------------------------------------


def _systemd_verify(unit: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )


def _unit_with_exec(tmp_path: Path, source: Path, exe: Path) -> Path:
    unit = tmp_path / "units" / "guitai.service"
    unit.parent.mkdir(exist_ok=True)
    unit.write_text(source.read_text("utf-8").replace("/opt/guitai/guitai", str(exe)), "utf-8")
    return unit


def _unit_sections(text: str) -> dict[str, dict[str, list[str]]]:
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if m := re.fullmatch(r"\[(\w+)\]", line):
            current = sections.setdefault(m.group(1), {})
            continue
        assert current is not None and "=" in line, f"line {n}: {raw!r}"
        key, value = line.split("=", 1)
        current.setdefault(key, []).append(value)
    return sections


def test_service_file_runs_the_kiosk_and_restarts(tmp_path: Path) -> None:
    s = _unit_sections(SERVICE.read_text("utf-8"))
    svc = s["Service"]
    assert svc["ExecStart"] == ["/opt/guitai/guitai run --kiosk"]
    assert svc["Restart"] == ["always"] and svc["User"] == ["guitai"]
    assert "GUITAI_HOME=/var/lib/guitai" in svc["Environment"]
    assert s["Unit"]["StartLimitIntervalSec"] == ["0"]
    assert s["Install"]["WantedBy"] == ["multi-user.target"]
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed: checked by the parser above only")
    fake = tmp_path / "guitai"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    r = _systemd_verify(_unit_with_exec(tmp_path, SERVICE, fake))
    assert r.returncode == 0 and r.stderr.strip() == "", r.stderr


def test_systemd_verify_would_catch_a_mistake(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    bad = tmp_path / "bad.service"
    bad.write_text(SERVICE.read_text("utf-8").replace("Restart=always", "Restartt=always"))
    fake = tmp_path / "guitai"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    r = _systemd_verify(_unit_with_exec(tmp_path, bad, fake))
    assert "Restartt" in r.stderr


# udev rule syntax (udev(7)): comma-separated KEY{attr}OP"value"; match keys use == / !=,
# assignment keys = += -= :=.  Debian 12's systemd 252 has no `udevadm verify` (254+).
_MATCH = {"ACTION", "SUBSYSTEM", "SUBSYSTEMS", "KERNEL", "KERNELS", "DRIVER", "DRIVERS"}
_MATCH_ATTR = {"ATTR", "ATTRS", "ENV"}
_ASSIGN = {"MODE", "GROUP", "OWNER", "SYMLINK", "TAG", "GOTO", "RUN"}
_ITEM = re.compile(r'\s*([A-Z]+)(?:\{([A-Za-z0-9_]+)\})?\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*')


def parse_udev(text: str) -> list[list[tuple[str, str | None, str, str]]]:
    rules = []
    labels, gotos = set(), set()
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        items = []
        for part in line.split(","):
            m = _ITEM.fullmatch(part)
            assert m, f"line {n}: cannot parse {part!r}"
            key, attr, op, value = m.groups()
            if key == "LABEL":
                labels.add(value)
            elif key in _MATCH or (key in _MATCH_ATTR and op in ("==", "!=")):
                assert op in ("==", "!="), f"line {n}: {key} needs == or !="
                assert (attr is not None) == (key in _MATCH_ATTR), f"line {n}: {key}{{…}}"
            elif key in _ASSIGN or key == "ENV":
                assert op in ("=", "+=", "-=", ":="), f"line {n}: {key} is assigned, not matched"
                if key == "GOTO":
                    gotos.add(value)
                if key == "MODE":
                    assert re.fullmatch(r"0[0-7]{3}", value) and value[-1] in "04", (
                        f"line {n}: mode {value}: never world-writable"
                    )
            else:
                raise AssertionError(f"line {n}: unknown key {key}")
            items.append((key, attr, op, value))
        rules.append(items)
    assert gotos <= labels, f"GOTO without LABEL: {gotos - labels}"
    return rules


def test_udev_rules_parse_and_cover_every_known_printer_maker() -> None:
    from drivers.escpos.discovery import PRINTER_VENDORS

    rules = parse_udev(RULES.read_text("utf-8"))
    vendors = {
        v for r in rules for (k, a, op, v) in r if k == "ATTR" and a == "idVendor" and op == "=="
    }
    assert {f"{vid:04x}" for vid in PRINTER_VENDORS} <= vendors
    groups = {v for r in rules for (k, _a, _op, v) in r if k == "GROUP"}
    assert groups == {"lp", "dialout"}  # the groups postinst puts the guitai user in
    postinst = (PKG / "debian" / "postinst").read_text()
    assert all(g in postinst for g in groups)


def test_the_udev_parser_rejects_mistakes() -> None:
    for bad in (
        'SUBSYSTEM="usb", MODE="0660"',  # assignment where a match was meant
        'SUBSYSTEM=="usb", MODE=="0660"',
        'SUBSYSTEM=="usb", ATTR{idVendor}=="04b8", MODE="0666"',
        'SUBSYSTEM=="usb" MODE="0660"',
        'SUBSYSTEM=="usb", GOTO="nowhere"',
    ):
        with pytest.raises(AssertionError):
            parse_udev(bad)


def test_maintainer_scripts_are_valid_shell() -> None:
    for name in ("postinst", "prerm", "postrm"):
        script = PKG / "debian" / name
        assert os.access(script, os.X_OK), name
        r = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, (name, r.stderr)
    r = subprocess.run(
        ["sh", "-n", str(PKG / "guitai-wrapper.sh")], capture_output=True, timeout=30
    )
    assert r.returncode == 0


# ---- the build ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(one-folder build, .deb): given by GUITAI_PACKAGE_DIST, else built once here."""
    given = os.environ.get("GUITAI_PACKAGE_DIST")
    if given:
        dist = Path(given)
    else:
        if shutil.which("dpkg-deb") is None:
            pytest.skip("dpkg-deb is not installed (Debian's dpkg)")
        try:
            import PyInstaller  # noqa: F401
        except ImportError:
            pytest.skip("PyInstaller is not installed: pip install -e '.[dev]'")
        dist = tmp_path_factory.mktemp("dist")
        work = tmp_path_factory.mktemp("pyi-work")
        env = dict(os.environ, DIST=str(dist), WORK=str(work))
        r = subprocess.run(
            ["bash", str(PKG / "build.sh"), sys.executable],
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
        )
        assert r.returncode == 0, r.stdout + r.stderr
    debs = sorted(dist.glob("guitai_*.deb"))
    assert (dist / "guitai" / "guitai").is_file() and len(debs) == 1, list(dist.iterdir())
    yield dist / "guitai", debs[0]


@pytest.fixture(scope="session")
def installed(artifacts: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .deb unpacked as it would land on the store PC (a root folder)."""
    root = tmp_path_factory.mktemp("deb-root")
    subprocess.run(["dpkg-deb", "-x", str(artifacts[1]), str(root)], check=True, timeout=300)
    return root


@pytest.mark.slow
@pytest.mark.timeout(900)  # the first one builds the package (about 35-70 s here)
def test_deb_metadata_and_contents(artifacts: tuple[Path, Path]) -> None:
    from pos_app import __version__

    deb = artifacts[1]
    info = subprocess.run(
        ["dpkg-deb", "-I", str(deb)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    fields = dict(
        re.findall(r"^ (Package|Version|Architecture|Depends|Installed-Size): (.*)$", info, re.M)
    )
    assert fields["Package"] == "guitai" and fields["Version"] == __version__
    depends = {d.strip() for d in fields["Depends"].split(",")}
    assert {"fonts-wqy-microhei", "libusb-1.0-0", "libxcb-cursor0", "adduser"} <= depends
    for script in ("postinst", "prerm", "postrm", "conffiles"):
        assert re.search(rf"\s{script}\b", info), script
    listing = subprocess.run(
        ["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    paths = {line.split()[-1] for line in listing.splitlines()}
    if any(" -> " in line for line in listing.splitlines()):
        paths |= {line.split(" -> ")[0].split()[-1] for line in listing.splitlines()}
    for needed in (
        "./opt/guitai/guitai",
        "./opt/guitai/_internal/escpos/capabilities.json",
        "./opt/guitai/_internal/pos_app/ui/i18n/guitai_zh_CN.qm",
        "./opt/guitai/_internal/PySide6/Qt/plugins/platforms/libqxcb.so",
        "./opt/guitai/_internal/PySide6/Qt/plugins/platforms/libqeglfs.so",
        "./opt/guitai/_internal/PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "./usr/bin/guitai",
        "./lib/systemd/system/guitai.service",
        "./lib/udev/rules.d/60-guitai.rules",
        "./etc/default/guitai",
        "./opt/guitai/docs/operations.md",
    ):
        assert needed in paths, needed
    assert not any("/site-packages/" in p or (p.endswith(".pyc") and "/tests/" in p) for p in paths)
    # Files are root's; nothing is world-writable.
    for line in listing.splitlines():
        mode, owner = line.split()[:2]
        assert owner == "root/root" and (mode[0] == "l" or mode[8] != "w"), line


@pytest.mark.slow
@pytest.mark.timeout(900)  # the first one builds the package (about 35-70 s here)
def test_packaged_unit_and_rules_are_the_checked_ones(installed: Path, tmp_path: Path) -> None:
    unit = installed / "lib/systemd/system/guitai.service"
    assert unit.read_bytes() == SERVICE.read_bytes()
    assert (installed / "lib/udev/rules.d/60-guitai.rules").read_bytes() == RULES.read_bytes()
    if shutil.which("systemd-analyze"):
        r = _systemd_verify(_unit_with_exec(tmp_path, unit, installed / "opt/guitai/guitai"))
        assert r.returncode == 0 and r.stderr.strip() == "", r.stderr


def _frozen_env(tmp_path: Path) -> dict[str, str]:
    """No Python of ours: no PYTHONPATH, no venv on PATH, a plain working folder."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
    }
    return env


@pytest.mark.slow
@pytest.mark.timeout(900)  # the first one builds the package (about 35-70 s here)
def test_bundled_till_answers_version_and_passes_the_selftest(
    installed: Path, tmp_path: Path
) -> None:
    from pos_app import __version__

    exe = installed / "opt/guitai/guitai"
    env = _frozen_env(tmp_path)
    r = subprocess.run(
        [str(exe), "--version"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )
    assert r.returncode == 0 and r.stdout.strip() == f"guitai, version {__version__}", r.stderr
    r = subprocess.run(
        [str(exe), "selftest", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    answer = json.loads(r.stdout)
    checks = {c["check"]: c for c in answer["checks"]}
    assert answer["ok"] and set(checks) >= {
        "database",
        "sale",
        "receipt",
        "qr signature",
        "journal",
        "python-escpos",
        "backup",
        "qt",
    }
    assert checks["qt"]["platform"] == "offscreen"
    # The wrapper points the command at the service's data folder.
    wrapper = (installed / "usr/bin/guitai").read_text()
    assert "GUITAI_HOME:=/var/lib/guitai" in wrapper and "/opt/guitai/guitai" in wrapper


@pytest.mark.slow
@pytest.mark.timeout(900)  # the first one builds the package (about 35-70 s here)
def test_the_till_build_carries_no_cloud_and_no_server_stack(
    artifacts: tuple[Path, Path], installed: Path, tmp_path: Path
) -> None:
    viewer = Path(sys.executable).with_name("pyi-archive_viewer")
    if not viewer.exists():
        pytest.skip("pyi-archive_viewer (PyInstaller) is not installed")
    exe = installed / "opt/guitai/guitai"
    listing = subprocess.run(
        [str(viewer), "--list", "--recursive", "--brief", str(exe)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    modules = {line.strip() for line in listing.splitlines() if line.startswith(" ")}
    assert "pos_app.cli" in modules and "sync.relay" in modules  # the listing is the till's
    server = ("cloud", "fastapi", "pydantic", "pydantic_core", "starlette", "uvicorn", "psycopg")
    server += ("psycopg_binary", "psycopg_pool", "sqlalchemy", "alembic")
    bundled = sorted(m for m in modules if m.split(".")[0] in server)
    assert not bundled, bundled[:10]
    files = [p.name for p in (installed / "opt/guitai/_internal").iterdir()]
    assert not [f for f in files if f.split("-")[0].split(".")[0] in server], files
    # `guitai cloud` in the till's build says where the cloud lives instead of failing
    r = subprocess.run(
        [str(exe), "cloud", "store", "list", "--db", "x.db"],
        capture_output=True,
        text=True,
        env=_frozen_env(tmp_path),
        cwd=tmp_path,
        timeout=120,
    )
    assert r.returncode == 2, r.stdout + r.stderr
    assert "pip install 'guitai[cloud]'" in r.stderr and "属于云端" in r.stderr


@pytest.mark.slow
@pytest.mark.timeout(900)  # the first one builds the package (about 35-70 s here)
def test_bundled_till_sets_up_and_opens_its_window(installed: Path, tmp_path: Path) -> None:
    exe = str(installed / "opt/guitai/guitai")
    env = _frozen_env(tmp_path) | {"GUITAI_SCRYPT_N": "4096"}
    home = str(tmp_path / "till")
    r = subprocess.run(
        [exe, "--home", home, "provision", "--store-id", "S001", "--store-name", "静安嘉里店",
         "--till-no", "3", "--admin-pin", "7391", "--cash-rounding", "jiao", "--json"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    r = subprocess.run(
        [exe, "--home", home, "run", "--quit-after", "300"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "ready: signin screen" in r.stdout


def _stub_bin(tmp_path: Path, user_exists: bool) -> tuple[Path, Path]:
    """Stand-ins for the system tools the maintainer scripts call; each logs its arguments."""
    bindir, log = tmp_path / "bin", tmp_path / "calls.log"
    bindir.mkdir(exist_ok=True)
    for tool in ("adduser", "chown", "udevadm", "systemctl", "runuser"):
        (bindir / tool).write_text(f'#!/bin/sh\necho "{tool} $*" >> "{log}"\n')
    have_user = "0" if user_exists else "2"
    (bindir / "getent").write_text(
        "#!/bin/sh\n"
        f'echo "getent $*" >> "{log}"\n'
        f'[ "$1" = passwd ] && exit {have_user}\n'
        'case "$2" in dialout|lp|video) exit 0;; *) exit 2;; esac\n'
    )
    for p in bindir.iterdir():
        p.chmod(0o755)
    return bindir, log


def test_postinst_creates_the_user_groups_and_data_folder(tmp_path: Path) -> None:
    bindir, log = _stub_bin(tmp_path, user_exists=False)
    root = tmp_path / "root"
    env = {"PATH": f"{bindir}:/usr/bin:/bin", "DPKG_ROOT": str(root)}
    r = subprocess.run(
        ["sh", str(PKG / "debian" / "postinst"), "configure", ""],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    calls = log.read_text().splitlines()
    assert (
        "adduser --system --group --home /var/lib/guitai --no-create-home --gecos Guitai till "
        "--shell /usr/sbin/nologin guitai"
    ) in calls
    assert "adduser guitai dialout" in calls and "adduser guitai lp" in calls
    assert "adduser guitai video" in calls and "adduser guitai input" not in calls
    assert any(c.startswith("udevadm control --reload-rules") for c in calls)
    home = root / "var/lib/guitai"
    assert (home / "backups").is_dir() and (home / "logs").is_dir()
    assert oct(home.stat().st_mode & 0o777) == "0o750"
    assert f"chown guitai:guitai {home} {home}/backups {home}/logs" in calls

    # Upgrade: the user exists, nothing is created twice.
    log.unlink()
    bindir, log = _stub_bin(tmp_path, user_exists=True)
    r = subprocess.run(
        ["sh", str(PKG / "debian" / "postinst"), "configure", "0.0.9"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert not any(c.startswith("adduser --system") for c in log.read_text().splitlines())


def test_prerm_backs_up_before_an_upgrade_and_postrm_keeps_the_data(tmp_path: Path) -> None:
    bindir, log = _stub_bin(tmp_path, user_exists=True)
    root = tmp_path / "root"
    (root / "var/lib/guitai").mkdir(parents=True)
    (root / "var/lib/guitai/till.db").write_bytes(b"")
    (root / "opt/guitai").mkdir(parents=True)
    (root / "opt/guitai/guitai").write_text("#!/bin/sh\n")
    (root / "opt/guitai/guitai").chmod(0o755)
    env = {"PATH": f"{bindir}:/usr/bin:/bin", "DPKG_ROOT": str(root)}
    r = subprocess.run(
        ["sh", str(PKG / "debian" / "prerm"), "upgrade", "0.2.0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert (
        f"runuser -u guitai -- env GUITAI_HOME={root}/var/lib/guitai "
        f"{root}/opt/guitai/guitai backup"
    ) in log.read_text().splitlines()
    log.unlink()
    r = subprocess.run(
        ["sh", str(PKG / "debian" / "prerm"), "remove"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert (r.returncode == 0 and not log.exists()) or "backup" not in log.read_text()
    r = subprocess.run(
        ["sh", str(PKG / "debian" / "postrm"), "purge"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 0 and "was kept" in r.stdout
    assert "rm " not in (PKG / "debian" / "postrm").read_text()
