"""The reference central server: the endpoints of sync.contract on FastAPI.

Errors: 401 for a missing, unknown or expired token; 403 for a push from a device other than the
one signed in; 404/409/413/422 for blobs (see sync.server.blobs); 410 for a cursor below the
tombstone horizon; 413 for any request body over its endpoint's limit; 422 for malformed requests.
The server keeps no session state: every call stands alone.
"""

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import DataError
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.contract import (
    MANIFEST_HEADER,
    MAX_BATCH_BLOBS,
    MAX_BATCH_BYTES,
    MAX_CHUNK,
    MAX_PAGE,
    MONTHLY_STATS,
    PROTOCOL,
    SHA256,
    BlobBatchResult,
    BlobCheck,
    BlobMissing,
    ChangesPage,
    LoginRequest,
    LoginResponse,
    Meta,
    MonthlyStats,
    PushRequest,
    PushResponse,
    parse_manifest,
)
from sync.server.auth import Caller, caller_from_token, issue_token, verify_password
from sync.server.blobs import (
    SHA_RE,
    BlobStore,
    UploadError,
    locate_blob,
    read_at,
    split_body,
)
from sync.server.changes import Gone, changes_page, scope_counts
from sync.server.db import User, counter, make_engine, read_session, write_session
from sync.server.push import apply_ops
from sync.server.push_answers import bad_text
from sync.server.stats import NotInScope, local_today, monthly_stats

log = logging.getLogger("inspector.server")

DEFAULT_TOKEN_TTL = timedelta(days=30)
# request body limits per path prefix (bytes); the first match wins
BODY_LIMITS: tuple[tuple[str, int], ...] = (
    ("/auth/", 16 << 10),
    ("/sync/blobs/check", 256 << 10),
    ("/sync/blobs/", MAX_CHUNK),
    ("/sync/blobs", MAX_BATCH_BYTES),
    ("/sync/push", 32 << 20),
)
DEFAULT_BODY_LIMIT = 1 << 20
TOO_LARGE = "请求内容过大。"
UNAUTHORIZED = "登录已失效或令牌无效，请重新登录。"


class BodyLimit:
    """Refuses bodies over the path's limit with 413, by Content-Length or while reading."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limit = next((n for p, n in BODY_LIMITS if path.startswith(p)), DEFAULT_BODY_LIMIT)
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit():
                    await JSONResponse({"detail": "Content-Length 无效。"}, 400)(
                        scope, receive, send
                    )
                    return
                if int(value) > limit:
                    await JSONResponse({"detail": TOO_LARGE}, 413)(scope, receive, send)
                    return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, TOO_LARGE)
            return message

        await self.app(scope, limited, send)


def create_app(
    db_url: str,
    blob_dir: Path,
    *,
    token_ttl: timedelta = DEFAULT_TOKEN_TTL,
    today: Callable[[], date] = local_today,
) -> FastAPI:
    """The server on a database URL (``sqlite:///…`` or ``postgresql+psycopg://…``) and a blob
    directory. Creates the tables when they are missing. `today` gives the calendar day that
    decides what is overdue in the statistics (the server's local day)."""
    engine = make_engine(db_url)
    store = BlobStore(Path(blob_dir), engine)
    app = FastAPI(
        title="安全生产现场执法检查 — 同步服务器",
        version=str(PROTOCOL),
        description="Reference central server of the field-inspection client (sync.contract).",
    )
    app.state.engine = engine
    app.state.blobs = store
    app.add_middleware(BodyLimit)
    bearer = HTTPBearer(auto_error=False)

    @app.exception_handler(DataError)
    async def _bad_data(_request: Request, exc: Exception) -> JSONResponse:
        log.warning("request refused by the database: %s", exc)
        return JSONResponse({"detail": "请求数据无效。"}, 422)

    def caller(
        cred: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Caller:
        if cred is None or cred.scheme.lower() != "bearer" or bad_text(cred.credentials):
            raise HTTPException(401, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
        with Session(engine) as s:
            who = caller_from_token(s, cred.credentials)
        if who is None:
            raise HTTPException(401, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
        return who

    CallerDep = Annotated[Caller, Depends(caller)]
    Sha = Annotated[str, PathParam(pattern=SHA256)]

    @app.post("/auth/login", response_model=LoginResponse, responses={401: {}})
    def login(req: LoginRequest) -> LoginResponse:
        if bad_text([req.username, req.password, req.device_id]):
            raise HTTPException(422, "用户名、密码或设备标识含有无效字符。")
        with Session(engine) as s:
            user = s.exec(select(User).where(User.username == req.username)).first()
        ok = verify_password(user.password_hash if user else None, req.password)
        if user is None or not ok or not user.active:
            raise HTTPException(401, "用户名或密码错误。", headers={"WWW-Authenticate": "Bearer"})
        with write_session(engine) as s:
            token, expires = issue_token(s, user, req.device_id, token_ttl)
        return LoginResponse(
            token=token,
            expires_at=expires,
            user_id=user.id,
            agency_id=user.agency_id,
            user_name=user.name,
            role=user.role,
            grid_ids=list(user.grid_ids or ()),
        )

    @app.get("/sync/meta", response_model=Meta, responses={401: {}})
    def meta(who: CallerDep, counts: bool = False) -> Meta:
        """`counts=true` adds the live rows per entity in the caller's scope (a sanity check
        that costs a count over every unit in scope, so not part of every sync)."""
        with read_session(engine) as s:
            _last, horizon = counter(s)
            scope = scope_counts(s, who) if counts else {}
        return Meta(
            server_time=datetime.now(UTC),
            user_id=who.user_id,
            user_name=who.user_name,
            role=who.role,
            agency_id=who.agency_id,
            township_ids=list(who.township_ids),
            grid_ids=list(who.grid_ids),
            tombstone_horizon=horizon,
            counts=scope,
        )

    @app.post("/sync/blobs/check", response_model=BlobMissing, responses={401: {}})
    def blobs_check(req: BlobCheck, who: CallerDep) -> BlobMissing:
        wanted = list(dict.fromkeys(req.sha256))
        if not all(isinstance(x, str) and SHA_RE.match(x) for x in wanted):
            raise HTTPException(422, "sha256 应为64位小写十六进制。")
        with read_session(engine) as s:
            have = store.accessible(s, who, wanted)
            missing = [x for x in wanted if x not in have]
            partial = store.partial_offsets(s, who, missing)
        return BlobMissing(missing=missing, partial=partial)

    def _upload_headers(offset: int, length: int, complete: bool) -> dict[str, str]:
        h = {"Upload-Offset": str(offset), "Upload-Length": str(length)}
        if complete:
            h["X-Complete"] = "1"
        return h

    @app.head("/sync/blobs/{sha}", responses={401: {}, 404: {}})
    def blob_head(sha: Sha, who: CallerDep) -> Response:
        with read_session(engine) as s:
            state = store.head(s, who, sha)
        if state is None:
            return Response(status_code=404)
        return Response(status_code=200, headers=_upload_headers(*state))

    @app.get("/sync/blobs/{sha}", responses={401: {}, 404: {}})
    def blob_get(sha: Sha, who: CallerDep) -> Response:
        with read_session(engine) as s:
            where = locate_blob(s, store.root, sha) if store.accessible(s, who, [sha]) else None
        if where is None:
            raise HTTPException(404, "没有这个文件。")
        path, offset, length = where
        if path == store.path(sha):  # a file of its own, perhaps large: streamed
            return FileResponse(path, media_type="application/octet-stream")
        data = read_at(path, offset, length)  # in a pack: one piece at most
        if data is None:
            log.error("blob %s: its pack %s is missing or short", sha, path)
            raise HTTPException(500, "服务器上的文件已损坏，请联系管理员。")
        return Response(data, media_type="application/octet-stream")

    def _int_header(request: Request, name: str) -> int:
        raw = request.headers.get(name)
        if raw is None or not raw.isdigit() or len(raw) > 15:
            raise HTTPException(400, f"缺少或无效的 {name} 头。")
        return int(raw)

    @app.patch(
        "/sync/blobs/{sha}",
        status_code=204,
        responses={401: {}, 409: {}, 413: {}, 422: {}},
        openapi_extra={
            "requestBody": {
                "content": {"application/offset+octet-stream": {"schema": {"type": "string"}}}
            }
        },
    )
    async def blob_patch(sha: Sha, request: Request, who: CallerDep) -> Response:
        offset = _int_header(request, "Upload-Offset")
        length = _int_header(request, "Upload-Length")
        try:
            body = await request.body()
        except ClientDisconnect:  # the connection dropped mid-chunk: nothing of it is kept
            return Response(status_code=400)
        try:
            new_offset, total, complete = await run_in_threadpool(
                store.patch, who, sha, offset, length, body
            )
        except UploadError as exc:
            headers = {"Upload-Offset": str(exc.offset)} if exc.offset is not None else None
            return JSONResponse({"detail": exc.detail}, exc.status, headers=headers)
        return Response(status_code=204, headers=_upload_headers(new_offset, total, complete))

    @app.post(
        "/sync/blobs",
        response_model=BlobBatchResult,
        responses={400: {}, 401: {}, 413: {}},
        openapi_extra={
            "requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string"}}}}
        },
    )
    async def blobs_batch(
        request: Request,
        who: CallerDep,
        manifest: Annotated[str, Header(alias=MANIFEST_HEADER, max_length=100 * MAX_BATCH_BLOBS)],
    ) -> Any:
        try:
            items = parse_manifest(manifest)
        except ValueError:
            raise HTTPException(400, f"{MANIFEST_HEADER} 头无效。") from None
        chunks: list[bytes] = []  # kept as they came: joining them was a copy of every byte
        try:
            async for chunk in request.stream():
                chunks.append(chunk)
        except ClientDisconnect:  # the connection dropped mid-body: nothing of it is kept
            return Response(status_code=400)
        sizes = [n for _, n in items]
        if sum(len(c) for c in chunks) != sum(sizes):
            raise HTTPException(400, "请求内容与附件清单的长度不符。")
        parts = [
            (sha, pieces)
            for (sha, _n), pieces in zip(items, split_body(chunks, sizes), strict=True)
        ]
        stored, refused = await run_in_threadpool(store.store_batch, who, parts)
        return BlobBatchResult(stored=stored, refused=refused)

    @app.post("/sync/push", response_model=PushResponse, responses={401: {}, 403: {}})
    def push(req: PushRequest, who: CallerDep) -> Any:
        if req.device_id != who.device_id:
            raise HTTPException(403, "设备标识与登录时不同，请重新登录。")
        for op in req.ops:
            if bad_text([op.op_id, op.entity, op.entity_id, op.blob_refs]):
                raise HTTPException(422, "操作标识含有无效字符。")
        answer = PushResponse(results=apply_ops(engine, store, who, list(req.ops)))
        return Response(answer.model_dump_json(), media_type="application/json")  # as changes

    @app.get("/sync/changes", response_model=ChangesPage, responses={401: {}, 410: {}})
    def changes(
        who: CallerDep,
        since: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 500,
    ) -> Any:
        try:
            page = changes_page(engine, who, since, limit)
        except Gone as gone:
            return JSONResponse(
                {"detail": "同步游标过旧，请从头重新同步。", "tombstone_horizon": gone.horizon},
                410,
            )
        # serialized by pydantic-core directly: FastAPI would validate the page again and go
        # through jsonable_encoder, which doubles the server's time per page of a pull
        return Response(page.model_dump_json(), media_type="application/json")

    @app.get(
        "/stats/monthly",
        response_model=MonthlyStats,
        responses={401: {}, 403: {}},
    )
    def stats_monthly(
        who: CallerDep,
        year: Annotated[int, Query(ge=2000, le=2100)],
        month: Annotated[int, Query(ge=1, le=12)],
        township_id: Annotated[str | None, Query(max_length=64)] = None,
    ) -> Any:
        """One local month's figures over every record pushed in the caller's jurisdiction."""
        if township_id is not None and bad_text(township_id):
            raise HTTPException(422, "乡镇标识含有无效字符。")
        try:
            stats = monthly_stats(engine, who, year, month, township_id, today())
        except NotInScope:
            raise HTTPException(403, "该乡镇不在您的辖区内。") from None
        return Response(MONTHLY_STATS.dump_json(stats), media_type="application/json")

    return app
