"""The Qt side of the composition root: QApplication, fonts, translations, the main window."""

from __future__ import annotations

import logging
import sys
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
from inspector.services.facade import Services
from inspector.services.people.profiles import PeopleDesk
from inspector.ui.main_window import MainWindow

log = logging.getLogger("inspector.ui")
_qt_log = logging.getLogger("inspector.qt")


def _qt_message(kind: QtMsgType, _context: object, message: str) -> None:
    level = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
    }.get(kind, logging.ERROR)
    _qt_log.log(level, "%s", message)


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv or sys.argv[:1])
    install_fonts(app)
    translator = QTranslator(app)
    if translator.load(
        QLocale(QLocale.Language.Chinese, QLocale.Country.China),
        "qtbase",
        "_",
        QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
    ):
        app.installTranslator(translator)
    return app


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
    qInstallMessageHandler(_qt_message)
    app = make_application()
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
