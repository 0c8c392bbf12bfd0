"""What the service worker is told about URLs (companion.offline.service_worker), against the
app's own rules: the regexes it builds from them are read here with Python's `re`, which reads
this subset of JavaScript's syntax the same way."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from companion.offline import service_worker


def _told(app: Flask) -> dict[str, Any]:
    with app.test_request_context():
        return service_worker.urls()


def _example(rule: str) -> str:
    """A path of `rule`, each variable filled with a plausible segment."""
    return re.sub(r"<[^>]+>", "x-1.svg", rule)


def test_patterns_match_paths_of_their_rules_and_nothing_more() -> None:
    assert service_worker.pattern(["/<conf>/venue/floors/<slug>.<ext>"]) == (
        r"^(?:/([^/]+)/venue/floors/([^/]+)\.([^/]+))$"
    )
    search = re.compile(service_worker.pattern(["/<conf>/search"]))
    assert search.match("/qcon/search")[1] == "qcon"  # type: ignore[index]
    assert not search.match("/qcon/search/more") and not search.match("/qcon/searches")
    assert re.match(service_worker.pattern(["/<conf>/admin/"], prefix=True), "/qcon/admin/rooms/")


def test_every_organisers_hosts_and_accounts_page_is_never_kept(app: Flask) -> None:
    never = re.compile(_told(app)["never_kept"])
    private_pages = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or set())
        and (rule.endpoint.split(".")[0] in ("accounts", "admin", "host") or "/admin/" in rule.rule)
    ]
    assert private_pages and [r for r in private_pages if not never.match(_example(r))] == []


def test_no_public_page_is_private_or_never_kept(app: Flask) -> None:
    told = _told(app)
    public = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in ("programme", "venue", "ical", "exchange", "hosting")
        and "/admin/" not in rule.rule
        and not rule.rule.startswith("/feeds/")  # one person's calendar: never kept
    ]
    assert re.match(told["never_kept"], "/feeds/secret-token.ics")
    for name in ("never_kept", "private_page"):
        assert [r for r in public if re.match(told[name], _example(r))] == [], name


def test_signing_in_or_out_is_every_post_that_changes_who_is_signed_in(app: Flask) -> None:
    sign = re.compile(_told(app)["sign_in_or_out"])
    assert [
        p
        for p in ("/logout", "/login", "/register", "/link/t0k", "/password-reset/t0k")
        if not sign.match(p)
    ] == []
    assert [p for p in ("/password-reset/", "/settings/", "/qcon/my/link") if sign.match(p)] == []


def test_the_worker_is_rendered_with_them(client: FlaskClient, app: Flask) -> None:
    body = client.get("/sw.js").text
    rendered = re.search(r"^const URLS = (.*);$", body, re.MULTILINE)
    assert rendered is not None and json.loads(rendered[1]) == json.loads(json.dumps(_told(app)))
