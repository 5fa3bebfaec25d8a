"""The sign-in token lives in the keyring (an in-memory backend in the tests), and a machine with no
keyring gets a Chinese message instead of a silent plaintext fallback."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail

from inspector.domain.errors import UserError
from inspector.services.people.credentials import SESSION, CredentialStore, keyring_available


def test_token_round_trip_through_the_keyring() -> None:
    store = CredentialStore("inspector-test")
    assert type(keyring.get_keyring()).__name__ == "MemoryKeyring"
    store.save_token("lijianguo", "tok-123")
    assert store.token("lijianguo") == "tok-123"
    store.forget("lijianguo")
    assert store.token("lijianguo") is None
    store.forget("lijianguo")  # forgetting twice is harmless


def test_no_keyring_is_refused_plainly() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(UserError, match="系统钥匙串不可用"):
            CredentialStore("inspector-test").save_token("u", "secret")
        assert CredentialStore("inspector-test").token("u") is None
    finally:
        keyring.set_keyring(previous)


def test_no_keyring_session_only_keeps_the_token_in_memory() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert not keyring_available()
        store = CredentialStore("inspector-test")
        SESSION.allow()  # the person pressed 仅本次登录
        store.save_token("u", "secret")
        assert store.token("u") == "secret"
        assert CredentialStore("inspector-test").token("u") == "secret"  # another store's too
        store.forget("u")
        assert store.token("u") is None
        store.save_token("u", "secret")
        SESSION.clear()  # the app closes: the next start asks again
        assert store.token("u") is None
        with pytest.raises(UserError, match="仅本次登录"):
            store.save_token("u", "secret")
    finally:
        SESSION.clear()
        keyring.set_keyring(previous)
        assert keyring_available()
