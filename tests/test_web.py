"""Redirect targets, absolute URLs and the hosts the app answers to (issue 13, rows 2, 3, 11)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from companion.web import safe_next
from tests.conftest import SAME_ORIGIN, sign_in

ROOT = Path(__file__).resolve().parent.parent

#: Targets a browser would take off this site (after its own clean-up of tabs, newlines,
#: spaces and backslashes), or that are not a path at all.
OFFSITE = [
    "//evil.example/phish",
    "/\t/evil.example/phish",
    "/\n/evil.example",
    "/\r\n/evil.example",
    " //evil.example",
    "/ /evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "/x\\..\\\\evil.example",
    "\x00//evil.example",
    "/\x0b/evil.example",
    "/\u2028/evil.example",
    "/\u00a0/evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
    "",
]


@pytest.mark.parametrize("target", OFFSITE)
def test_safe_next_refuses_anything_a_browser_could_read_as_another_site(target: str) -> None:
    assert safe_next(target, "/default") == "/default"


@pytest.mark.parametrize(
    "target", ["/", "/qcon/my/", "/qcon/sessions/abc/?day=2020-03-02#top", "/qcon/speakers/zoë/"]
)
def test_safe_next_keeps_paths_on_this_site(target: str) -> None:
    assert safe_next(target, "/default") == target


@pytest.mark.parametrize("target", ["/%09/evil.example/phish", "/\t/evil.example", "/\n/x"])
def test_sign_in_never_redirects_off_site(client: FlaskClient, make_user, target: str) -> None:
    make_user()
    response = sign_in(client, next=target)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil" not in location or location.startswith("/%09")
    assert not location.startswith("//")


def test_star_form_and_feed_form_never_redirect_off_site(
    client: FlaskClient, make_conference, make_talk, make_user
) -> None:
    conference = make_conference()
    talk = make_talk(conference)
    response = client.post(
        f"/{conference.slug}/sessions/{talk.guid}/star",
        data={"action": "star", "next": "/\t/evil.example/phish"},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]
    make_user(email="bo@example.org")
    sign_in(client, email="bo@example.org")
    response = client.post(
        "/settings/calendar-feed",
        data={"action": "enable", "next": "/\\evil.example"},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/"


def test_pages_and_feeds_link_to_the_public_url_whatever_the_host_header(
    app: Flask, client: FlaskClient, make_conference, make_talk
) -> None:
    conference = make_conference()
    talk = make_talk(conference)
    day = f"/{conference.slug}/programme/2020-03-02/"
    for url in (day, f"/{conference.slug}/schedule.ics", f"/{conference.slug}/schedule.xml"):
        for _ in range(3):  # fill every cache with a poisoned Host first
            client.get(url, headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"})
        body = client.get(url).text
        assert "evil.example" not in body
        assert "localhost" in body
    page = client.get(day, headers={"Host": "evil.example"}).text
    assert "webcal://localhost/testconf/schedule.ics" in page
    ics = client.get(
        f"/{conference.slug}/sessions/{talk.guid}.ics", headers={"Host": "evil.example"}
    )
    assert f"http://localhost/testconf/sessions/{talk.guid}/" in ics.text.replace("\r\n ", "")


def test_forwarded_host_is_ignored_behind_a_proxy_too(
    database_url: str, make_conference, make_talk
) -> None:
    app = create_app(
        {"DATABASE_URL": database_url, "PROXY_COUNT": 1, "PUBLIC_URL": "https://conf.example"}
    )
    conference = make_conference()
    make_talk(conference)
    client = app.test_client()
    url = f"/{conference.slug}/programme/2020-03-02/"
    for _ in range(3):
        client.get(url, headers={"X-Forwarded-Host": "evil.example"})
    body = client.get(url).text
    assert "evil.example" not in body
    assert "webcal://conf.example/testconf/schedule.ics" in body


def test_unknown_hosts_are_refused_where_trusted_hosts_are_set(database_url: str) -> None:
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "PUBLIC_URL": "https://conf.example",
            "TRUSTED_HOSTS": ["conf.example"],
        }
    )
    client = app.test_client()
    refused = client.get("/", headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert client.get("/", headers={"Host": "conf.example"}).status_code == 200


def test_no_absolute_url_is_built_from_the_request() -> None:
    """The whole class: every absolute URL goes through web.external_url."""
    pattern = re.compile(
        r"(?<!\w)_external\s*=\s*True|request\.(host_url|host\b|url_root|root_url)"
    )
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("companion", "templates")
        for path in sorted((ROOT / folder).rglob("*"))
        if path.suffix in (".py", ".html", ".js", ".xml")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_production_answers_with_hsts(database_url: str) -> None:
    app = create_app({"DATABASE_URL": database_url, "HSTS": True})
    assert app.test_client().get("/").headers["Strict-Transport-Security"] == ("max-age=31536000")
    plain = create_app({"DATABASE_URL": database_url})
    assert "Strict-Transport-Security" not in plain.test_client().get("/").headers


def test_a_huge_body_is_refused_before_it_is_read(client: FlaskClient) -> None:
    body = b"email=a%40b.org&password=" + b"x" * (2 * 1024 * 1024)
    response = client.post(
        "/login", data=body, content_type="application/x-www-form-urlencoded", headers=SAME_ORIGIN
    )
    assert response.status_code == 413
    assert "larger than this address accepts (256 KB at most). Nothing was saved." in (
        response.text
    )


@pytest.mark.parametrize(
    ("name", "status"),
    [("A" * 3000, 404), ("x/" * 2000, 404), ("%00", 400), ("..%2F..%2Fetc%2Fpasswd", 404)],
)
def test_odd_static_paths_are_answered_not_500(client: FlaskClient, name: str, status: int):
    response = client.get("/static/" + name)
    assert response.status_code == status
    assert '<h1 class="page-title">' in response.text
