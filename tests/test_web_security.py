"""The dashboard's guards: loopback by default, login when exposed, CSRF on every
state-changing request, escaping of imported strings, headers, and the one JSON error shape."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

import lien
from conftest import HOSTILE

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from lien.errors import UsageError  # noqa: E402
from lien.web import create_app  # noqa: E402

BASE = "http://127.0.0.1:8765"


@pytest.fixture(scope="module")
def folder(web_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    f = tmp_path_factory.mktemp("sec")
    for name in ("lien.duckdb", "lien.toml"):
        shutil.copy(web_demo / name, f / name)
    return f


@pytest.fixture(scope="module")
def ws(folder: Path) -> Iterator[Any]:
    w = lien.open(folder / "lien.duckdb")
    yield w
    w.close()


@pytest.fixture
def c(ws: Any) -> TestClient:
    return TestClient(create_app(ws), base_url=BASE)


def test_the_one_error_shape(c: TestClient) -> None:
    r = c.get("/api/nowhere")
    assert r.status_code == 404
    assert r.json() == {"error": {"status": 404, "code": "not_found", "message": "no page at /api/nowhere",
                                  "details": {}}}
    r = c.get("/api/person/nobody-at-all")     # a link to a person since forgotten, a typo
    assert r.status_code == 404
    assert r.json() == {"error": {"status": 404, "code": "not_found", "details": {},
                                  "message": "nobody matches 'nobody-at-all' (give a person id, an e-mail/handle, "
                                             "or a name)"}}
    r = c.get("/api/people?offset=many")
    assert r.status_code == 400 and r.json()["error"] == {
        "status": 400, "code": "usage", "message": "offset: expected a whole number, found 'many'",
        "details": {"parameter": "offset"}}
    r = c.post("/api/goals/add", json={"metric": "R1"})
    assert r.status_code == 403 and set(r.json()["error"]) == {"status", "code", "message", "details"}
    r = c.delete("/api/week")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
    # a page (not /api) shows the same error as HTML
    r = c.get("/person/nobody-at-all")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"] and "nobody matches" in r.text


def test_imported_strings_are_escaped(c: TestClient) -> None:
    for path in ("/inbox", "/people?q=mallory"):
        html = c.get(path).text
        assert "Mallory &lt;img src=x onerror=&#34;window.__xss=1&#34;&gt;" in html
        assert "<img src=x" not in html and "<script>window" not in html
    inbox = c.get("/inbox").text
    assert "&lt;script&gt;window.__xss=2&lt;/script&gt;" in inbox
    assert 'href="javascript:' not in inbox          # a javascript: URL is never a link
    # the JSON twin carries the raw strings (a JSON client escapes for its own medium)
    items = c.get("/api/inbox").json()["items"]
    assert any(i["who"] == HOSTILE["name"] and i["text"] == HOSTILE["shown"] for i in items)


def test_headers_forbid_inline_script_and_framing(c: TestClient) -> None:
    r = c.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-frame-options"] == "DENY" and r.headers["referrer-policy"] == "same-origin"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in r.text.replace('<script src="/static/lien.js" defer></script>', "")


def test_csrf_on_every_state_changing_route(c: TestClient) -> None:
    posts = [r.path for r in c.app.routes if "POST" in getattr(r, "methods", set())]
    assert {"/goals/add", "/api/goals/add", "/identities/merge", "/api/identities/merge", "/identities/reject",
            "/identities/undo", "/goals/{gid}/edit", "/goals/{gid}/remove", "/login", "/logout"} <= set(posts)
    c.get("/")
    good = c.cookies.get("lien_csrf")
    assert good and len(good) >= 40
    for path in posts:
        p = path.replace("{gid}", "1")
        r = c.post(p, data={"metric": "R1"})                                   # no token
        assert r.status_code == 403, p
        r = c.post(p, data={"metric": "R1", "csrf": "forged"})                 # wrong token
        assert r.status_code == 403, p
        r = c.post(p, data={"metric": "R1", "csrf": good}, headers={"origin": "https://evil.example"})
        assert r.status_code == 403, p
        r = c.post(p, data={"metric": "R1"}, headers={"origin": "null"})      # an opaque origin, no token
        assert r.status_code == 403, p
    r = c.post("/api/goals/add", json={"metric": "R1", "target": 99}, headers={"x-csrf-token": good,
                                                                               "origin": BASE})
    assert r.status_code == 200 and r.json()["added"][0]["target"] == 99.0
    assert c.post(f"/api/goals/{r.json()['added'][0]['id']}/remove", json={},
                  headers={"x-csrf-token": good}).status_code == 200


def test_foreign_host_header_refused(c: TestClient) -> None:
    assert c.get("/", headers={"host": "evil.example"}).status_code == 400
    assert c.get("/", headers={"host": "localhost:8765"}).status_code == 200


def test_binding_beyond_loopback_needs_a_secret(ws: Any) -> None:
    with pytest.raises(UsageError, match="--password or --token"):
        create_app(ws, host="0.0.0.0")
    with pytest.raises(UsageError):
        create_app(ws, host="192.168.1.10")
    create_app(ws, host="::1")
    create_app(ws, host="0.0.0.0", token="s3cret-token")


def test_token_login(ws: Any) -> None:
    c = TestClient(create_app(ws, host="0.0.0.0", token="s3cret-token"), base_url=BASE)
    r = c.get("/api/week")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    r = c.get("/people", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fpeople"
    assert c.get("/api/settings", headers={"authorization": "Bearer wrong"}).status_code == 401
    assert c.get("/api/settings", headers={"authorization": "Bearer s3cret-token"}).status_code == 200
    r = c.get("/people?token=s3cret-token&level=regular", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/people?level=regular"
    assert c.get("/people?level=regular").status_code == 200          # the session cookie now
    assert c.get("/static/lien.css").status_code == 200


def test_password_login(ws: Any) -> None:
    c = TestClient(create_app(ws, host="10.0.0.1", password="correct horse", trusted_hosts=["127.0.0.1"]),
                   base_url=BASE)
    r = c.get("/login")
    token = c.cookies.get("lien_csrf")
    assert r.status_code == 200 and 'type="password"' in r.text
    r = c.post("/login", data={"csrf": token, "password": "wrong", "next": "/inbox"}, follow_redirects=False)
    assert r.status_code == 401 and "Wrong password" in r.text
    r = c.post("/login", data={"csrf": token, "password": "correct horse", "next": "//evil.example/"},
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"      # no open redirect
    assert c.get("/inbox").status_code == 200
    r = c.post("/logout", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_cli_refuses_an_exposed_bind_without_secret(cli: Any) -> None:
    code, out, err = cli("serve", "--host", "0.0.0.0")
    assert code == 2 and "--password or --token" in err
