"""An invoicing provider (数电发票 platform) on loopback: `guitai emulate fapiao --port N`.

It speaks the API of cloud/fapiao/provider.py: issues an invoice with a 20-digit number and a
link to a small real PDF, a red-letter invoice (红冲) for a refund, both idempotent on the
request id; and it can be told to fail (`--fail REASON`, or `POST /control {"fail": …}`), as a
provider refuses a buyer its tax bureau does not know.  `GET /invoices` lists what it issued,
newest first, for tests."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

NUMBER_PREFIX = "26310000"  # 2-digit year and a region: 数电发票 numbers have 20 digits


def pdf_bytes(lines: list[str]) -> bytes:
    """A one-page PDF showing `lines` (ASCII) in Helvetica, with a correct cross-reference
    table: a real PDF that a browser opens, small enough to serve from memory."""
    text = "BT /F1 12 Tf 50 780 Td 16 TL " + " ".join(
        "(" + ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
        for ln in lines
    )
    text += " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text.encode("ascii") + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


class FapiaoEmulator:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, fail: str = "") -> None:
        self.fail = fail
        self._lock = threading.Lock()
        self._by_request: dict[str, dict[str, Any]] = {}
        self._by_number: dict[str, dict[str, Any]] = {}
        self._serial = 0
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        h, p = self._server.server_address[:2]
        self.url = f"http://{h!s}:{p}"

    # ---- the provider's behaviour ---------------------------------------------------------

    def _issue(self, body: dict[str, Any], reverses: str | None) -> tuple[int, dict[str, Any]]:
        request_id = str(body.get("request_id") or "")
        if not request_id:
            return 400, {"status": "failed", "reason": "request_id 缺失"}
        with self._lock:
            done = self._by_request.get(request_id)
            if done is not None:  # a retry: the same invoice, never a second
                return 200, done["answer"]
            if self.fail:
                return 422, {"status": "failed", "reason": self.fail}
            if reverses is not None:
                blue = self._by_number.get(reverses)
                if blue is None or blue["red"]:
                    return 404, {"status": "failed", "reason": f"蓝字发票 {reverses} 不存在"}
            self._serial += 1
            number = f"{NUMBER_PREFIX}{self._serial:012d}"
            answer = {
                "status": "issued",
                "number": number,
                "pdf_url": f"{self.url}/pdf/{number}.pdf",
                "issued_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            }
            record = {
                "number": number,
                "request": body,
                "answer": answer,
                "red": reverses is not None,
                "reverses": reverses,
            }
            self._by_request[request_id] = record
            self._by_number[number] = record
            return 200, answer

    def invoices(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {
                    "number": r["number"],
                    "red": r["red"],
                    "reverses": r["reverses"],
                    "request_id": r["request"].get("request_id"),
                    "total_fen": r["request"].get("total_fen"),
                    "title": r["request"].get("title"),
                    "tax_id": r["request"].get("tax_id"),
                }
                for r in reversed(list(self._by_number.values()))
            ]

    def _pdf(self, number: str) -> bytes | None:
        with self._lock:
            r = self._by_number.get(number)
        if r is None:
            return None
        req = r["request"]
        lines = [
            ("Red-letter e-invoice (hongchong)" if r["red"] else "Fully digital e-invoice"),
            f"No. {number}",
            f"Total CNY {_yuan(int(req.get('total_fen', 0)))}",
        ]
        if r["reverses"]:
            lines.append(f"Reverses No. {r['reverses']}")
        if req.get("tax_id"):
            lines.append(f"Buyer tax id {req['tax_id']}")
        return pdf_bytes(lines)

    # ---- HTTP -----------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        emu = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
                pass

            def _send(self, status: int, body: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _json(self, status: int, data: Any) -> None:
                self._send(
                    status, json.dumps(data, ensure_ascii=False).encode(), "application/json"
                )

            def _body(self) -> Any:
                n = int(self.headers.get("Content-Length") or 0)
                try:
                    return json.loads(self.rfile.read(n) or b"{}")
                except ValueError:
                    return None

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path == "/invoices":
                    self._json(200, emu.invoices())
                elif path.startswith("/pdf/") and path.endswith(".pdf"):
                    pdf = emu._pdf(path[len("/pdf/") : -len(".pdf")])
                    if pdf is None:
                        self._json(404, {"error": "no such invoice"})
                    else:
                        self._send(200, pdf, "application/pdf")
                else:
                    self._json(404, {"error": "no such path"})

            def do_POST(self) -> None:
                body = self._body()
                if not isinstance(body, dict):
                    self._json(400, {"status": "failed", "reason": "请求不是 JSON 对象"})
                    return
                parts = self.path.strip("/").split("/")
                if parts == ["control"]:
                    emu.fail = str(body.get("fail") or "")
                    self._json(200, {"fail": emu.fail or None})
                elif parts == ["v1", "invoices"]:
                    self._json(*emu._issue(body, None))
                elif len(parts) == 4 and parts[:2] == ["v1", "invoices"] and parts[3] == "red":
                    self._json(*emu._issue(body, parts[2]))
                else:
                    self._json(404, {"error": "no such path"})

        return Handler

    # ---- life -----------------------------------------------------------------------------

    def start(self) -> FapiaoEmulator:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fapiao-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> FapiaoEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
