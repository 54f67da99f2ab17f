"""A ZVT payment terminal on TCP that speaks real APDUs (`guitai emulate zvt --port 20007`).

Modelled on the behaviour of Portalum.Zvt's TerminalSimulator (hardware-notes §4.1), extended
with the scripted behaviours of scenarios.py and a ledger of what it "charged", which tests use
as the ground truth (was a card charged twice? was every approval reversed or kept?).
"""

from __future__ import annotations

import logging
import os
import pty
import socketserver
import threading
import time
import tty
from dataclasses import dataclass, field
from datetime import datetime

from drivers.common.listen import bound_address
from drivers.common.payment_errors import FrameError, PaymentDriverError, TransportTimeout
from drivers.common.scenarios import Behaviour, behaviour_for, card_for_amount

from . import apdu as z
from .transport import FdStream, SerialTransport, TcpTransport, Transport

log = logging.getLogger(__name__)


@dataclass
class TerminalTxn:
    receipt_no: int
    trace: int
    kind: str  # sale | refund
    amount_fen: int
    approved: bool
    result: int
    card_name: str
    card_type: int
    pan: str
    auth_code: str
    at: datetime
    reversed: bool = False


@dataclass
class ZvtEmulatorConfig:
    password: str = "000000"
    terminal_id: int = 52500038
    behaviour: Behaviour | None = None  # whole run; None → by amount suffix
    faults: dict[str, Behaviour] = field(default_factory=dict)  # per step name
    paying_steps: int = 3  # intermediate "please wait" messages for USER_PAYING
    step_delay: float = 0.05  # seconds between them
    forever_limit: float = 30.0  # USER_PAYING_FOREVER ends with 06 1E 6C after this
    no_answer_limit: float = 30.0


class _Stop(Exception):
    pass


class _Session:
    """One ECR link.  persistent: a serial line (no connection to lose: a "dropped" answer or a
    bad frame ends only the current command)."""

    def __init__(self, emu: ZvtEmulator, link: Transport, *, persistent: bool = False) -> None:
        self.emu = emu
        self.link = link
        self.persistent = persistent

    def send(self, apdu: z.Apdu) -> None:
        self.link.send(apdu)

    def recv(self, timeout: float) -> z.Apdu:
        return self.link.receive(timeout)

    def send_wait_ack(self, apdu: z.Apdu) -> bool:
        """Send a PT message and wait for the ECR's 80 00 00; True if the ECR asked to abort."""
        self.send(apdu)
        aborted = False
        for _ in range(4):
            reply = self.recv(5.0)
            if reply.command == z.ABORT_ECR:
                self.send(z.Apdu(0x80, 0x00))
                aborted = True
                continue
            if reply.command == z.POSITIVE_ACK:
                return aborted
            raise FrameError(f"ECR answered {reply!r}, expected 80 00 00")
        return aborted

    def ack(self) -> None:
        self.send(z.Apdu(0x80, 0x00))

    def serve(self) -> None:
        while not self.emu.stopping.is_set():
            try:
                cmd = self.recv(0.5)
            except TransportTimeout:
                continue
            except FrameError:
                if self.persistent:
                    continue
                return
            try:
                self.emu.handle(self, cmd)
            except (_Stop, PaymentDriverError):
                if self.persistent and not self.emu.stopping.is_set():
                    continue
                raise


class ZvtEmulator:
    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, config: ZvtEmulatorConfig | None = None
    ) -> None:
        self.config = config or ZvtEmulatorConfig()
        self.ledger: list[TerminalTxn] = []
        self.commands: list[str] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._trace = 1000
        self._receipt = 0
        emu = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                try:
                    _Session(emu, TcpTransport.from_socket(self.request)).serve()
                except (_Stop, PaymentDriverError, OSError) as err:
                    log.debug("zvt emulator session ended: %s", err)

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True
            block_on_close = False

        self._server = Server((host, port), Handler)
        self.host, self.port = bound_address(self._server)
        self._thread: threading.Thread | None = None
        self._serial_thread: threading.Thread | None = None
        self._pty: tuple[int, ...] = ()

    @property
    def uri(self) -> str:
        return f"zvt+tcp://{self.host}:{self.port}?password={self.config.password}"

    def start(self) -> ZvtEmulator:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="zvt-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def start_serial(self) -> str:
        """Also serve the ZVT serial framing on a new pseudo-terminal; returns the device path
        the till opens (zvt+serial:///dev/pts/N)."""
        master, slave = pty.openpty()
        tty.setraw(master)
        tty.setraw(slave)
        self._pty = (master, slave)
        session = _Session(self, SerialTransport(FdStream(master)), persistent=True)

        def run() -> None:
            try:
                session.serve()
            except (_Stop, PaymentDriverError, OSError) as err:
                log.debug("zvt serial emulator ended: %s", err)

        self._serial_thread = threading.Thread(target=run, name="zvt-emulator-serial", daemon=True)
        self._serial_thread.start()
        return os.ttyname(slave)

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        if self._serial_thread is not None:
            self._serial_thread.join(5)
        for fd in self._pty:
            os.close(fd)
        self._pty = ()

    def __enter__(self) -> ZvtEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- behaviour -----------------------------------------------------------------------------

    def _fault(self, step: str) -> Behaviour | None:
        return self.config.faults.get(step)

    def _wait(self, seconds: float) -> None:
        if self.stopping.wait(seconds):
            raise _Stop

    def _password_ok(self, data: bytes) -> bool:
        return data[:3].hex() == self.config.password

    def handle(self, s: _Session, cmd: z.Apdu) -> None:
        names = {
            z.REGISTRATION: "registration",
            z.AUTHORIZATION: "authorization",
            z.REVERSAL: "reversal",
            z.REFUND: "refund",
            z.REPEAT_RECEIPT: "repeat_receipt",
            z.END_OF_DAY: "end_of_day",
            z.STATUS_ENQUIRY: "status_enquiry",
            z.ABORT_ECR: "abort",
            z.LOG_OFF: "log_off",
        }
        step = names.get(cmd.command)
        if step is None:
            s.send(z.Apdu(0x84, 0x83))
            return
        self.commands.append(step)
        fault = self._fault(step)
        if fault is Behaviour.BUSY:
            s.send(z.Apdu(0x84, 0xA0))
            return
        if fault is Behaviour.NO_ANSWER:
            self._wait(self.config.no_answer_limit)
            raise _Stop
        if step == "abort":
            s.ack()
            return
        if step not in ("authorization", "log_off") and not self._password_ok(cmd.data):
            s.send(z.Apdu(0x84, 0x83))
            return
        getattr(self, f"_do_{step}")(s, cmd, fault)

    def _do_log_off(self, s: _Session, cmd: z.Apdu, fault: Behaviour | None) -> None:
        s.ack()
        s.send_wait_ack(z.Apdu(*z.COMPLETION))

    def _do_registration(self, s: _Session, cmd: z.Apdu, fault: Behaviour | None) -> None:
        s.ack()
        s.send_wait_ack(z.Apdu(*z.COMPLETION, b"\x19\x00\x29" + z.bcd(self.config.terminal_id, 4)))

    def _do_status_enquiry(self, s: _Session, cmd: z.Apdu, fault: Behaviour | None) -> None:
        s.ack()
        s.send_wait_ack(
            z.Apdu(*z.STATUS_INFORMATION, b"\x27\x00\x29" + z.bcd(self.config.terminal_id, 4))
        )
        s.send_wait_ack(z.Apdu(*z.COMPLETION))

    def _new_txn(self, kind: str, amount: int, approved: bool, result: int) -> TerminalTxn:
        name, ctype, pan = card_for_amount(amount)
        with self._lock:
            self._trace += 1
            self._receipt += 1
            txn = TerminalTxn(
                receipt_no=self._receipt,
                trace=self._trace,
                kind=kind,
                amount_fen=amount,
                approved=approved,
                result=result,
                card_name=name,
                card_type=ctype,
                pan=pan,
                auth_code=f"{self._trace:06d}" if approved else "",
                at=datetime.now(),
            )
            self.ledger.append(txn)
        return txn

    def _status_info(self, txn: TerminalTxn) -> z.Apdu:
        pan = txn.pan + ("F" if len(txn.pan) % 2 else "")
        data = (
            b"\x27"
            + bytes([txn.result])
            + b"\x04"
            + z.bcd(txn.amount_fen, 6)
            + b"\x0b"
            + z.bcd(txn.trace, 3)
            + b"\x0c"
            + bytes.fromhex(txn.at.strftime("%H%M%S"))
            + b"\x0d"
            + bytes.fromhex(txn.at.strftime("%m%d"))
            + b"\x49"
            + z.bcd(z.CURRENCY_CNY, 2)
            + b"\x29"
            + z.bcd(self.config.terminal_id, 4)
            + b"\x87"
            + z.bcd(txn.receipt_no, 2)
            + b"\x88"
            + z.bcd(txn.trace, 3)
            + b"\x8a"
            + bytes([txn.card_type])
            + b"\x8b"
            + z.llvar(txn.card_name.encode())
            # Real terminals mask BMP 22; the emulator sends the full test PAN on purpose so the
            # tests prove the till masks it itself and keeps no full card number anywhere.
            + b"\x22"
            + z.llvar(bytes.fromhex(pan))
        )
        if txn.approved:
            data += b"\x3b" + txn.auth_code.encode().ljust(8, b" ")
        return z.Apdu(*z.STATUS_INFORMATION, data)

    def _slip(self, s: _Session, txn: TerminalTxn, title: str) -> None:
        masked = "*" * (len(txn.pan) - 4) + txn.pan[-4:]
        lines = [
            title,
            f"TID {self.config.terminal_id}  TRACE {txn.trace:06d}",
            f"{txn.card_name} {masked}",
            f"AMOUNT CNY {txn.amount_fen // 100}.{txn.amount_fen % 100:02d}",
            "APPROVED" if txn.approved else z.result_text(txn.result)[0],
            f"AUTH {txn.auth_code}" if txn.approved else "",
        ]
        for line in lines:
            s.send_wait_ack(z.Apdu(*z.PRINT_LINE, b"\x00" + line.encode("latin-1")))

    def _card_dialogue(self, s: _Session, behaviour: Behaviour) -> bool:
        """Intermediate statuses; False if the ECR aborted."""
        if s.send_wait_ack(z.Apdu(*z.INTERMEDIATE_STATUS, b"\x0a")):
            return False
        if behaviour in (Behaviour.USER_PAYING, Behaviour.USER_PAYING_FOREVER):
            started = time.monotonic()
            steps = 0
            while behaviour is Behaviour.USER_PAYING_FOREVER or steps < self.config.paying_steps:
                self._wait(self.config.step_delay)
                if s.send_wait_ack(z.Apdu(*z.INTERMEDIATE_STATUS, b"\x0e")):
                    return False
                steps += 1
                if time.monotonic() - started > self.config.forever_limit:
                    return False
        return not s.send_wait_ack(z.Apdu(*z.INTERMEDIATE_STATUS, b"\xd2"))

    def _do_authorization(self, s: _Session, cmd: z.Apdu, fault: Behaviour | None) -> None:
        fields = dict(z.iter_bmps(cmd.data))
        if 0x04 not in fields:
            s.send(z.Apdu(0x84, 0x83))
            return
        amount = z.from_bcd(fields[0x04])
        behaviour = fault or self.config.behaviour or behaviour_for(f"{amount:02d}")
        if behaviour is Behaviour.BUSY:
            s.send(z.Apdu(0x84, 0xA0))
            return
        if behaviour is Behaviour.NO_ANSWER:
            self._wait(self.config.no_answer_limit)
            raise _Stop
        s.ack()
        if not self._card_dialogue(s, behaviour):
            s.send_wait_ack(z.Apdu(*z.ABORT_PT, b"\x6c"))
            return
        result = {Behaviour.DECLINE: 0x05, Behaviour.INSUFFICIENT: 0x51}.get(behaviour, 0x00)
        txn = self._new_txn("sale", amount, result == 0, result)
        if behaviour is Behaviour.DROP_AFTER_APPROVAL:
            s.send_wait_ack(z.Apdu(*z.INTERMEDIATE_STATUS, b"\x1b"))
            raise _Stop  # the link drops: the card is charged, the till never heard the result
        s.send_wait_ack(self._status_info(txn))
        self._slip(s, txn, "SALE")
        if result == 0:
            s.send_wait_ack(z.Apdu(*z.COMPLETION))
        else:
            s.send_wait_ack(z.Apdu(*z.ABORT_PT, bytes([result])))

    def _do_reversal(self, s: _Session, cmd: z.Apdu, fault: Behaviour | None) -> None:
        fields = dict(z.iter_bmps(cmd.data[3:]))
        s.ack()
        receipt = z.from_bcd(fields.get(0x87, b"\x00\x00"))
        target = next(
            (t for t in self.ledger if t.receipt_no == receipt and t.kind == "sale"), None
        )
        if target is None or not target.approved:
            s.send_wait_ack(z.Apdu(*z.ABORT_PT, b"\xb5"))
            return
        if target.reversed:
            s.send_wait_ack(z.Apdu(*z.ABORT_PT, b"\xb4"))
            return
        target.reversed = True
        if fault is Behaviour.DROP_AFTER_APPROVAL:
            raise _Stop
        s.send_wait_ack(self._status_info(target))
        self._slip(s, target, "REVERSAL")
        s.send_wait_ack(z.Apdu(*z.COMPLETION))

    def _do_refund(self, s: _Session, cmd: z.Apdu, fault: Behaviour | None) -> None:
        fields = dict(z.iter_bmps(cmd.data[3:]))
        s.ack()
        amount = z.from_bcd(fields.get(0x04, b"\x00" * 6))
        if not self._card_dialogue(s, Behaviour.APPROVE):
            s.send_wait_ack(z.Apdu(*z.ABORT_PT, b"\x6c"))
            return
        txn = self._new_txn("refund", amount, True, 0)
        if fault is Behaviour.DROP_AFTER_APPROVAL:
            raise _Stop
        s.send_wait_ack(self._status_info(txn))
        self._slip(s, txn, "REFUND")
        s.send_wait_ack(z.Apdu(*z.COMPLETION))

    def _do_repeat_receipt(self, s: _Session, cmd: z.Apdu, fault: Behaviour | None) -> None:
        s.ack()
        if not self.ledger:
            s.send_wait_ack(z.Apdu(*z.ABORT_PT, b"\x83"))
            return
        last = self.ledger[-1]
        if fault is Behaviour.DROP_AFTER_APPROVAL:
            raise _Stop
        s.send_wait_ack(self._status_info(last))
        self._slip(s, last, "COPY")
        s.send_wait_ack(z.Apdu(*z.COMPLETION))

    def _do_end_of_day(self, s: _Session, cmd: z.Apdu, fault: Behaviour | None) -> None:
        s.ack()
        sales = [t for t in self.ledger if t.kind == "sale" and t.approved and not t.reversed]
        refunds = [t for t in self.ledger if t.kind == "refund" and t.approved]
        total = sum(t.amount_fen for t in sales) - sum(t.amount_fen for t in refunds)
        s.send_wait_ack(z.Apdu(*z.STATUS_INFORMATION, b"\x27\x00\x04" + z.bcd(max(total, 0), 6)))
        for line in (
            "END OF DAY",
            f"SALES {len(sales)}",
            f"REFUNDS {len(refunds)}",
            f"NET {total}",
        ):
            s.send_wait_ack(z.Apdu(*z.PRINT_LINE, b"\x00" + line.encode()))
        s.send_wait_ack(z.Apdu(*z.COMPLETION))
