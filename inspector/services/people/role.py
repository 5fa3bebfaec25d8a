"""Who is signed in here and in which role: what the window shows, and what a role may do.

The role and grids come with the sign-in answer (`LoginResponse`) and again with every sync's
meta, and are stored at once (the `user` row's role, the `GRIDS` setting), so a grid worker's
window is a grid worker's from the moment they sign in, before any pull. A grid worker sees the
units of their own grid only (`scoped_filters`, used by the unit list, its filters and the patrol's
grids) and takes no enforcement action (`refuse_enforcement`: no inspection started, no document
issued).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlmodel import Session

from inspector.domain.enums import Role
from inspector.domain.errors import UserError
from inspector.services.context import Context
from inspector.services.setting_rows import (
    GRIDS,
    USERNAME,
    current_user_id,
    get_setting,
    set_setting,
)
from inspector.store.models import User
from inspector.store.unit_search import UnitFilters

NOT_SIGNED_IN = "未登录（本机数据）"
NO_ENFORCEMENT = "网格员不能开始执法检查或签发执法文书；发现隐患请用“巡查”上报。"


@dataclass(frozen=True)
class Identity:
    signed_in: bool
    user_id: str | None
    name: str
    role: str  # inspector | grid_worker | admin
    grid_ids: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """ "张三 · 执法人员", "李四 · 网格员", or that nobody is signed in."""
        if not self.signed_in:
            return NOT_SIGNED_IN
        return f"{self.name} · {Role(self.role).label}"

    @property
    def grid_worker(self) -> bool:
        return self.role == Role.GRID_WORKER


def identity(s: Session, *, session: bool = True) -> Identity:
    """The person working in this store, as stored (inspector while unknown); `session` False
    when their sign-in was ended (the token forgotten): then nobody is signed in."""
    me = current_user_id(s)
    user = s.get(User, me) if me else None
    username = get_setting(s, USERNAME)
    role = user.role if user is not None and user.role in set(Role) else Role.INSPECTOR.value
    grids = tuple(json.loads(get_setting(s, GRIDS) or "[]"))
    name = user.name if user is not None and user.name else (username or "")
    return Identity(bool(username) and session, me, name, role, grids)


def read_identity(ctx: Context, *, session: bool = True) -> Identity:
    with ctx.store.read() as s:
        return identity(s, session=session)


def remember_role(s: Session, user_id: str, role: str | None, grid_ids: Sequence[str]) -> None:
    """Store what the server says of the signed-in person (an older server may not say)."""
    if role in set(Role):
        user = s.get(User, user_id)
        if user is not None and user.role != role:
            user.role = role
            s.add(user)
    set_setting(s, GRIDS, json.dumps(list(grid_ids)))


def scoped_filters(who: Identity, filters: UnitFilters) -> UnitFilters:
    """A grid worker's unit filters: within their own grids, whatever was chosen."""
    if not who.grid_worker or not who.grid_ids or filters.grid_id in who.grid_ids:
        return filters
    return replace(filters, grid_id=who.grid_ids[0])


def refuse_enforcement(s: Session) -> None:
    """UserError for a grid worker: enforcement is the inspectors' (a second lock under the UI)."""
    if identity(s).grid_worker:
        raise UserError(NO_ENFORCEMENT)
