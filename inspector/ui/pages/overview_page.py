"""统计: one month's figures for township leaders — cards with each figure's definition as a
tooltip, a per-day chart (inspections; hazards stacked 一般/重大), documents by kind, and the
统计表 exported to Excel or PDF. 数据来源: the whole jurisdiction as the server computes it over
every device's synced records (the default once signed in; the last answer is kept for offline
use), or this device's own records (本机记录)."""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.domain.monthly import DEFINITIONS, MonthlyFigures, scope_text
from inspector.services.facade import Services
from inspector.ui.file_dialogs import save_file_name
from inspector.ui.tasks import TaskRunner
from inspector.ui.widgets.flow_layout import FlowLayout

# (figure key, card title) in the order shown
CARDS = (
    ("units_inspected", "检查单位"),
    ("inspections", "检查次数"),
    ("hazards_found", "发现隐患"),
    ("rectified", "已整改"),
    ("rectification_rate", "整改率"),
    ("overdue", "逾期未整改"),
    ("documents", "签发文书"),
    ("fines_yuan", "罚款金额（元）"),
)
GENERAL_COLOUR, MAJOR_COLOUR, INSPECTION_COLOUR = "#f9a825", "#d32f2f", "#1565c0"
# the scope line: this device only or kept from earlier | the server's fresh figures | failure
DEVICE_COLOUR, SERVER_COLOUR, ERROR_COLOUR = "#8a5a00", "#1b5e20", "#b00020"
DAILY_TITLE, DOCS_TITLE = "每日检查与发现隐患", "签发文书（按种类）"
# the chart's category labels: the two penalty decisions shortened so both fit beside the bars
CHART_NAMES = {
    "onsite_penalty_unit": "当场处罚决定书（单位）",
    "onsite_penalty_person": "当场处罚决定书（个人）",
}
# the charts shrink to this on a 700 px screen (the cards and choices stay whole)
CHART_MIN_HEIGHT = 200
EXPORTS = {"xlsx": (".xlsx", "Excel 工作簿 (*.xlsx)"), "pdf": (".pdf", "PDF 文件 (*.pdf)")}


class FigureCard(QFrame):
    """A titled number; the figure's definition is the tooltip."""

    def __init__(self, title: str, definition: str) -> None:
        super().__init__()
        self.setObjectName("figureCard")
        self.setStyleSheet(
            "#figureCard { background:#ffffff; border:1px solid #d0d7de; border-radius:6px; }"
        )
        self.setToolTip(definition)
        self.title = QLabel(title)
        self.title.setStyleSheet("color:#555;")
        self.value = QLabel("—")
        self.value.setStyleSheet("font-size:26px; font-weight:bold;")
        self.detail = QLabel("")
        self.detail.setStyleSheet("color:#555;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        for w in (self.title, self.value, self.detail):
            w.setToolTip(definition)
            layout.addWidget(w)


def _app_font(point_size: float | None = None) -> QFont:
    font = QFont(QApplication.font())
    if point_size is not None:
        font.setPointSizeF(point_size)
    return font


def _new_chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    chart.setTitleFont(_app_font(12))
    chart.legend().setFont(_app_font(10))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setBackgroundRoundness(4)
    return chart


def _clear(chart: QChart) -> None:
    chart.removeAllSeries()
    for axis in chart.axes():
        chart.removeAxis(axis)


def _value_axis(top: int) -> QValueAxis:
    """A count axis from 0 with whole-number ticks (at most about six of them)."""
    step = 1 if top <= 6 else math.ceil(top / 5)
    end = step * max(1, math.ceil(top / step))
    axis = QValueAxis()
    axis.setLabelFormat("%d")
    axis.setRange(0, end)
    axis.setTickCount(end // step + 1)
    axis.setLabelsFont(_app_font(9))
    return axis


class OverviewPage(QWidget):
    message = Signal(str, str)  # text, level: ok | info | error

    def __init__(
        self, services: Services, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services, self.tasks = services, tasks
        tasks.serve(services.ctx)  # the server's figures are kept through the runner's writer
        self.figures: MonthlyFigures | None = None
        self._generation = 0  # a figures read that arrives after a newer one is dropped

        title = QLabel("月度统计")
        title.setStyleSheet("font-size:18px; font-weight:bold;")
        self.month = QComboBox()
        self.month.setMinimumWidth(130)
        self.township = QComboBox()
        self.township.setMinimumWidth(150)
        self.township.addItem("全部乡镇", None)
        self.source = QComboBox()
        self.source.addItem("全辖区（服务器汇总）", "server")
        self.source.addItem("本机记录", "device")
        self.source.setCurrentIndex(1)  # until load() finds a signed-in session
        self.source.setToolTip(
            "全辖区：服务器汇总辖区内所有设备已同步的记录；本机记录：只统计本设备数据库中的记录。"
        )
        self._source_touched = False  # the person chose a source: load() keeps it
        self._months: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], [])
        self.xlsx_button = QPushButton("导出 Excel…")
        self.pdf_button = QPushButton("导出 PDF…")
        self.xlsx_button.clicked.connect(lambda: self.export("xlsx"))
        self.pdf_button.clicked.connect(lambda: self.export("pdf"))
        # the choices and exports wrap into a second row on a narrow screen
        top = FlowLayout()
        for w in (
            title,
            QLabel("数据来源"),
            self.source,
            QLabel("月份"),
            self.month,
            QLabel("乡镇"),
            self.township,
        ):
            top.addWidget(w)
        for b in (self.xlsx_button, self.pdf_button):
            b.setMinimumHeight(40)
            b.setEnabled(False)
            top.addWidget(b)

        self.scope = QLabel("统计范围：本机记录")
        self.scope.setWordWrap(True)
        self._scope_colour(DEVICE_COLOUR)

        self.cards: dict[str, FigureCard] = {}
        grid = QGridLayout()
        for n, (key, label) in enumerate(CARDS):
            card = FigureCard(label, DEFINITIONS[key])
            self.cards[key] = card
            grid.addWidget(card, n // 4, n % 4)
        self.kinds = QLabel("")
        self.kinds.setWordWrap(True)
        self.kinds.setToolTip("本月开始且已完成的检查，按检查类型。")

        self.daily_chart = _new_chart(DAILY_TITLE)
        self.docs_chart = _new_chart(DOCS_TITLE)
        self.daily_view = QChartView(self.daily_chart)
        self.docs_view = QChartView(self.docs_chart)
        charts = QHBoxLayout()
        for view, stretch in ((self.daily_view, 3), (self.docs_view, 2)):
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(CHART_MIN_HEIGHT)
            charts.addWidget(view, stretch)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.scope)
        layout.addLayout(grid)
        layout.addWidget(self.kinds)
        layout.addLayout(charts, 1)

        self.month.currentIndexChanged.connect(self.refresh)
        self.township.currentIndexChanged.connect(self.refresh)
        self.source.currentIndexChanged.connect(self._source_changed)

    # -- loading -------------------------------------------------------------------------------
    def load(self) -> None:
        """Fill the month and township choices, then the figures (all reads off the GUI thread)."""
        overview, sync = self.services.overview, self.services.sync
        self.tasks.read(
            lambda: (
                (overview.months(), overview.recent_months()),
                overview.townships(),
                sync.signed_in_as(),
            ),
            on_done=self._fill_choices,
            on_error=lambda text: self.message.emit(text, "error"),
        )

    def _fill_choices(
        self,
        choices: tuple[
            tuple[list[tuple[int, int]], list[tuple[int, int]]], list[tuple[str, str]], str | None
        ],
    ) -> None:
        self._months, townships, signed_in = choices
        month, township = self.month.currentData(), self.township.currentData()
        for combo in (self.month, self.township, self.source):
            combo.blockSignals(True)
        if not self._source_touched:
            self.source.setCurrentIndex(self.source.findData("server" if signed_in else "device"))
        self._fill_months()
        self.township.clear()
        self.township.addItem("全部乡镇", None)
        for tid, name in townships:
            self.township.addItem(name, tid)
        self.month.setCurrentIndex(max(self.month.findData(month), 0))
        self.township.setCurrentIndex(max(self.township.findData(township), 0))
        for combo in (self.month, self.township, self.source):
            combo.blockSignals(False)
        self.refresh()

    def _fill_months(self) -> None:
        """This device's months; for the server's figures also the last twelve months."""
        chosen = self.month.currentData()
        with_data, recent = self._months
        months = with_data
        if self.source.currentData() == "server":
            months = sorted(set(with_data) | set(recent), reverse=True)
        was_blocked = self.month.blockSignals(True)  # the caller decides when to refresh
        self.month.clear()
        for year, m in months:
            self.month.addItem(f"{year}年{m}月", (year, m))
        self.month.setCurrentIndex(max(self.month.findData(chosen), 0))
        self.month.blockSignals(was_blocked)

    def _source_changed(self) -> None:
        self._source_touched = True
        self._fill_months()
        self.refresh()

    def _scope_colour(self, colour: str) -> None:
        self.scope.setStyleSheet(f"color:{colour};")

    def show_month(self, year: int, month: int, township_id: str | None = None) -> None:
        """Select a month (and township) that is in the choices, and load its figures."""
        for combo in (self.month, self.township):
            combo.blockSignals(True)
        self.month.setCurrentIndex(max(self.month.findData((year, month)), 0))
        self.township.setCurrentIndex(max(self.township.findData(township_id), 0))
        for combo in (self.month, self.township):
            combo.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        chosen = self.month.currentData()
        if chosen is None:
            return
        self._generation += 1
        generation = self._generation
        for b in (self.xlsx_button, self.pdf_button):
            b.setEnabled(False)
        overview = self.services.overview
        from_server = self.source.currentData() == "server"
        if from_server:
            self.scope.setText("正在从服务器获取全辖区统计……")
            self._scope_colour(DEVICE_COLOUR)
        self.tasks.read(
            overview.server_figures if from_server else overview.figures,
            chosen[0],
            chosen[1],
            self.township.currentData(),
            on_done=lambda f: self._show(generation, f),
            on_error=lambda text: self._failed(generation, text),
        )

    def _failed(self, generation: int, text: str) -> None:
        """No figures to show (the server out of reach and nothing kept): say so, show none."""
        if generation != self._generation:
            return
        self.figures = None
        self.scope.setText(text)
        self._scope_colour(ERROR_COLOUR)
        for card in self.cards.values():
            card.value.setText("—")
            card.detail.setText("")
        self.kinds.setText("")
        for chart, title in ((self.daily_chart, DAILY_TITLE), (self.docs_chart, DOCS_TITLE)):
            _clear(chart)
            chart.setTitle(title)
        self.message.emit(text, "error")

    def _show(self, generation: int, figures: MonthlyFigures) -> None:
        if generation != self._generation:
            return
        self.figures = figures
        self.scope.setText(scope_text(figures))
        if figures.source != "server":
            self._scope_colour(DEVICE_COLOUR)
            self.scope.setToolTip(
                "只统计本设备数据库中的记录；其他设备尚未同步到本机的检查、隐患和文书不在其中。"
            )
        elif figures.stale_reason:
            self._scope_colour(DEVICE_COLOUR)
            self.scope.setToolTip(figures.stale_reason)
            self.message.emit(
                f"{figures.stale_reason}显示的是上次从服务器获取的全辖区统计。", "info"
            )
        else:
            self._scope_colour(SERVER_COLOUR)
            self.scope.setToolTip("服务器汇总辖区内所有设备已同步的检查、隐患和文书。")
        values = {line.key: line.text for line in figures.lines()}
        for key, card in self.cards.items():
            card.value.setText(values[key])
        self.cards["hazards_found"].detail.setText(
            f"一般 {figures.hazards_general} · 重大 {figures.hazards_major}"
        )
        self.cards["fines_yuan"].detail.setText(f"罚款决定 {figures.penalties} 份")
        self.cards["overdue"].value.setStyleSheet(
            "font-size:26px; font-weight:bold;" + (" color:#b00020;" if figures.overdue else "")
        )
        self.kinds.setText(
            "其中：" + "　".join(f"{k.label} {k.count} 次" for k in figures.inspections_by_kind)
        )
        self._draw_daily(figures)
        self._draw_documents(figures)
        for b in (self.xlsx_button, self.pdf_button):
            b.setEnabled(True)

    # -- charts --------------------------------------------------------------------------------
    def _draw_daily(self, f: MonthlyFigures) -> None:
        chart = self.daily_chart
        _clear(chart)
        general, major = QBarSet("一般隐患"), QBarSet("重大隐患")
        general.setColor(QColor(GENERAL_COLOUR))
        major.setColor(QColor(MAJOR_COLOUR))
        inspections = QLineSeries()
        inspections.setName("检查次数")
        inspections.setPen(QPen(QColor(INSPECTION_COLOUR), 2))
        inspections.setPointsVisible(True)
        for n, d in enumerate(f.daily):
            general.append(d.hazards_general)
            major.append(d.hazards_major)
            if d.day <= f.today:  # no line over the days still to come
                inspections.append(QPointF(n, d.inspections))
        bars = QStackedBarSeries()
        bars.append(general)
        bars.append(major)
        bars.setBarWidth(0.7)
        chart.addSeries(bars)
        chart.addSeries(inspections)
        days = QBarCategoryAxis()
        days.append([str(d.day.day) for d in f.daily])
        days.setLabelsFont(_app_font(7))
        days.setTruncateLabels(False)
        days.setTitleText(f"{f.month}月（日）")
        days.setTitleFont(_app_font(9))
        top = max(
            [d.inspections for d in f.daily]
            + [d.hazards_general + d.hazards_major for d in f.daily]
        )
        counts = _value_axis(top)
        chart.addAxis(days, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
        for series in (bars, inspections):
            series.attachAxis(days)
            series.attachAxis(counts)
        chart.legend().setFont(_app_font(10))

    def _draw_documents(self, f: MonthlyFigures) -> None:
        chart = self.docs_chart
        _clear(chart)
        kinds = list(reversed(f.documents_by_kind))  # the first kind at the top
        chart.setTitle(f"签发文书（按种类，共 {f.documents} 份）")
        chart.legend().setVisible(False)
        if not kinds:
            chart.setTitle("签发文书：本月没有签发的文书")
            return
        counts = QBarSet("份数")
        counts.setColor(QColor(INSPECTION_COLOUR))
        counts.setLabelFont(_app_font(9))
        for k in kinds:
            counts.append(k.count)
        series = QHorizontalBarSeries()
        series.append(counts)
        series.setLabelsVisible(True)
        series.setBarWidth(0.6)
        chart.addSeries(series)
        labels = QBarCategoryAxis()
        labels.append([CHART_NAMES.get(k.kind, k.label) for k in kinds])
        labels.setLabelsFont(_app_font(9))
        labels.setTruncateLabels(False)  # （单位）and（个人）differ only at the end
        axis = _value_axis(max(k.count for k in kinds))
        chart.addAxis(labels, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(labels)
        series.attachAxis(axis)

    # -- export --------------------------------------------------------------------------------
    def export(self, kind: str) -> None:
        """Ask where to save the 统计表 (.xlsx or .pdf) and write it on a worker."""
        figures = self.figures
        if figures is None:
            return
        suffix, pattern = EXPORTS[kind]
        chosen = save_file_name(
            self, "导出统计表", figures.title.replace(" ", "") + suffix, pattern
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != suffix:
            path = path.with_name(path.name + suffix)
        overview = self.services.overview
        write = overview.export_xlsx if kind == "xlsx" else overview.export_pdf
        self.message.emit(f"正在导出统计表到 {path} …", "info")
        self.tasks.read(
            write,
            figures,
            path,
            on_done=lambda out: self.message.emit(f"已导出统计表：{out}", "ok"),
            on_error=lambda text: self.message.emit(text, "error"),
        )
