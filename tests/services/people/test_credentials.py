"""The sign-in token lives in the keyring (an in-memory backend in the tests), and a machine with no
keyring gets a Chinese message instead of a silent plaintext fallback."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail

from inspector.domain.errors import UserError
from inspector.services.people.credentials import CredentialStore


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
