"""A worker call's result is dropped when the widget that asked is gone: a language switch
rebuilds the window while the member column's panel read is still on the worker (the
result used to land on a deleted widget: 'Internal C++ object already deleted')."""

from __future__ import annotations

import threading
from typing import Any

from uihelp import TIMEOUT

from pos_app.adapters.db.writer_thread import DbThread
from pos_app.ui.common.worker import ServiceWorker
from pos_app.ui.qt import QApplication, QEvent, QLabel, isValid


class Asker(QLabel):
    def __init__(self) -> None:
        super().__init__()
        self.got: list[Any] = []

    def show_result(self, value: Any) -> None:
        self.setText(str(value))  # on a deleted widget this raises RuntimeError
        self.got.append(value)


def test_a_result_for_a_widget_that_is_gone_is_dropped(qtbot: Any) -> None:
    thread = DbThread()
    worker = ServiceWorker(thread)
    release = threading.Event()
    gone, alive = Asker(), Asker()
    qtbot.addWidget(alive)
    try:
        worker.submit(lambda: release.wait(10) and "panel", gone.show_result, lambda e: None)
        worker.submit(lambda: "panel", alive.show_result, lambda e: None)
        gone.deleteLater()
        QApplication.processEvents()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        assert not isValid(gone)
        release.set()
        qtbot.waitUntil(lambda: worker.pending == 0, timeout=TIMEOUT)
        assert alive.got == ["panel"]
    finally:
        release.set()
        worker.shutdown()
        thread.close()
