"""The sign-in token, kept in the operating system's keyring (Windows Credential Manager, macOS
Keychain, Secret Service) — never in the database, a config file or a log.

Where the system has no usable keyring (a minimal Linux desktop), saving is refused with a Chinese
message unless the person chose "仅本次登录": then the token is kept in this process's memory only
(`SESSION`), the sync works until the app closes, and the next start asks for the password again.
There is no plaintext fallback. Tests select an in-memory keyring backend through the
PYTHON_KEYRING_BACKEND environment variable (or `keyring.set_keyring`), so this code path is the
real one.
"""

from __future__ import annotations

import logging
import threading

import keyring
from keyring.backends import fail, null
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

from inspector.domain.errors import UserError

log = logging.getLogger("inspector.credentials")

SERVICE = "inspector-sync-token"
NO_KEYRING = (
    "本机的系统钥匙串不可用，无法安全保存登录凭据。可以选择“仅本次登录”："
    "凭据只保存在内存中，关闭程序后需要重新登录。"
)
# what the sign-in dialog explains before the person signs in on such a machine
SESSION_ONLY_NOTE = (
    "本机没有可用的系统钥匙串（如 GNOME 钥匙串、KWallet），登录凭据无法安全地长期保存。"
    "点“仅本次登录”后，凭据只保存在内存中：本次运行期间可以同步，关闭程序后需要重新输入密码。"
    "密码和凭据都不会以明文写入磁盘。"
)


class SessionTokens:
    """Tokens held in this process's memory only, once the person agreed to it ("仅本次登录")."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, str], str] = {}
        self.allowed = False

    def allow(self) -> None:
        self.allowed = True

    def put(self, service: str, user: str, token: str) -> None:
        with self._lock:
            self._tokens[(service, user)] = token

    def get(self, service: str, user: str) -> str | None:
        with self._lock:
            return self._tokens.get((service, user))

    def drop(self, service: str, user: str) -> None:
        with self._lock:
            self._tokens.pop((service, user), None)

    def clear(self) -> None:
        """What the end of the process does (and tests standing for it)."""
        with self._lock:
            self._tokens.clear()
        self.allowed = False


SESSION = SessionTokens()  # one per process, like the OS keyring is one per user


_KNOWN: dict[str, bool] = {}  # the answer of keyring_available, once asked


def keyring_available() -> bool:
    """Whether the OS offers a keyring to keep the token in. The first call may probe D-Bus (not
    on the GUI thread; the app asks once at start-up); the answer is remembered."""
    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken backend configuration: as good as none
        log.warning("keyring backend could not be loaded", exc_info=True)
        backend = fail.Keyring()
    available = not isinstance(backend, fail.Keyring | null.Keyring)
    _KNOWN["available"] = available
    return available


def keyring_known() -> bool | None:
    """keyring_available's last answer without asking again (None: not asked yet)."""
    return _KNOWN.get("available")


class CredentialStore:
    """One token per signed-in user name (the keyring entry's user)."""

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service

    def save_token(self, user: str, token: str) -> None:
        try:
            keyring.set_password(self.service, user, token)
            return
        except KeyringError as exc:
            if not SESSION.allowed:
                if isinstance(exc, NoKeyringError):
                    raise UserError(NO_KEYRING) from None
                raise UserError(f"保存登录凭据失败：{type(exc).__name__}。{NO_KEYRING}") from None
            log.info("no usable keyring (%s): token kept for this session only", type(exc).__name__)
        SESSION.put(self.service, user, token)

    def token(self, user: str) -> str | None:
        try:
            found = keyring.get_password(self.service, user)
        except KeyringError:
            found = None
        return found or SESSION.get(self.service, user)

    def forget(self, user: str) -> None:
        SESSION.drop(self.service, user)
        try:
            keyring.delete_password(self.service, user)
        except (PasswordDeleteError, KeyringError):
            return
