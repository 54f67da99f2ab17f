"""An incremental ESC/POS parser: bytes in, a document model out.

Covers what Guitai and python-escpos emit: ESC @, ESC t, FS & / FS . (Chinese mode; GB18030,
GBK or Big5), FS ! / FS - / FS W / FS C, ESC ! / E / - / G / M / a / d / J / 2 / 3 / SP / $ / *,
GS ! / B / L / W / H / h / w / f / k / V / r / a / I, GS v 0 raster, GS ( L graphics, GS ( k QR
(store + print), ESC p drawer kick, DLE EOT n and DLE DC4 real-time commands, LF / CR / HT / FF.
Unknown commands are recorded, never fatal: a real printer skips what it does not know.

Real-time commands (DLE EOT, DLE DC4) are executed even while printing is stopped (paper out,
cover open), as on real printers; everything else is then discarded.
"""

from __future__ import annotations

from collections.abc import Callable

from .model import (
    CODE_PAGES,
    Barcode,
    Job,
    Line,
    NativeQr,
    Raster,
    Style,
    column_image,
)

__all__ = ["Barcode", "EscposParser", "Job", "Line", "NativeQr", "Raster", "Style"]


class NeedMore(Exception):
    pass


class EscposParser:
    """feed(bytes) parses as far as it can and keeps the incomplete tail for the next call.

    status(n) → reply byte or None for DLE EOT n / GS r n; `printing_stopped()` says whether
    print data is discarded (paper out, cover open, offline); `on_job(job)` fires on each cut;
    `on_kick(dict)` on each drawer pulse.
    """

    def __init__(
        self,
        *,
        cjk_codec: str = "gb18030",
        chinese_at_power_on: bool = True,
        status: Callable[[int], int | None] = lambda n: 0x12,
        asb_status: Callable[[], bytes | None] = lambda: None,
        printing_stopped: Callable[[], bool] = lambda: False,
        on_job: Callable[[Job], None] = lambda job: None,
        on_kick: Callable[[dict[str, int]], None] = lambda kick: None,
        on_reply: Callable[[bytes], None] = lambda data: None,
        on_print_bytes: Callable[[int], None] = lambda n: None,
        model_name: str = "GUITAI-EMU",
        answers_gs_r: Callable[[], bool] = lambda: True,
    ) -> None:
        self.cjk_codec = cjk_codec
        self.chinese_at_power_on = chinese_at_power_on
        self.status = status
        self.printing_stopped = printing_stopped
        self.on_job = on_job
        self.on_kick = on_kick
        self.on_reply = on_reply
        self.on_print_bytes = on_print_bytes
        self.model_name = model_name
        self.answers_gs_r = answers_gs_r
        self._pending = b""
        self.job = Job()
        # True when a receive thread already answered DLE EOT / DLE DC4 as they arrived (the
        # buffered printer model): the print mechanism then skips them.
        self.realtime_elsewhere = False
        self.reset()

    # -- state ----------------------------------------------------------------------------
    def reset(self) -> None:
        self.style = Style()
        self.chinese = self.chinese_at_power_on
        self.codepage = 0
        self._segments: list[tuple[bytes, str]] = []
        self._seg = bytearray()
        self._qr_store = b""
        self._qr_module = 3
        self._qr_ec = "L"
        self._graphics: Raster | None = None

    def _codec(self) -> str:
        return self.cjk_codec if self.chinese else CODE_PAGES.get(self.codepage, "cp437")

    def _switch_codec(self, chinese: bool | None = None, codepage: int | None = None) -> None:
        self._close_segment()
        if chinese is not None:
            self.chinese = chinese
        if codepage is not None:
            self.codepage = codepage

    def _close_segment(self) -> None:
        if self._seg:
            self._segments.append((bytes(self._seg), self._codec()))
            self._seg = bytearray()

    def _end_line(self, force: bool = True) -> None:
        self._close_segment()
        if not self._segments and not force:
            return
        text = "".join(raw.decode(codec, errors="replace") for raw, codec in self._segments)
        self._segments = []
        self.job.items.append(Line(text, self.style.copy()))

    def _finish_job(self) -> None:
        if self._segments or self._seg:
            self._end_line()
        job, self.job = self.job, Job()
        self.on_job(job)

    def take_incomplete(self) -> Job | None:
        """The job so far when the connection drops before a cut (None if empty)."""
        if self._segments or self._seg:
            self._end_line()
        self._pending = b""
        if not self.job.has_content and not self.job.drawer_kicks:
            self.job = Job()
            return None
        job, self.job = self.job, Job()
        return job

    # -- parsing ------------------------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        buf = self._pending + data
        self.job.nbytes += len(data)
        i = 0
        while i < len(buf):
            try:
                n = self._one(buf, i)
            except NeedMore:
                break
            i += n
        self._pending = buf[i:]

    def _need(self, buf: bytes, i: int, n: int) -> None:
        if i + n > len(buf):
            raise NeedMore

    def _stopped_discard(self, n: int) -> int:
        self.job.discarded += n
        return n

    def _one(self, buf: bytes, i: int) -> int:
        b = buf[i]
        # ---- real-time commands: always executed -------------------------------------------
        if b == 0x10:
            self._need(buf, i, 2)
            if buf[i + 1] == 0x04:
                self._need(buf, i, 3)
                if not self.realtime_elsewhere:
                    reply = self.status(buf[i + 2])
                    if reply is not None:
                        self.on_reply(bytes([reply]))
                return 3
            if buf[i + 1] == 0x14:
                self._need(buf, i, 3)
                fn = buf[i + 2]
                if fn == 1:  # DLE DC4 1 m t: real-time pulse, t × 100 ms
                    self._need(buf, i, 5)
                    if self.realtime_elsewhere:
                        return 5
                    pin = 2 if buf[i + 3] in (0, 48) else 5
                    kick = {
                        "pin": pin,
                        "on_ms": buf[i + 4] * 100,
                        "off_ms": buf[i + 4] * 100,
                        "realtime": 1,
                    }
                    self.job.drawer_kicks.append(kick)
                    self.on_kick(kick)
                    return 5
                if fn == 2:
                    self._need(buf, i, 5)
                    return 5
                if fn == 8:
                    self._need(buf, i, 10)
                    return 10
                if fn in (7,):
                    self._need(buf, i, 5)
                    return 5
                self.job.unknown.append(f"10 14 {fn:02x}")
                return 3
            if buf[i + 1] == 0x05:  # DLE ENQ n: real-time request
                self._need(buf, i, 3)
                return 3
            return 1  # a lone DLE is data on some printers; skip it
        stopped = self.printing_stopped()
        n = self._print_command(buf, i)
        if stopped:
            return self._stopped_discard(n)
        self.on_print_bytes(n)
        return n

    def _print_command(self, buf: bytes, i: int) -> int:
        """Return the command length; apply it unless printing is stopped."""
        stopped = self.printing_stopped()
        b = buf[i]
        if b == 0x0A:
            if not stopped:
                self._end_line()
            return 1
        if b == 0x0D:
            return 1
        if b == 0x09:
            if not stopped:
                self._seg += b"    "
            return 1
        if b == 0x0C:
            if not stopped:
                self._end_line(force=False)
            return 1
        if b == 0x1B:
            return self._esc(buf, i, stopped)
        if b == 0x1D:
            return self._gs(buf, i, stopped)
        if b == 0x1C:
            return self._fs(buf, i, stopped)
        if b < 0x20:
            return 1
        # text: take the run of printable bytes up to the next control byte (< 0x20).
        j = i
        while j < len(buf) and buf[j] >= 0x20:
            j += 1
        if self.chinese:
            # Do not split a multi-byte character across feeds: if the run ends the buffer,
            # keep a possible lead byte (and a GB18030 4-byte sequence) for the next call.
            j = self._complete_cjk_run(buf, i, j)
            if j == i:
                raise NeedMore
        if not stopped:
            self._seg += buf[i:j]
        return j - i

    def _complete_cjk_run(self, buf: bytes, i: int, j: int) -> int:
        if j < len(buf):
            return j
        k = i
        while k < j:
            c = buf[k]
            if c < 0x80:
                k += 1
                continue
            width = 2
            if self.cjk_codec == "gb18030" and k + 1 < j and 0x30 <= buf[k + 1] <= 0x39:
                width = 4
            if k + width > j:
                return k
            k += width
        return k

    def _esc(self, buf: bytes, i: int, stopped: bool) -> int:
        self._need(buf, i, 2)
        c = buf[i + 1]
        s = self.style
        if c == 0x40:  # ESC @
            if not stopped:
                self._close_segment()
                self.reset()
            return 2
        one_arg = {
            0x21,
            0x45,
            0x2D,
            0x47,
            0x4D,
            0x61,
            0x64,
            0x4A,
            0x33,
            0x20,
            0x74,
            0x52,
            0x56,
            0x7B,
            0x72,
            0x63,
            0x55,
            0x4B,
            0x3D,
        }
        if c in (0x32, 0x3C):
            return 2
        if c == 0x70:  # ESC p m t1 t2
            self._need(buf, i, 5)
            pin = 2 if buf[i + 2] in (0, 48) else 5
            kick = {"pin": pin, "on_ms": buf[i + 3] * 2, "off_ms": buf[i + 4] * 2}
            # ESC p is an ordinary command: a stopped printer (paper out, cover open) does not
            # execute it; only DLE DC4 1 kicks then (hardware-notes §5).
            if not stopped:
                self.job.drawer_kicks.append(kick)
                self.on_kick(kick)
            return 5
        if c == 0x24 or c == 0x5C:  # ESC $ / ESC \ nL nH
            self._need(buf, i, 4)
            return 4
        if c == 0x2A:  # ESC * m nL nH data
            self._need(buf, i, 5)
            m, n = buf[i + 2], buf[i + 3] + 256 * buf[i + 4]
            size = n * (3 if m in (32, 33) else 1)
            self._need(buf, i, 5 + size)
            if not stopped:
                self._end_line(force=False)
                h = 24 if m in (32, 33) else 8
                self.job.items.append(column_image(buf[i + 5 : i + 5 + size], n, h, s.align))
            return 5 + size
        if c == 0x44:  # ESC D tab stops … NUL
            j = i + 2
            while True:
                self._need(buf, j, 1)
                if buf[j] == 0:
                    return j - i + 1
                j += 1
        if c in one_arg:
            self._need(buf, i, 3)
            n = buf[i + 2]
            if stopped:
                return 3
            if c == 0x21:  # ESC ! n
                s.font_b = bool(n & 0x01)
                s.bold = bool(n & 0x08)
                s.height = 2 if n & 0x10 else 1
                s.width = 2 if n & 0x20 else 1
                s.underline = 1 if n & 0x80 else 0
            elif c == 0x45 or c == 0x47:
                s.bold = bool(n & 1)
            elif c == 0x2D:
                s.underline = n % 48 if n >= 48 else n
            elif c == 0x4D:
                s.font_b = n in (1, 49)
            elif c == 0x61:
                self._close_segment()
                s.align = {0: "left", 1: "center", 2: "right"}.get(n % 48, "left")
            elif c == 0x64:
                self._end_line(force=False)
                self.job.items.extend(["feed"] * min(n, 255))
            elif c == 0x4A:
                self._end_line(force=False)
                self.job.items.append("feed")
            elif c == 0x74:
                self._switch_codec(codepage=n)
            return 3
        self.job.unknown.append(f"1b {c:02x}")
        return 2

    def _fs(self, buf: bytes, i: int, stopped: bool) -> int:
        self._need(buf, i, 2)
        c = buf[i + 1]
        if c == 0x26:  # FS & Chinese mode on
            if not stopped:
                self._switch_codec(chinese=True)
            return 2
        if c == 0x2E:  # FS . Chinese mode off
            if not stopped:
                self._switch_codec(chinese=False)
            return 2
        if c in (0x21, 0x2D, 0x57, 0x43, 0x53):  # FS ! / - / W / C (1 arg); FS S (2 args)
            size = 4 if c == 0x53 else 3
            self._need(buf, i, size)
            if not stopped and c == 0x57:
                self.style.width = self.style.height = 2 if buf[i + 2] & 1 else 1
            if not stopped and c == 0x21:
                n = buf[i + 2]
                self.style.width = 2 if n & 0x04 else self.style.width
                self.style.height = 2 if n & 0x08 else self.style.height
            return size
        self.job.unknown.append(f"1c {c:02x}")
        return 2

    def _gs(self, buf: bytes, i: int, stopped: bool) -> int:
        self._need(buf, i, 2)
        c = buf[i + 1]
        s = self.style
        if c == 0x56:  # GS V m [n]
            self._need(buf, i, 3)
            m = buf[i + 2]
            size = 3 if m in (0, 1, 48, 49) else 4
            self._need(buf, i, size)
            if not stopped:
                self.job.cuts.append("partial" if m in (1, 49, 66, 98, 104) else "full")
                self._finish_job()
            return size
        if c == 0x21:  # GS ! n
            self._need(buf, i, 3)
            if not stopped:
                n = buf[i + 2]
                s.width = (n >> 4) + 1
                s.height = (n & 0x0F) + 1
            return 3
        if c in (0x42, 0x48, 0x68, 0x77, 0x66, 0x62, 0x61, 0x49, 0x72, 0x50, 0x54, 0x45):
            self._need(buf, i, 3)
            n = buf[i + 2]
            if c == 0x72:  # GS r n: processed in sequence, so never while printing is stopped
                if not stopped and self.answers_gs_r():
                    reply = self.status(4 if n in (1, 49) else 1)
                    if reply is not None and n in (1, 49):
                        # n=1 paper sensor: bits 0-1 near end, bits 2-3 paper end
                        self.on_reply(
                            bytes([(0x03 if reply & 0x0C else 0) | (0x0C if reply & 0x60 else 0)])
                        )
                    elif reply is not None:
                        self.on_reply(bytes([(reply >> 2) & 1]))  # n=2: drawer pin 3
            elif c == 0x49:
                self.on_reply(self.model_name.encode()[:16] if n in (67, 0x43) else b"\x20")
            elif c == 0x42 and not stopped:
                s.reverse = bool(n & 1)
            return 3
        if c in (0x4C, 0x57):  # GS L / GS W nL nH
            self._need(buf, i, 4)
            return 4
        if c == 0x6B:  # GS k m …
            self._need(buf, i, 3)
            m = buf[i + 2]
            if m <= 6:
                j = i + 3
                while True:
                    self._need(buf, j, 1)
                    if buf[j] == 0:
                        break
                    j += 1
                data, size = buf[i + 3 : j], j - i + 1
            else:
                self._need(buf, i, 4)
                n = buf[i + 3]
                self._need(buf, i, 4 + n)
                data, size = buf[i + 4 : i + 4 + n], 4 + n
            if not stopped:
                self._end_line(force=False)
                self.job.items.append(Barcode(m, bytes(data)))
            return size
        if c == 0x76:  # GS v 0 m xL xH yL yH data
            self._need(buf, i, 8)
            if buf[i + 2] not in (0x30, 0):
                self.job.unknown.append("1d 76 ?")
                return 3
            wbytes = buf[i + 4] + 256 * buf[i + 5]
            h = buf[i + 6] + 256 * buf[i + 7]
            size = 8 + wbytes * h
            self._need(buf, i, size)
            if not stopped:
                self._end_line(force=False)
                self.job.items.append(Raster(wbytes * 8, h, bytes(buf[i + 8 : i + size]), s.align))
            return size
        if c == 0x28:  # GS ( X pL pH …
            self._need(buf, i, 5)
            fn_class = buf[i + 2]
            plen = buf[i + 3] + 256 * buf[i + 4]
            self._need(buf, i, 5 + plen)
            body = bytes(buf[i + 5 : i + 5 + plen])
            if not stopped:
                if fn_class == 0x6B:
                    self._qr(body)
                elif fn_class == 0x4C:
                    self._graphics_cmd(body)
            return 5 + plen
        if c == 0x38 and len(buf) > i + 2 and buf[i + 2] == 0x4C:  # GS 8 L: 4-byte length
            self._need(buf, i, 7)
            plen = int.from_bytes(buf[i + 3 : i + 7], "little")
            self._need(buf, i, 7 + plen)
            if not stopped:
                self._graphics_cmd(bytes(buf[i + 7 : i + 7 + plen]))
            return 7 + plen
        self.job.unknown.append(f"1d {c:02x}")
        return 2

    def _qr(self, body: bytes) -> None:
        if len(body) < 2 or body[0] != 0x31:
            return
        fn = body[1]
        if fn == 0x43 and len(body) >= 3:
            self._qr_module = max(1, min(16, body[2]))
        elif fn == 0x45 and len(body) >= 3:
            self._qr_ec = {48: "L", 49: "M", 50: "Q", 51: "H"}.get(body[2], "L")
        elif fn == 0x50 and len(body) >= 3:
            self._qr_store = body[3:]
        elif fn == 0x51:
            self._end_line(force=False)
            self.job.items.append(
                NativeQr(self._qr_store, self._qr_module, self._qr_ec, self.style.align)
            )

    def _graphics_cmd(self, body: bytes) -> None:
        # fn 112 (0x70): store raster graphics; fn 50 (0x32): print stored graphics.
        if len(body) >= 10 and body[1] == 0x70:
            w = body[6] + 256 * body[7]
            h = body[8] + 256 * body[9]
            data = body[10 : 10 + ((w + 7) // 8) * h]
            self._graphics = Raster(((w + 7) // 8) * 8, h, data, self.style.align, "graphics")
        elif len(body) >= 2 and body[1] in (0x32, 2) and self._graphics is not None:
            self._end_line(force=False)
            self.job.items.append(self._graphics)
            self._graphics = None
