"""What the window remembers between runs on this computer, per operating-system user: the folder
each kind of file was last taken from or saved to (a camera card's DCIM), and the printer last
printed on. Stored with QSettings (an INI file in the user's config folder, e.g.
~/.config/inspector/ui.ini): choices of the person at this machine, no records and no secrets."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

# kinds of files whose folders are remembered apart
PHOTOS = "photos"  # photos from a camera card or phone, for inspections, patrols, reports
EXPORTS = "exports"  # PDFs and tables saved for someone else


def _store() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "inspector", "ui")


def last_folder(kind: str) -> str:
    """The folder last used for `kind` when it still exists, else "" (Qt's own default)."""
    value = _store().value(f"folders/{kind}", "")
    folder = value if isinstance(value, str) else ""
    return folder if folder and Path(folder).is_dir() else ""


def remember_folder(kind: str, chosen: str | Path) -> None:
    """Remember the folder of a chosen file (or the chosen folder itself)."""
    path = Path(chosen)
    folder = path if path.is_dir() else path.parent
    store = _store()
    store.setValue(f"folders/{kind}", str(folder))
    store.sync()


def last_printer() -> str:
    value = _store().value("printing/last_printer", "")
    return value if isinstance(value, str) else ""


def remember_printer(printer: QPrinter) -> None:
    """After the print dialog was accepted: the queue the person chose (not a print to file)."""
    if printer.outputFormat() != QPrinter.OutputFormat.NativeFormat or not printer.printerName():
        return
    store = _store()
    store.setValue("printing/last_printer", printer.printerName())
    store.sync()


def preselect_printer(printer: QPrinter) -> None:
    """Before the print dialog opens: the printer used last time, when it is still installed."""
    name = last_printer()
    if name and name in QPrinterInfo.availablePrinterNames():
        printer.setPrinterName(name)
