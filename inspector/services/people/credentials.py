"""The sign-in token, kept in the operating system's keyring (Windows Credential Manager, macOS
Keychain, Secret Service) — never in the database, a config file or a log.

Where the system has no usable keyring, saving is refused with a Chinese message: the app then asks
for the password at each sync instead of falling back to a plaintext file. Tests select an in-memory
backend through the PYTHON_KEYRING_BACKEND environment variable, so this code path is the real one.
"""

from __future__ import annotations

import keyring
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

from inspector.domain.errors import UserError

SERVICE = "inspector-sync-token"
NO_KEYRING = (
    "本机的系统钥匙串不可用，无法安全保存登录凭据。本次同步后不会保存登录状态，"
    "下次同步时需要重新输入密码。"
)


class CredentialStore:
    """One token per signed-in user name (the keyring entry's user)."""

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service

    def save_token(self, user: str, token: str) -> None:
        try:
            keyring.set_password(self.service, user, token)
        except NoKeyringError:
            raise UserError(NO_KEYRING) from None
        except KeyringError as exc:
            raise UserError(f"保存登录凭据失败：{type(exc).__name__}。{NO_KEYRING}") from None

    def token(self, user: str) -> str | None:
        try:
            return keyring.get_password(self.service, user)
        except KeyringError:
            return None

    def forget(self, user: str) -> None:
        try:
            keyring.delete_password(self.service, user)
        except (PasswordDeleteError, NoKeyringError):
            return
