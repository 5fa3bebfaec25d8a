"""The Qt side of the composition root: QApplication, fonts, translations, the main window."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections import deque
from pathlib import Path

from PySide6.QtCore import (
    QLibraryInfo,
    QLocale,
    QTimer,
    QtMsgType,
    QTranslator,
    qInstallMessageHandler,
)
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from inspector.fonts import font_files
from inspector.services.desk import PeopleDesk
from inspector.services.facade import Services
from inspector.services.people.credentials import keyring_available
from inspector.ui import qt_startup
from inspector.ui.main_window import MainWindow

log = logging.getLogger("inspector.ui")
_qt_log = logging.getLogger("inspector.qt")


_qt_seen: deque[str] = deque(maxlen=12)  # Qt's last words, for a fatal start-up failure


def _qt_message(kind: QtMsgType, _context: object, message: str) -> None:
    level = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
    }.get(kind, logging.ERROR)
    _qt_log.log(level, "%s", message)
    if kind != QtMsgType.QtDebugMsg:
        _qt_seen.append(message)
    if kind == QtMsgType.QtFatalMsg:
        # Qt aborts after this; without a window the terminal is the only place to say why
        if QApplication.instance() is None or not _started:
            text = qt_startup.reason(list(_qt_seen))
        else:
            text = f"程序遇到严重错误，无法继续运行：{message}"
        print(text, file=sys.stderr, flush=True)
        _qt_log.critical("%s", text)
        os._exit(3)


_started = False  # a QApplication was made (a fatal message after that is not a start-up one)


def make_application(argv: list[str] | None = None) -> QApplication:
    global _started
    qInstallMessageHandler(_qt_message)
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        chinese_dates_from_system()
        app = QApplication(argv or sys.argv[:1])
    _started = True
    install_fonts(app)
    install_chinese(app)
    return app


CHINESE = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
# Strings of Qt's own dialogs that Qt's shipped qtbase_zh_CN.qm leaves in English (its catalogue
# predates a change of the source text): (context, source) → Chinese.
_MISSING_IN_QTBASE = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
}


class _QtGaps(QTranslator):
    """Translates the few strings qtbase_zh_CN.qm misses; None (a null QString: ask the next
    translator) otherwise."""

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        return _MISSING_IN_QTBASE.get((context, source))  # type: ignore[return-value]

    def isEmpty(self) -> bool:
        return False


def chinese_dates_from_system() -> None:
    """Qt's file dialog writes dates in the *system* locale, not the default one: on Unix ask for
    Chinese dates through LC_TIME before Qt starts, unless the person set LC_ALL/LC_TIME
    themselves (Windows and macOS take the system locale from the user's settings)."""
    if sys.platform.startswith(("win", "darwin")):
        return
    if os.environ.get("LC_ALL") or os.environ.get("LC_TIME"):
        return
    if not os.environ.get("LANG", "").startswith("zh"):
        os.environ["LC_TIME"] = "zh_CN.UTF-8"


def install_chinese(app: QApplication) -> list[QTranslator]:
    """Chinese throughout Qt's own widgets: the default locale (day and month names, dates, file
    sizes, number formats follow it; it is "C" unless set) and the qtbase translation (dialog texts,
    standard buttons) with the few strings it misses. Returns the installed translators."""
    QLocale.setDefault(CHINESE)
    installed: list[QTranslator] = []
    qtbase = QTranslator(app)
    if qtbase.load(
        CHINESE, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        app.installTranslator(qtbase)
        installed.append(qtbase)
    else:
        log.error("Qt's Chinese translation (qtbase_zh_CN.qm) was not found")
    gaps = _QtGaps(app)
    app.installTranslator(gaps)  # asked first (Qt asks the last installed first)
    installed.append(gaps)
    return installed


def install_fonts(app: QApplication) -> None:
    """Register the shipped CJK font so Chinese never depends on system fonts."""
    families: list[str] = []
    for _name, path in font_files():
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families.extend(QFontDatabase.applicationFontFamilies(font_id))
    if families:
        font = QFont(families[0], 11)
        font.setFamilies(families)
        app.setFont(font)
    else:
        log.error("no CJK font could be registered; Chinese text may not render")


def show_startup_error(message: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    make_application()
    QMessageBox.critical(None, "安全生产现场执法检查终端", message)


def run_gui(
    services: Services, screenshot: Path | None = None, desk: PeopleDesk | None = None
) -> int:
    """The main window on `services`; when a person signs in to (or out of) their own store, the
    window closes and a new one opens on that store."""
    app = make_application()
    # whether the OS has a keyring (may probe D-Bus): asked once now, so the sign-in dialog knows
    threading.Thread(target=keyring_available, name="keyring-probe", daemon=True).start()
    while True:
        window = MainWindow(services, desk=desk)
        window.start()
        window.show()
        if screenshot is not None:
            _screenshot_when_ready(app, window, screenshot)
        code = app.exec()
        following = window.next_services
        services.close()
        if following is None:
            return code
        services = following


def _screenshot_when_ready(app: QApplication, window: MainWindow, screenshot: Path) -> None:
    units = window.units

    def grab() -> None:
        if window.tasks.pending:  # wait until the first pages have loaded
            QTimer.singleShot(100, grab)
            return
        units.select_row(0)
        QTimer.singleShot(400, save)

    def save() -> None:
        if window.tasks.pending:
            QTimer.singleShot(100, save)
            return
        ok = window.grab().save(str(screenshot))
        log.info("screenshot %s saved=%s", screenshot, ok)
        window.close()
        app.exit(0 if ok else 1)

    QTimer.singleShot(300, grab)
