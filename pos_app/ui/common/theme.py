"""Fonts and the style sheet: large type, calm colours, touch-sized targets (≥ 56 px)."""

from __future__ import annotations

from pathlib import Path

from ..qt import QApplication, QFont, QFontDatabase

CJK_FONT_FILES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
PREFERRED = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei")

INK = "#1d2733"
MUTED = "#5f6b7a"
PAPER = "#f3f4f6"
PANEL = "#ffffff"
LINE = "#d9dde3"
PRIMARY = "#2d5b86"
PAY = "#1e7a4c"
DANGER = "#a8322d"
WARN = "#b7791f"


def cjk_family() -> str:
    """A family that renders Chinese; registers the bundled WenQuanYi file when fontconfig
    does not know it (offscreen test runs, minimal kiosks)."""
    families = set(QFontDatabase.families())
    for name in PREFERRED:
        if name in families:
            return name
    for path in CJK_FONT_FILES:
        if path.exists():
            fid = QFontDatabase.addApplicationFont(str(path))
            found = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
            if found:
                return str(found[0])
    return QApplication.font().family()


STYLE = f"""
QWidget {{ color: {INK}; font-size: 17px; }}
QMainWindow, QWidget#screen {{ background: {PAPER}; }}
QFrame#panel {{ background: {PANEL}; border: 1px solid {LINE}; border-radius: 10px; }}
QFrame#header {{ background: {INK}; }}
QFrame#header QLabel {{ color: #e8edf2; font-size: 17px; }}
QFrame#header QLabel#store {{ font-size: 20px; font-weight: bold; }}
QFrame#header QPushButton {{ background: #2e3b4a; color: #e8edf2; border: 1px solid #44546a;
  min-height: 40px; min-width: 72px; padding: 0 14px; border-radius: 6px; font-size: 16px; }}
QLabel#title {{ font-size: 26px; font-weight: bold; }}
QLabel#muted {{ color: {MUTED}; font-size: 15px; }}
QLabel#error {{ color: {DANGER}; font-size: 17px; }}
QLabel#ok {{ color: {PAY}; font-size: 17px; }}
QLabel#figLabel {{ color: {MUTED}; font-size: 18px; }}
QLabel#figure {{ font-size: 20px; }}
QLabel#big {{ font-size: 44px; font-weight: bold; }}
QLabel#huge {{ font-size: 64px; font-weight: bold; color: {PAY}; }}
QLabel#totalLabel {{ font-size: 20px; color: {MUTED}; }}
QLabel#total {{ font-size: 48px; font-weight: bold; }}
QPushButton {{ background: {PANEL}; border: 1px solid #b9c1cb; border-radius: 8px;
  min-height: 56px; padding: 0 16px; font-size: 18px; }}
QPushButton:pressed {{ background: #e3e8ee; }}
QPushButton:checked {{ background: #dbe7f3; border: 2px solid {PRIMARY}; font-weight: bold; }}
QPushButton:disabled {{ color: #9aa4b0; background: #eceef1; border-color: {LINE}; }}
QPushButton#primary {{ background: {PRIMARY}; color: white; border: none; font-weight: bold; }}
QPushButton#pay {{ background: {PAY}; color: white; border: none; font-size: 26px;
  font-weight: bold; min-height: 88px; }}
QPushButton#pay:disabled {{ background: #9fbfae; }}
QPushButton#danger {{ color: {DANGER}; border-color: #d9a7a4; }}
QPushButton#key {{ font-size: 26px; min-height: 56px; min-width: 64px; }}
QPushButton#tile {{ font-size: 22px; min-height: 96px; min-width: 150px; }}
QPushButton#tile:checked {{ background: {PRIMARY}; color: white; border: none; }}
QLineEdit {{ background: white; border: 2px solid #b9c1cb; border-radius: 8px;
  min-height: 52px; padding: 0 12px; font-size: 22px; }}
QLineEdit:focus {{ border-color: {PRIMARY}; }}
QLineEdit#scan {{ font-size: 26px; min-height: 60px; }}
QTableWidget {{ background: white; border: 1px solid {LINE}; border-radius: 8px;
  gridline-color: #eef0f3; font-size: 19px; selection-background-color: #dbe7f3;
  selection-color: {INK}; }}
QHeaderView::section {{ background: #eef1f5; border: none; border-bottom: 1px solid {LINE};
  padding: 8px; font-size: 15px; color: {MUTED}; }}
QListWidget {{ background: white; border: 1px solid {LINE}; border-radius: 8px; font-size: 19px; }}
QListWidget::item {{ min-height: 48px; padding: 4px 10px; }}
QListWidget::item:selected {{ background: #dbe7f3; color: {INK}; }}
QSpinBox {{ min-height: 48px; font-size: 20px; padding: 0 6px; }}
QSpinBox::up-button, QSpinBox::down-button {{ width: 40px; }}
QPlainTextEdit {{ background: white; font-size: 16px;
  font-family: "WenQuanYi Micro Hei Mono", "Noto Sans Mono CJK SC", "Sarasa Mono SC", monospace; }}
QFrame#statusbar {{ background: #e6e9ee; border-top: 1px solid {LINE}; }}
QToolButton#device {{ border: none; padding: 2px 6px; font-size: 14px; min-height: 34px; }}
QToolButton#device:pressed {{ background: #d5dbe3; }}
QProgressBar {{ max-height: 6px; border: none; background: transparent; }}
QProgressBar::chunk {{ background: {PRIMARY}; }}
"""


def apply(app: QApplication) -> str:
    family = cjk_family()
    font = QFont(family)
    font.setPixelSize(17)
    app.setFont(font)
    app.setStyleSheet(STYLE)
    return family
