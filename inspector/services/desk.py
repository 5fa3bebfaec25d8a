"""Signing people in and out of their own stores on a shared laptop: the desk opens a person's
store as Services and hands it to the window (services/people/profiles.py keeps who has which
store). It sits beside the facade, above the capability packages: it opens whole stores, so no
package below imports it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inspector.services.facade import Services
from inspector.services.people.profiles import Profiles


class PeopleDesk:
    """Signing people in and out of their own stores (Qt-free; the window swaps to the store it
    returns). `open_store` opens a person's store as Services (the composition root's, or a test's
    that talks to an in-process server)."""

    def __init__(self, profiles: Profiles, open_store: Callable[[Path], Services]) -> None:
        self.profiles = profiles
        self.open_store = open_store

    def sign_in(self, current: Services, base_url: str, username: str, password: str) -> Services:
        """Sign `username` in to their own store; returns it (`current` when it is theirs)."""
        target = self.profiles.target_for(username, current.ctx)
        svc, resp = self._sign_in_at(current, target, base_url, username, password)
        # a person whose store was split off a shared one is known by id, not yet by name
        theirs = next((p for p in self.profiles.people() if p.user_id == resp.user_id), None)
        if theirs is not None and self.profiles.dir_of(theirs) != svc.ctx.data_dir:
            fresh = svc.ctx.data_dir
            self._release(svc, current, remove=not self._known(fresh))
            svc, resp = self._sign_in_at(
                current, self.profiles.dir_of(theirs), base_url, username, password
            )
        self.profiles.record_sign_in(svc.ctx.data_dir, username, resp.user_id)
        return svc

    def sign_out(self, current: Services) -> Services:
        """Forget the session; the person's store stays as it is. Returns the guest store."""
        current.sync.sign_out()
        self.profiles.record_sign_out()
        return self.open_store(self.profiles.guest_dir())

    def _known(self, store_dir: Path) -> bool:
        return store_dir == self.profiles.guest_dir() or any(
            self.profiles.dir_of(p) == store_dir for p in self.profiles.people()
        )

    def _sign_in_at(
        self, current: Services, target: Path, base_url: str, username: str, password: str
    ) -> tuple[Services, Any]:
        svc = current if target == current.ctx.data_dir else self.open_store(target)
        try:
            return svc, svc.sync.sign_in(base_url, username, password)
        except BaseException:
            self._release(svc, current, remove=not self._known(target))
            raise

    @staticmethod
    def _release(svc: Services, current: Services, *, remove: bool) -> None:
        if svc is current:
            return
        where = svc.ctx.data_dir
        svc.close()
        if remove:  # a store made for a sign-in that did not happen
            shutil.rmtree(where, ignore_errors=True)
