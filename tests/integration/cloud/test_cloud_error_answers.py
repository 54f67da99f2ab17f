"""Every error answer of the served cloud carries the sync protocol's error body, a 405 says
which methods the path takes (`Allow`), and the OpenAPI document declares every status a
route answers and every route the app serves (issue 18, item 2)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.routing import Route

from cloud.app import create_app

ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
JSON_ONLY = {"accept": "application/json"}
BAD_TOKEN = "not-a-token"


def fastapi_app(cloud: Any) -> Any:
    return create_app(cloud.service).app.app  # type: ignore[attr-defined]  # inside DateHeader


# Pages for a person's browser, not API: served by the app but left out of the document (the
# associate's workbench, cloud/associates/routes.py; the console is a mounted app of its own).
PAGES = ("/a", "/a/")


def route_table(cloud: Any) -> list[Route]:
    """The API's routes: every route the app serves except the browser pages under PAGES."""
    routes = [r for r in fastapi_app(cloud).routes if isinstance(r, Route)]
    hidden = [r.path for r in routes if not getattr(r, "include_in_schema", True)]
    # only a page may stay out of the document: an API route left out still fails here
    assert all(p in PAGES or p.startswith("/a/") for p in hidden), hidden
    return [r for r in routes if r.path not in PAGES and not r.path.startswith("/a/")]


def openapi_document(cloud: Any) -> dict[str, Any]:
    """The document generated from the routes' code (what /openapi.json serves)."""
    return dict(fastapi_app(cloud).openapi())


def concrete(path: str) -> str:
    """A request path for a route's template: each parameter filled with a plain value."""
    out = []
    for part in path.split("/"):
        out.append(BAD_TOKEN if part.startswith("{") else part)
    return "/".join(out)


def assert_error_body(resp: httpx.Response, code: str | None = None) -> None:
    assert resp.headers["content-type"].startswith("application/json"), resp.text
    body = resp.json()
    assert set(body["error"]) >= {"code", "message"}, body
    assert body["error"]["code"] and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body


def test_every_route_refuses_a_wrong_method_with_allow_and_the_error_body(cloud: Any) -> None:
    walked = 0
    for route in route_table(cloud):
        allowed = set(route.methods or ())
        for method in ALL_METHODS:
            if method in allowed:
                continue
            resp = httpx.request(method, cloud.url + concrete(route.path), headers=JSON_ONLY)
            assert resp.status_code == 405, (method, route.path, resp.status_code, resp.text)
            assert {m.strip() for m in resp.headers["allow"].split(",")} == allowed, route.path
            assert_error_body(resp, "method_not_allowed")
            walked += 1
    assert walked > 40  # the whole table was walked, not an empty one


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/nothing-here"),
        ("POST", "/v1/nothing"),
        ("GET", "/v1/events/extra"),
        ("DELETE", "/v1"),
        ("GET", "/r/a/b"),  # JSON asked for: the error body, not the page
    ],
)
def test_unknown_paths_answer_404_with_the_error_body(cloud: Any, method: str, path: str) -> None:
    resp = httpx.request(method, cloud.url + path, headers=JSON_ONLY)
    assert resp.status_code == 404
    assert_error_body(resp, "not_found")
    assert "openapi.json" in resp.json()["error"]["message"]  # says where to look next


def test_a_follow_of_a_token_that_is_not_one_answers_the_error_body(cloud: Any) -> None:
    resp = httpx.post(f"{cloud.url}/r/{BAD_TOKEN}/follow")
    assert resp.status_code == 404
    assert_error_body(resp, "bad_token")
    assert resp.json()["counted"] is False  # what the page's script reads, as before


def test_the_receipt_page_keeps_its_html_404_for_browsers_and_json_for_api_clients(
    cloud: Any,
) -> None:
    browser = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    for path in (f"/r/{BAD_TOKEN}", f"/R/{BAD_TOKEN}", "/r/a/b"):
        page = httpx.get(cloud.url + path, headers=browser)
        assert page.status_code == 404 and "无法识别" in page.text, path
        assert page.headers["content-type"].startswith("text/html")
        api = httpx.get(cloud.url + path, headers=JSON_ONLY)
        assert api.status_code == 404
        assert_error_body(api)


def test_the_route_table_and_the_openapi_document_agree(cloud: Any) -> None:
    served = {
        (r.path.replace(":path}", "}"), m.lower())
        for r in route_table(cloud)
        for m in (r.methods or ())
        if m != "HEAD"
    }
    doc = httpx.get(f"{cloud.url}/openapi.json").json()
    assert doc == openapi_document(cloud)
    documented = {(p, m) for p, item in doc["paths"].items() for m in item}
    assert served == documented


def probes(path: str) -> list[dict[str, Any]]:
    """Requests a stranger can send to a path (no signature): empty, junk, too large."""
    out: list[dict[str, Any]] = [{}, {"content": b"{not json", "headers": JSON_ONLY}]
    if path.startswith("/v1/"):
        out.append({"content": b"x" * (1 << 21)})
    return out


def test_every_status_a_route_answers_is_declared_with_the_error_body(cloud: Any) -> None:
    doc = openapi_document(cloud)
    seen: set[tuple[str, str, int]] = set()
    for route in route_table(cloud):
        template = route.path.replace(":path}", "}")
        for method in sorted(set(route.methods or ()) - {"HEAD"}):
            declared = doc["paths"][template][method.lower()]["responses"]
            for kw in probes(route.path):
                resp = httpx.request(method, cloud.url + concrete(route.path), **kw)
                status = resp.status_code
                assert str(status) in declared, (method, template, status, resp.text[:200])
                seen.add((method, template, status))
                if status >= 400 and resp.headers["content-type"].startswith("application/"):
                    assert_error_body(resp)
                elif status >= 400:  # only the e-receipt pages answer a browser in HTML
                    assert template in ("/r/{token}", "/R/{token}", "/r/{token}/join"), (
                        template,
                        status,
                    )
                    assert "text/html" in declared[str(status)]["content"]
    statuses = {s for _, _, s in seen}
    assert {200, 400, 401, 404, 413} <= statuses, sorted(seen)


def test_a_crash_answers_500_with_the_error_body_and_date(
    cloud: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(request: Any) -> Any:
        raise RuntimeError("the service broke")

    monkeypatch.setattr(cloud.service, "enroll", broken)
    resp = httpx.post(f"{cloud.url}/v1/devices/enroll", content=b"{}")
    assert resp.status_code == 500
    assert_error_body(resp, "internal_error")
    assert "the service broke" not in resp.text  # no internals to a stranger
    assert resp.headers["date"]
    assert "500" in openapi_document(cloud)["paths"]["/v1/devices/enroll"]["post"]["responses"]
