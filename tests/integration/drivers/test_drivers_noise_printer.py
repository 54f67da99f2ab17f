"""A printer that answers garbage: the till gets a clear outcome, never a crash."""

from __future__ import annotations

import contextlib
import random
import select
import socket
import threading

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_app.adapters.hardware import Hardware
from pos_app.domain.errors import GuitaiError


class NoisePrinter:
    """Accepts connections and answers every chunk it receives with random bytes."""

    def __init__(self, seed: int, hang_up_after: int | None) -> None:
        self.rng = random.Random(seed)
        self.hang_up_after = hang_up_after
        self.srv = socket.socket()
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(2)
        self.port = self.srv.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stop.is_set():
            ready, _, _ = select.select([self.srv], [], [], 0.05)
            if not ready:
                continue
            conn, _ = self.srv.accept()
            with conn:
                chunks = 0
                while not self.stop.is_set():
                    ready, _, _ = select.select([conn], [], [], 0.05)
                    if not ready:
                        continue
                    try:
                        if not conn.recv(4096):
                            break
                        chunks += 1
                        if self.hang_up_after is not None and chunks > self.hang_up_after:
                            break
                        conn.sendall(self.rng.randbytes(self.rng.randint(0, 8)))
                    except OSError:
                        break

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2)
        with contextlib.suppress(OSError):
            self.srv.close()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(0, 2**32), st.one_of(st.none(), st.integers(0, 6)))
def test_garbage_answers_never_crash_the_till(store, seed: int, hang_up_after: int | None) -> None:
    printer = NoisePrinter(seed, hang_up_after)
    store.add_device(
        "noisy",
        "printer",
        f"tcp://127.0.0.1:{printer.port}",
        {"status_timeout": 0.05, "print_timeout": 0.5},
        replace=True,
    )
    hw = Hardware(store, wait_s=10)
    try:
        try:
            outcome = hw.enqueue_and_print("noisy", b"\x1b@hello\n\x1dV\x00", "receipt", "s")
            assert outcome.state in ("done", "unconfirmed")
        except GuitaiError as err:
            assert err.message and err.message_zh  # a person-readable reason
        report = hw.device_report(store.get_device("noisy"))
        assert report["state"] in {
            "ok",
            "paper_near_end",
            "paper_out",
            "cover_open",
            "cutter_error",
            "offline",
            "error",
            "unknown",
            "unavailable",
        }
        if report["state"] != "unavailable":
            hw.open_drawer("test", user="tech")
    except GuitaiError as err:
        assert err.message and err.message_zh
    finally:
        hw.close()
        printer.close()
    assert all(j.state in ("done", "failed", "unconfirmed") for j in store.jobs("noisy"))
