"""Sign-in, tokens and malformed requests: 401 for bad tokens, 4xx (never 5xx) for bad input."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlmodel import Session, select

from sync.server.db import Token, utcnow
from tests.support.server_api import Api, op
from tests.support.server_world import PASSWORD


def test_login_ok_and_meta(api: Api) -> None:
    r = api.c.post(
        "/auth/login", json={"username": "insp_a", "password": PASSWORD, "device_id": "dev-0001"}
    )
    assert r.status_code == 200
    body = r.json()
    assert body["user_id"] == api.world.users["insp_a"]
    assert body["agency_id"] == api.world.agency
    auth = {"Authorization": f"Bearer {body['token']}"}
    assert api.c.get("/sync/meta", headers=auth).json()["counts"] == {}  # only on request
    meta = api.c.get("/sync/meta", params={"counts": "true"}, headers=auth)
    assert meta.status_code == 200
    m = meta.json()
    assert m["township_ids"] == [api.world.township_a]
    assert m["counts"]["unit"] == 3  # only township A's units
    assert m["role"] == "inspector"


def test_token_stored_only_as_hash(api: Api) -> None:
    token = api.login("insp_a")["Authorization"].split()[1]
    with Session(api.engine) as s:
        rows = s.exec(select(Token)).all()
    assert all(token not in (r.token_sha256, r.user_id, r.device_id) for r in rows)
    assert hashlib.sha256(token.encode()).hexdigest() in {r.token_sha256 for r in rows}


def test_wrong_password_and_unknown_user(api: Api) -> None:
    for username, password in (("insp_a", "wrong-password"), ("nobody", PASSWORD)):
        r = api.c.post(
            "/auth/login",
            json={"username": username, "password": password, "device_id": "dev-0001"},
        )
        assert r.status_code == 401
        assert r.json()["detail"] == "用户名或密码错误。"


def test_bad_missing_and_expired_tokens(api: Api) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer nonsense"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer " + "x" * 5000},
    ):
        for method, path in (
            ("GET", "/sync/meta"),
            ("GET", "/sync/changes?since=0"),
            ("POST", "/sync/push"),
            ("POST", "/sync/blobs/check"),
            ("HEAD", "/sync/blobs/" + "0" * 64),
        ):
            r = api.c.request(method, path, headers=headers, json={"device_id": "x" * 8, "ops": []})
            assert r.status_code == 401, (method, path, headers, r.text)
    headers = api.login("insp_a")
    assert api.c.get("/sync/meta", headers=headers).status_code == 200
    with Session(api.engine) as s:
        for row in s.exec(select(Token)).all():
            row.expires_at = utcnow() - timedelta(seconds=1)
            s.add(row)
        s.commit()
    r = api.c.get("/sync/meta", headers=headers)
    assert r.status_code == 401
    assert "重新登录" in r.json()["detail"]


def test_malformed_and_oversized_requests_are_4xx(api: Api) -> None:
    h = api.login("insp_a", "dev-insp_a")
    cases = [
        ("POST", "/auth/login", {"content": b"{not json"}),
        ("POST", "/auth/login", {"json": {"username": "", "password": "x", "device_id": "d"}}),
        (
            "POST",
            "/auth/login",
            {"json": {"username": "a\x00b", "password": "x", "device_id": "d" * 8}},
        ),
        ("POST", "/auth/login", {"content": b"x" * (64 << 10)}),
        ("POST", "/sync/push", {"content": b"[]"}),
        ("POST", "/sync/push", {"json": {"device_id": "dev-insp_a", "ops": [{"op_id": 1}]}}),
        (
            "POST",
            "/sync/push",
            {"json": {"device_id": "dev-insp_a", "ops": [op("unit", "u", {})] * 101}},
        ),
        ("POST", "/sync/push", {"content": b"x" * (33 << 20)}),
        ("GET", "/sync/changes?since=-1", {}),
        ("GET", "/sync/changes?since=abc", {}),
        ("GET", "/sync/changes?limit=100000", {}),
        ("GET", "/sync/changes?since=99999999999999999999999", {}),
        ("POST", "/sync/blobs/check", {"json": {"sha256": ["zz"]}}),
        ("POST", "/sync/blobs/check", {"json": {"sha256": ["a" * 64] * 1001}}),
        ("HEAD", "/sync/blobs/not-a-sha", {}),
        ("PATCH", "/sync/blobs/" + "a" * 64, {"content": b"x"}),  # no Upload-Offset
        (
            "PATCH",
            "/sync/blobs/" + "a" * 64,
            {
                "content": b"x" * ((1 << 20) + 1),
                "headers": {"Upload-Offset": "0", "Upload-Length": "9999999"},
            },
        ),
        (
            "PATCH",
            "/sync/blobs/" + "a" * 64,
            {"content": b"x", "headers": {"Upload-Offset": "-1", "Upload-Length": "1"}},
        ),
    ]
    for method, path, kw in cases:
        headers = {**h, **kw.pop("headers", {})}
        r = api.c.request(method, path, headers=headers, **kw)
        assert 400 <= r.status_code < 500, (method, path, r.status_code, r.text)
    # a body streamed without Content-Length is cut off at the limit too
    chunks = iter([b"x" * (1 << 20)] * 40)
    r = api.c.post("/sync/push", content=chunks, headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 413
    sha = "b" * 64
    chunks = iter([b"x" * (1 << 19)] * 3)
    r = api.c.patch(
        f"/sync/blobs/{sha}",
        content=chunks,
        headers={**h, "Upload-Offset": "0", "Upload-Length": str(3 << 19)},
    )
    assert r.status_code == 413
    assert api.c.head(f"/sync/blobs/{sha}", headers=h).status_code == 404  # nothing kept
    # a push from another device than the one signed in is refused
    r = api.c.post("/sync/push", json={"device_id": "dev-other-1", "ops": []}, headers=h)
    assert r.status_code == 403


def test_weird_op_payloads_are_rejected_not_5xx(api: Api) -> None:
    h = api.login("insp_a")
    unit = api.world.units_a[0]
    ops = [
        op("inspection", "i-1", {"id": "i-1", "unit_id": unit, "note": "a\x00b"}),
        op("inspection", "i-2", {"id": "i-2", "unit_id": 12}),
        op("inspection", "i-3", {"id": "i-3", "unit_id": unit, "big": 10**30}),
        op("nonsense", "n-1", {}),
        op("unit", unit, {"set": {"credit_code": "x"}, "base": {}}, kind="patch"),
        op("unit", unit, {"set": "x"}, kind="patch"),
        op("unit", unit, {"set": {"lat": "north"}, "base": {"lat": None}}, kind="patch"),
        op("photo", "p-1", {"id": "p-1", "inspection_id": "nope", "original_sha256": "zz"}),
        op("inspection", "i-4", {"id": "other-id", "unit_id": unit}),
        op("unit", unit, {}, kind="delete"),
    ]
    bad_hash = op("inspection", "i-5", {"id": "i-5", "unit_id": unit})
    bad_hash["payload_sha256"] = "0" * 64
    ops.append(bad_hash)
    results = api.push(h, "dev-insp_a", ops)
    statuses = [(r["status"], r["reason"]) for r in results]
    assert statuses == [
        ("rejected", "invalid_text"),
        ("rejected", "invalid_value:unit_id"),
        ("rejected", "invalid_text"),
        ("rejected", "unknown_entity"),
        ("rejected", "invalid_value:credit_code"),
        ("rejected", "malformed"),
        ("rejected", "invalid_value:lat"),
        ("retry", "missing_parent"),
        ("rejected", "malformed"),
        ("rejected", "forbidden"),
        ("rejected", "payload_hash_mismatch"),
    ]


def test_openapi_served(api: Api) -> None:
    r = api.c.get("/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for p in ("/auth/login", "/sync/meta", "/sync/push", "/sync/changes", "/sync/blobs/check"):
        assert p in paths
    assert {"head", "patch"} <= set(paths["/sync/blobs/{sha}"])
    assert "post" in paths["/sync/blobs"]
