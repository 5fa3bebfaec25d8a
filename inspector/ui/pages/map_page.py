"""风险四色分布图: the units on an offline map by risk colour, with a legend, filters and counts.

The map itself is `widgets.unit_map.UnitMap`; this page reads the points in the background, fills
the legend (each colour's meaning and count, a check box to show or hide it), the township filter
and the count of units without coordinates, and asks for a unit to be opened when it is clicked.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.domain.enums import SUPERVISION_LEVELS, RiskColour
from inspector.services.facade import Services
from inspector.services.units.directory import FilterOptions
from inspector.services.units.map import MapPoints
from inspector.ui.tasks import TaskRunner
from inspector.ui.widgets.unit_map import KEY_ZOOM, DotLayer, UnitMap

LEGEND_ORDER = (RiskColour.RED, RiskColour.ORANGE, RiskColour.YELLOW, RiskColour.BLUE)
PANEL_WIDTH = 270


def colour_dot(colour: RiskColour, size: int = 18) -> QIcon:
    """A round swatch of a risk colour, for the legend."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(QColor("white"))
    painter.setBrush(QColor(colour.hex))
    painter.drawEllipse(QPointF(size / 2, size / 2), size / 2 - 1, size / 2 - 1)
    painter.end()
    return QIcon(pixmap)


def read_map(services: Services, township_id: str | None) -> tuple[MapPoints, DotLayer]:
    """The points and their drawing runs, both built on a worker thread (~0.5 s at 100k units)."""
    points = services.unit_map.points(township_id)
    return points, DotLayer(points)


class MapPage(QWidget):
    open_unit_requested = Signal(str)  # unit id, after it is shown selected on the map
    message = Signal(str, str)  # text, kind (for the window's message bar)

    def __init__(
        self, services: Services, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.tasks = tasks
        self.points: MapPoints | None = None
        self._generation = 0

        self.map = UnitMap()
        self.title = QLabel("风险四色分布图")
        self.title.setStyleSheet("font-size:18px; font-weight:bold;")
        self.township = QComboBox()
        self.township.addItem("全部乡镇（街道）", None)
        self.township.setMinimumHeight(36)

        self.colour_boxes: dict[str, QCheckBox] = {}
        self.count_labels: dict[str, QLabel] = {}
        legend = QGridLayout()
        legend.setColumnStretch(0, 1)
        legend.setVerticalSpacing(6)
        for row, colour in enumerate(LEGEND_ORDER):
            box = QCheckBox(f"{colour.label}色  {colour.meaning}")
            box.setIcon(colour_dot(colour))
            box.setChecked(True)
            box.setMinimumHeight(32)
            box.setToolTip(f"在图上显示或隐藏{colour.label}色（{colour.meaning}）单位")
            box.toggled.connect(self._colours_changed)
            count = QLabel("—")
            count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            legend.addWidget(box, row, 0)
            legend.addWidget(count, row, 1)
            self.colour_boxes[colour.value] = box
            self.count_labels[colour.value] = count
        self.total_label = QLabel("")
        self.missing_label = QLabel("")
        self.missing_label.setWordWrap(True)

        self.zoom_in_button = QPushButton("放大")
        self.zoom_out_button = QPushButton("缩小")
        self.reset_button = QPushButton("全图")
        zoom_row = QHBoxLayout()
        for button in (self.zoom_in_button, self.zoom_out_button, self.reset_button):
            button.setMinimumHeight(36)
            zoom_row.addWidget(button)

        self.selected_label = QLabel("点击图上的单位可查看详情。")
        self.selected_label.setWordWrap(True)
        self.selected_label.setTextFormat(Qt.TextFormat.PlainText)
        hint = QLabel("滚轮或双指缩放，拖动平移，双击回到全图；键盘 +/− 缩放、方向键平移。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color:#666;")

        panel = QFrame()
        panel.setFixedWidth(PANEL_WIDTH)
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        pl = QVBoxLayout(panel)
        pl.addWidget(self.title)
        pl.addWidget(QLabel("乡镇（街道）："))
        pl.addWidget(self.township)
        pl.addSpacing(8)
        pl.addWidget(QLabel("图例（勾选显示）："))
        pl.addLayout(legend)
        pl.addWidget(self.total_label)
        pl.addWidget(self.missing_label)
        pl.addSpacing(8)
        pl.addLayout(zoom_row)
        pl.addSpacing(8)
        pl.addWidget(self.selected_label)
        pl.addStretch(1)
        pl.addWidget(hint)

        layout = QHBoxLayout(self)
        layout.addWidget(self.map, 1)
        layout.addWidget(panel)

        self.township.currentIndexChanged.connect(self.reload)
        self.zoom_in_button.clicked.connect(lambda: self.map.zoom_by(KEY_ZOOM))
        self.zoom_out_button.clicked.connect(lambda: self.map.zoom_by(1 / KEY_ZOOM))
        self.reset_button.clicked.connect(self.map.reset_view)
        self.map.unit_clicked.connect(self._unit_clicked)

    # -- data ----------------------------------------------------------------------------------
    def load(self) -> None:
        """Refresh the township list and the points (in the background)."""
        self.tasks.read(self.services.units.filter_options, on_done=self._set_townships)
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        if self.points is None:  # otherwise the last map stays up until the new one arrives
            self.map.set_points(None, "正在加载…")
        self.total_label.setText("正在加载…")
        self.tasks.read(
            read_map,
            self.services,
            self.township.currentData(),
            on_done=lambda result: self._show_points(result[0], result[1], generation),
            on_error=self._failed,
        )

    def _set_townships(self, options: FilterOptions) -> None:
        current = self.township.currentData()
        self.township.blockSignals(True)
        while self.township.count() > 1:
            self.township.removeItem(1)
        for tid, name in options.townships:
            self.township.addItem(name, tid)
        self.township.setCurrentIndex(max(self.township.findData(current), 0))
        self.township.blockSignals(False)

    def _show_points(self, points: MapPoints, dots: DotLayer, generation: int) -> None:
        if generation != self._generation:  # a newer filter was chosen meanwhile
            return
        self.points = points
        self.map.set_points(points, "" if len(points) else "没有可以显示在图上的单位", dots)
        self.map.set_visible_colours(self.visible_colours())
        counts = points.counts
        for colour in LEGEND_ORDER:
            self.count_labels[colour.value].setText(f"{counts.get(colour.value, 0)} 家")
        self.total_label.setText(f"图上共 {len(points)} 家单位")
        missing = points.without_coordinates
        if missing:
            self.missing_label.setText(f"{missing} 家单位无坐标，未在图上显示。")
            self.missing_label.setStyleSheet("color:#8a5a00;")
        else:
            self.missing_label.setText("全部单位均有坐标。")
            self.missing_label.setStyleSheet("color:#666;")
        self.selected_label.setText("点击图上的单位可查看详情。")

    def _failed(self, text: str) -> None:
        self.map.set_points(None, "地图数据读取失败")
        self.total_label.setText("")
        self.message.emit(text, "error")

    # -- interaction ---------------------------------------------------------------------------
    def visible_colours(self) -> set[str]:
        return {c for c, box in self.colour_boxes.items() if box.isChecked()}

    def _colours_changed(self) -> None:
        self.map.set_visible_colours(self.visible_colours())

    def _unit_clicked(self, unit_id: str) -> None:
        points = self.points
        i = self.map.selected
        if points is not None and i is not None:
            colour = points.colour(i)
            level = points.levels[i]
            self.selected_label.setText(
                f"已选：{points.names[i]}\n{colour.label}色（{colour.meaning}），"
                f"{SUPERVISION_LEVELS.get(level, level)}"
            )
        self.map.repaint()  # the selection ring is on screen before the unit opens
        self.open_unit_requested.emit(unit_id)
