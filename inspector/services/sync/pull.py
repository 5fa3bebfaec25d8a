"""Step 4 of a run: the server's changes, page by page, each applied with its cursor in one
transaction on the writer while the next page is fetched."""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import Session

from inspector.services.setting_rows import CURSOR, get_setting, set_setting
from inspector.services.sync.apply import apply_changes
from inspector.services.sync.steps import RunState
from sync.contract import MAX_PAGE, ChangesPage

PULL_LIMIT = MAX_PAGE  # a page and its cursor per transaction: fewer, larger commits


class PullSteps(RunState):
    def pull(self) -> None:
        """Pages in order, each applied with its cursor in one transaction. The next page is
        fetched on a helper thread while this one is applied (the server's time and ours
        overlap); a page fetched but not applied when the run stops is simply fetched again."""
        with self.ctx.store.read() as s:
            cursor = int(get_setting(s, CURSOR) or 0)
        self.progress("下载更新", 0, 0)
        page = self.fetch_page(cursor, first=True)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-pull") as fetcher:
            while True:
                self.check()
                ahead = fetcher.submit(self.fetch_page, page.next) if page.more else None
                counts = self.write(functools.partial(self.apply_page, page=page))
                for entity, n in counts.items():
                    self.report.pulled[entity] = self.report.pulled.get(entity, 0) + n
                self.progress("下载更新", sum(self.report.pulled.values()), 0)
                if ahead is None:
                    return
                page = ahead.result()

    def apply_page(self, s: Session, *, page: ChangesPage) -> dict[str, int]:
        counts = apply_changes(s, self.ctx.clock, page.changes, self.device_id)
        set_setting(s, CURSOR, str(page.next))
        return counts

    def fetch_page(self, cursor: int, first: bool = False) -> ChangesPage:
        limit = self.svc.page_size
        r = self.request("GET", "/sync/changes", params={"since": cursor, "limit": limit})
        if r.status_code == 410 and first:  # tombstones purged since our cursor: from 0
            self.report.warnings.append("本机数据较旧，已从头重新下载服务器数据。")
            r = self.request("GET", "/sync/changes", params={"since": 0, "limit": limit})
        return self.answer(
            r, ChangesPage, "下载更新", "服务器的更新数据无法识别。已保存的记录不受影响。"
        )
