"""Qt translations: our own `.qm` (pos_app/ui/i18n/guitai_zh_CN.qm, from guitai_zh_CN.ts)
and Qt's own `qtbase_zh_CN.qm` (standard buttons, input-method menus).  Source strings are
English; Chinese is the default language of the till."""

from __future__ import annotations

from pathlib import Path

from ..qt import QApplication, QLibraryInfo, QTranslator

I18N_DIR = Path(__file__).parents[1] / "i18n"
LANGS = ("zh", "en")


class Translations:
    def __init__(self, app: QApplication) -> None:
        self.app = app
        self._installed: list[QTranslator] = []
        self.lang = "en"

    def set(self, lang: str) -> bool:
        """Switch the language; returns False when a translation file is missing."""
        for t in self._installed:
            self.app.removeTranslator(t)
        self._installed.clear()
        self.lang = lang
        if lang == "en":
            return True
        ok = True
        ours = QTranslator(self.app)
        if ours.load(str(I18N_DIR / "guitai_zh_CN.qm")):
            self._installed.append(ours)
        else:
            ok = False
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        qtbase = QTranslator(self.app)
        if qtbase.load("qtbase_zh_CN", qt_dir):
            self._installed.append(qtbase)
        for t in self._installed:
            self.app.installTranslator(t)
        return ok
