"""The one door to Qt: every UI module imports Qt names from here, so a Qt binding upgrade or
swap touches one file."""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import (
    QCoreApplication,
    QElapsedTimer,
    QEvent,
    QLibraryInfo,
    QLocale,
    QObject,
    QRectF,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    QTranslator,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPen,
    QPixmap,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid


def guard_none_refcount() -> None:
    """Work around a PySide6 6.12 / CPython 3.11 reference-count bug.

    With PySide6 6.12.0 on Python 3.11, every call of a Qt method that returns void
    (QLabel.setText, QTimer.start, QWidget.hide …) drops one reference to None that it never
    took (measured: 2000 calls of setText lower sys.getrefcount(None) by exactly 2000).  None
    starts a process with ~4,500 references, so a till dies with "Fatal Python error:
    none_dealloc" after a few thousand UI updates — minutes of selling.  From Python 3.12
    None is immortal (PEP 683) and the bug is harmless, so this does nothing there.  On 3.11
    we give None 2^40 extra references once: far more than a till makes in its lifetime, and
    None is never legitimately deallocated, so the count has no other meaning.
    Remove when the venv moves to Python ≥ 3.12 or to a fixed PySide6.
    """
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    if getattr(guard_none_refcount, "done", False):
        return
    # CPython 3.11 object layout: ob_refcnt (Py_ssize_t) is the first field at id(obj).
    refcnt = ctypes.c_ssize_t.from_address(id(None))
    refcnt.value += 1 << 40
    guard_none_refcount.done = True  # type: ignore[attr-defined]


__all__ = [
    "QAbstractItemView",
    "QApplication",
    "QCheckBox",
    "QCloseEvent",
    "QColor",
    "QCoreApplication",
    "QDialog",
    "QElapsedTimer",
    "QEvent",
    "QFont",
    "QFontDatabase",
    "QFontMetrics",
    "QFrame",
    "QGridLayout",
    "QGuiApplication",
    "QHBoxLayout",
    "QHeaderView",
    "QImage",
    "QKeyEvent",
    "QKeySequence",
    "QLabel",
    "QLibraryInfo",
    "QLineEdit",
    "QListWidget",
    "QListWidgetItem",
    "QLocale",
    "QMainWindow",
    "QMessageBox",
    "QObject",
    "QPainter",
    "QPen",
    "QPixmap",
    "QPlainTextEdit",
    "QProgressBar",
    "QPushButton",
    "QRectF",
    "QResizeEvent",
    "QRunnable",
    "QScrollArea",
    "QShortcut",
    "QSize",
    "QSizePolicy",
    "QSpinBox",
    "QStackedWidget",
    "QStyleOptionViewItem",
    "QStyledItemDelegate",
    "QTableWidget",
    "QTableWidgetItem",
    "QThreadPool",
    "QTimer",
    "QToolButton",
    "QTranslator",
    "QVBoxLayout",
    "QWidget",
    "Qt",
    "Signal",
    "Slot",
    "guard_none_refcount",
    "isValid",
]
