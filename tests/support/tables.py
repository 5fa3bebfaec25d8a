"""What a person reads in a table view: each row's cells as text, in the order shown."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel


def rows_of(model: QAbstractItemModel) -> list[list[str]]:
    return [
        [str(model.index(r, c).data() or "") for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]
