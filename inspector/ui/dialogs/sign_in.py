"""登录同步服务器: server address, user name and password.

The sign-in runs on the task runner (it talks to the server); errors show in Chinese inside the
dialog. The password leaves the field as soon as it is handed to the sign-in call and is never
logged; the token goes to the keyring inside the sync service.

Where the OS has no keyring the dialog says so before anything is typed and offers "仅本次登录":
the token is then kept in memory for this run only (services.people.credentials), never on disk.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.services.people.credentials import (
    NO_KEYRING,
    SESSION,
    SESSION_ONLY_NOTE,
    keyring_available,
    keyring_known,
)
from inspector.ui.tasks import TaskRunner

SignIn = Callable[[str, str, str], Any]  # (server, user name, password) → what the page needs


class SignInDialog(QDialog):
    signed_in = Signal(str)  # the user name
    # what the sign-in call returned (the person's own store when it is another one)
    signed_in_to = Signal(object)

    def __init__(
        self,
        sign_in: SignIn,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        server_url: str = "",
        username: str = "",
    ) -> None:
        super().__init__(parent)
        self.sign_in = sign_in
        self.tasks = tasks
        self.setWindowTitle("登录同步服务器")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.server = QLineEdit(server_url)
        self.server.setPlaceholderText("例如 https://sync.example.gov.cn")
        self.username = QLineEdit(username)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        for w in (self.server, self.username, self.password):
            w.setMinimumHeight(36)
            w.textChanged.connect(self._update_button)
        form.addRow("服务器地址：", self.server)
        form.addRow("用户名：", self.username)
        form.addRow("密码：", self.password)
        layout.addLayout(form)
        # shown when the keyring is missing: known at start-up (app.py asks then), else asked
        # off the GUI thread as the dialog opens, before anything is typed
        self.keyring_note = QLabel(SESSION_ONLY_NOTE)
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setStyleSheet(
            "background:#fff4d6; border:1px solid #e0b84c; padding:8px; color:#5a4300;"
        )
        self.keyring_note.hide()
        layout.addWidget(self.keyring_note)
        # room for three lines, always: a message appearing never moves the buttons
        self.error = QLabel("")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#b00020;")
        self.error.setMinimumHeight(self.error.fontMetrics().lineSpacing() * 3 + 4)
        self.error.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.sign_in_button = QPushButton("登录")
        self.sign_in_button.setMinimumHeight(40)
        self.sign_in_button.setDefault(True)
        buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.clicked.connect(self.reject)
        self.sign_in_button.clicked.connect(self.submit)
        layout.addWidget(buttons)
        self._busy = False
        self.session_only = False  # the token stays in memory for this run (no keyring)
        self._update_button()
        (self.password if server_url and username else self.server).setFocus()
        known = keyring_known()
        if known is None:
            tasks.read(keyring_available, on_done=self._keyring_known)
        else:
            self._keyring_known(known)

    def _keyring_known(self, available: bool) -> None:
        if not available:
            self.offer_session_only()

    def offer_session_only(self) -> None:
        """No keyring here: explain it, and make the sign-in button the session-only one."""
        self.session_only = True
        self.keyring_note.show()
        self.sign_in_button.setText("仅本次登录")

    def _filled(self) -> bool:
        return all(w.text().strip() for w in (self.server, self.username)) and bool(
            self.password.text()
        )

    def _update_button(self) -> None:
        self.sign_in_button.setEnabled(self._filled() and not self._busy)

    def submit(self) -> None:
        if not self._filled() or self._busy:
            return
        url, user, password = self.server.text(), self.username.text(), self.password.text()
        if self.session_only:
            SESSION.allow()  # the person chose it by pressing 仅本次登录 after the note
        self.password.clear()  # the secret leaves the widget now
        self._busy = True
        self._update_button()
        self.error.setStyleSheet("color:#555;")
        self.error.setText("正在登录…")
        # on the pool, as a sync run: the network and the keyring never hold up the writer; the
        # sign-in's own short writes are sent to it (SyncEngine.sign_in)
        self.tasks.read(
            self.sign_in,
            url,
            user,
            password,
            on_done=lambda result: self._done(user.strip(), result),
            on_error=self.show_error,
        )

    def _done(self, username: str, result: object) -> None:
        self._busy = False
        self.error.setText("")
        self.accept()
        self.signed_in.emit(username)
        self.signed_in_to.emit(result)  # last: it may close the window

    def show_error(self, message: str) -> None:
        self._busy = False
        if NO_KEYRING in message and not self.session_only:
            # a keyring that exists but refused the token (locked, broken): same offer
            self.offer_session_only()
        self.error.setStyleSheet("color:#b00020;")
        self.error.setText(message)
        self._update_button()
        self.password.setFocus()
