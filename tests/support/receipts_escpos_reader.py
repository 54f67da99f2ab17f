"""A reader for the ESC/POS subset the receipts package emits, for tests: it walks the bytes
the way a printer does and fails on anything it does not know, so a stray byte shows up."""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image


@dataclass
class Printed:
    lines: list[str] = field(default_factory=list)  # text lines, decoded
    images: list[Image.Image] = field(default_factory=list)  # each GS v 0 block (after joins)
    native_qr: list[str] = field(default_factory=list)
    qr_settings: dict[str, int] = field(default_factory=dict)
    cuts: list[int] = field(default_factory=list)
    events: list[tuple[str, object]] = field(default_factory=list)


def _raster(data: bytes, i: int) -> tuple[Image.Image, int]:
    # GS v 0 m xL xH yL yH d1..dk: xL/xH = bytes per row, yL/yH = rows; bit 1 = black dot.
    m = data[i + 3]
    assert m in (0, 48), f"GS v 0 mode {m}"
    width_bytes = data[i + 4] | data[i + 5] << 8
    height = data[i + 6] | data[i + 7] << 8
    start = i + 8
    end = start + width_bytes * height
    assert end <= len(data), "GS v 0 image runs past the end of the data"
    img = Image.frombytes("1", (width_bytes * 8, height), data[start:end])
    # in mode "1" frombytes, bit 1 = white; the printer's bit 1 = black: invert
    img = Image.eval(img.convert("L"), lambda v: 255 - v)
    return img, end


def read(data: bytes, encoding: str = "gb18030") -> Printed:
    """Decode an ESC/POS job.  A GS v 0 block straight after a 960-dot-high one is joined to it
    (python-escpos splits tall images at 960 dots)."""
    out = Printed()
    chinese = False
    buf = bytearray()
    last_was_image = False
    i = 0
    n = len(data)
    codec = {"raster": "gb18030"}.get(encoding, encoding)

    def flush_line() -> None:
        text = bytes(buf).decode(codec if chinese else "ascii")
        out.lines.append(text)
        out.events.append(("text", text))
        buf.clear()

    while i < n:
        b = data[i]
        if b == 0x0A:
            flush_line()
            last_was_image = False
            i += 1
            continue
        if b == 0x1B:  # ESC
            cmd = data[i + 1]
            if cmd == ord("@"):
                chinese = False
                i += 2
            elif cmd in (ord("a"), ord("E"), ord("d"), ord("!")):
                if cmd == ord("d"):
                    assert not buf, "feed in the middle of a text line"
                    out.events.append(("feed", data[i + 2]))
                    last_was_image = False
                i += 3
            else:
                raise AssertionError(f"unknown ESC {cmd:#x} at {i}")
            continue
        if b == 0x1C:  # FS
            cmd = data[i + 1]
            if cmd == ord("&"):
                chinese = True
                i += 2
            elif cmd == ord("."):
                chinese = False
                i += 2
            elif cmd == ord("!"):
                i += 3
            else:
                raise AssertionError(f"unknown FS {cmd:#x} at {i}")
            continue
        if b == 0x1D:  # GS
            cmd = data[i + 1]
            if cmd == ord("!"):
                i += 3
            elif cmd == ord("V"):
                m = data[i + 2]
                out.cuts.append(m)
                out.events.append(("cut", m))
                i += 4 if m in (65, 66) else 3
            elif cmd == ord("v"):
                assert not buf, "image in the middle of a text line"
                img, i = _raster(data, i)
                # python-escpos cuts images taller than 960 dots into 960-dot fragments
                if last_was_image and out.images and out.images[-1].height % 960 == 0:
                    prev = out.images[-1]
                    joined = Image.new("L", (prev.width, prev.height + img.height), 255)
                    joined.paste(prev, (0, 0))
                    joined.paste(img, (0, prev.height))
                    out.images[-1] = joined
                else:
                    out.images.append(img)
                out.events.append(("image", img.size))
                last_was_image = True
                continue
            elif cmd == ord("("):
                assert data[i + 2] == ord("k")
                length = data[i + 3] | data[i + 4] << 8
                body = data[i + 5 : i + 5 + length]
                cn, fn = body[0], body[1]
                assert cn == 0x31, "only QR (cn 49) expected"
                if fn == 0x43:
                    out.qr_settings["module"] = body[2]
                elif fn == 0x45:
                    out.qr_settings["ec"] = body[2]
                elif fn == 0x41:
                    out.qr_settings["model"] = body[2]
                elif fn == 0x50:
                    out.native_qr.append(body[3:].decode("ascii"))
                    out.events.append(("qr", body[3:].decode("ascii")))
                i += 5 + length
            else:
                raise AssertionError(f"unknown GS {cmd:#x} at {i}")
            last_was_image = False
            continue
        if b < 0x20:
            raise AssertionError(f"unexpected control byte {b:#x} at {i}")
        if b >= 0x80 and not chinese:
            raise AssertionError(f"byte {b:#x} at {i} outside Chinese mode would print as junk")
        buf.append(b)
        i += 1
    assert not buf, f"text without a line feed at the end: {bytes(buf)!r}"
    return out
