#!/usr/bin/env bash
# The .deb from a staged tree with dpkg-deb (no debhelper, no network).
# Usage: packaging/build_deb.sh BUILD_DIR OUT_DIR   (BUILD_DIR: PyInstaller's dist/guitai)
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
BUILD="$(cd "$1" && pwd)"
OUT="$(mkdir -p "$2" && cd "$2" && pwd)"

test -x "$BUILD/guitai" || { echo "no PyInstaller build at $BUILD (run packaging/build.sh)" >&2; exit 2; }
VERSION="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$ROOT/pos_app/__init__.py")"
ARCH="$(dpkg --print-architecture)"
STAGE="$(mktemp -d "${TMPDIR:-/tmp}/guitai-deb.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT
chmod 0755 "$STAGE"

install -d "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/lib/systemd/system" \
    "$STAGE/lib/udev/rules.d" "$STAGE/etc/default" "$STAGE/usr/share/doc/guitai"
cp -a "$BUILD" "$STAGE/opt/guitai"
install -d "$STAGE/opt/guitai/docs"
install -m 0644 "$ROOT"/docs/operations.md "$ROOT"/docs/android.md "$STAGE/opt/guitai/docs/"
install -m 0755 "$HERE/guitai-wrapper.sh" "$STAGE/usr/bin/guitai"
install -m 0644 "$HERE/systemd/guitai.service" "$STAGE/lib/systemd/system/guitai.service"
install -m 0644 "$HERE/udev/60-guitai.rules" "$STAGE/lib/udev/rules.d/60-guitai.rules"
install -m 0644 "$HERE/debian/default-guitai" "$STAGE/etc/default/guitai"
install -m 0644 "$HERE/debian/conffiles" "$STAGE/DEBIAN/conffiles"
for s in postinst prerm postrm; do
    install -m 0755 "$HERE/debian/$s" "$STAGE/DEBIAN/$s"
done
cat > "$STAGE/usr/share/doc/guitai/copyright" <<COPY
Guitai (柜台).  Proprietary.  The bundled Python runtime and libraries keep their own licences
(PySide6/Qt: LGPLv3; python-escpos: MIT; see /opt/guitai/_internal/*.dist-info).
COPY
SIZE="$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)"
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$SIZE/" \
    "$HERE/debian/control.in" > "$STAGE/DEBIAN/control"
DEB="$OUT/guitai_${VERSION}_${ARCH}.deb"
# zstd is quick on 2 cores and Debian 12's dpkg reads it; --root-owner-group: no build uid leaks.
dpkg-deb --root-owner-group -Zzstd -z3 --build "$STAGE" "$DEB" >/dev/null
echo "deb: $DEB ($(du -h "$DEB" | cut -f1))"
