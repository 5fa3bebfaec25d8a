"""F1: a short Chinese help — the keyboard path of an inspection, what the colours mean, how sync
works. Non-modal, owned by the window the person is in; Esc or 关闭 closes it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from inspector.domain.enums import RiskColour
from inspector.ui.pages.inspection_page import RESULT_COLOURS

TITLE = "使用帮助"

KEYBOARD_PATH = (
    ("Ctrl+F", "到“单位”页的搜索框，输入单位名称、拼音首字母或地址。"),
    ("↓ / Enter", "选中搜索结果，打开单位。"),
    ("开始检查（Enter 或 Ctrl+Enter）", "确认检查人员（至少两名执法人员）和检查表，开始现场检查。"),
    ("1 / 2 / 3 / 0", "把当前检查项标记为符合 / 不符合 / 不涉及 / 未检查，↑↓ 换项。"),
    ("Ctrl+Z", "撤销最近一次检查项标记（可连续撤销），该项重新选中。"),
    ("完成检查（Ctrl+Enter）", "逐项核对后完成检查，记录即被固定；随后可预览、签发现场检查记录。"),
    ("Ctrl+1…", "切换左侧的各个页面。"),
    ("Esc", "关闭当前对话框（包括本帮助）。"),
)


def _colour_rows() -> str:
    results = (
        ("符合", RESULT_COLOURS["pass"]),
        ("不符合（隐患）", RESULT_COLOURS["fail"]),
        ("不涉及", RESULT_COLOURS["na"]),
        ("未检查", RESULT_COLOURS["unchecked"]),
    )
    items = "".join(f"<li><b style='color:{c}'>■</b> {name}</li>" for name, c in results)
    risks = "".join(
        f"<li><b style='color:{r.hex}'>●</b> {r.label}：{r.meaning}</li>" for r in RiskColour
    )
    return (
        f"<p>检查项的颜色：</p><ul>{items}</ul>"
        "<p>红色字的隐患是重大隐患或与服务器上的修改冲突，需要处理。</p>"
        f"<p>地图和单位列表中的风险四色：</p><ul>{risks}</ul>"
    )


def help_html() -> str:
    keys = "".join(f"<tr><td><b>{k}</b></td><td>{what}</td></tr>" for k, what in KEYBOARD_PATH)
    return (
        "<h3>用键盘完成一次检查</h3>"
        f"<table cellspacing='0' cellpadding='4'>{keys}</table>"
        "<h3>颜色的含义</h3>"
        f"{_colour_rows()}"
        "<h3>同步</h3>"
        "<p>所有记录先保存在本机，没有网络也能检查、签发和打印。连上网络后，在“同步”页点“立即同步”："
        "本机的新记录发送到服务器，服务器上的新任务、单位信息和同事的记录取回本机。"
        "状态栏显示待同步的条数；同一条记录被两边同时修改时，冲突会列在“同步”页，请逐条确认。</p>"
        "<p>窗口底部的消息栏显示操作结果和拒绝的原因；换到别的页面时消息会清除。</p>"
    )


class HelpDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(False)
        self.text.setHtml(help_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(560, 520)  # fits a 1024×700 screen; the text scrolls if it must
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
