"""Pages say where their conference's live stream is, and their CSP lets them connect to it."""

from __future__ import annotations

from typing import Any

import pytest

from app import create_app
from companion.config import Config, ConfigError
from companion.db import get_database_of


def test_pages_name_the_stream_and_allow_its_origin(
    database_url: str, make_conference: Any, make_talk: Any
) -> None:
    make_talk(make_conference())
    app = create_app({"DATABASE_URL": database_url, "LIVE_URL": "http://127.0.0.1:5001"})
    page = app.test_client().get("/testconf/")
    get_database_of(app).engine.dispose()
    assert 'data-live="http://127.0.0.1:5001/api/v1/conferences/testconf/events"' in page.text
    assert page.headers["Content-Security-Policy"].endswith(
        "; connect-src 'self' http://127.0.0.1:5001"
    )


def test_without_a_stream_pages_name_none_and_connect_only_to_their_own_origin(
    client: Any, make_conference: Any, make_talk: Any
) -> None:
    make_talk(make_conference())
    page = client.get("/testconf/")
    assert "data-live" not in page.text
    assert "connect-src" not in page.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:5001"),
        ({"PORT": "8000", "LIVE_PORT": "8001"}, "http://127.0.0.1:8001"),
        ({"PUBLIC_URL": "http://[::1]:5000"}, "http://[::1]:5001"),
        ({"LIVE_URL": "same"}, ""),
        ({"LIVE_URL": "off"}, None),
        ({"LIVE_URL": "https://live.example.org/"}, "https://live.example.org"),
    ],
)
def test_live_url_defaults_to_the_apps_host_on_live_port(
    tmp_path: Any, env: dict[str, str], expected: str | None
) -> None:
    assert Config.from_env(str(tmp_path), env)["LIVE_URL"] == expected


def test_a_live_url_with_a_path_is_refused(tmp_path: Any) -> None:
    with pytest.raises(ConfigError, match="LIVE_URL must look like"):
        Config.from_env(str(tmp_path), {"LIVE_URL": "http://x.example/stream"})
