"""Fetching a photo from an address a file names: only allowed hosts, https, public addresses,
redirects that stay on allowed hosts, and within the size limit (companion/photos/fetch.py)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from companion.config import Config, ConfigError
from companion.photos.fetch import FetchRefused, Policy, fetch
from companion.photos.images import MAX_BYTES
from tests.photos.images import jpeg
from tests.photos.server import image_server

LOCAL = Policy(hosts=("localhost",), allow_local=True)


def _soon() -> float:
    return time.monotonic() + 30


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://media.example/a.jpg", "media.example is not in PHOTO_IMPORT_HOSTS"),
        ("https://sub.pretalx.com/a.jpg", "sub.pretalx.com is not in PHOTO_IMPORT_HOSTS"),
        ("http://pretalx.com/a.jpg", "only https:// addresses are fetched"),
        ("ftp://pretalx.com/a.jpg", "only https:// addresses are fetched"),
        ("https://127.0.0.1/a.jpg", "127.0.0.1 is an IP address, not a host name"),
        ("https://[::1]/a.jpg", "::1 is an IP address, not a host name"),
        ("https://u:p@pretalx.com/a.jpg", "the address carries a user name or password"),
        ("https://pretalx.com:http/a.jpg", "the address is not a web address"),
        ("https://PRETALX.com./a.jpg", None),
    ],
)
def test_what_the_policy_refuses_before_any_lookup(url: str, reason: str | None) -> None:
    assert Policy(hosts=("pretalx.com",)).refusal(url) == reason


def test_a_host_that_resolves_to_loopback_is_refused_without_a_request() -> None:
    with image_server() as server:
        url = server.serve("/a.jpg", jpeg())
        https = url.replace("http://", "https://")
        with pytest.raises(FetchRefused) as refused:
            fetch(https, Policy(hosts=("localhost",)), deadline=_soon())
    assert refused.value.reason == "localhost resolves to a private or local address (127.0.0.1)"
    assert server.requests == []


def test_an_allowed_host_gives_the_bytes() -> None:
    with image_server() as server:
        data = jpeg()
        assert fetch(server.serve("/a.jpg", data), LOCAL, deadline=_soon()) == data
    assert server.requests == ["/a.jpg"]


def test_a_redirect_to_another_host_is_refused_and_not_followed() -> None:
    with image_server() as server:
        url = server.serve("/a.jpg", b"", status=302, Location="https://media.example/b.jpg")
        with pytest.raises(FetchRefused) as refused:
            fetch(url, LOCAL, deadline=_soon())
    assert refused.value.reason == (
        "it redirects elsewhere: media.example is not in PHOTO_IMPORT_HOSTS"
    )
    assert server.requests == ["/a.jpg"]


def test_a_redirect_on_the_allowed_host_is_followed() -> None:
    with image_server() as server:
        data = jpeg()
        server.serve("/b.jpg", data)
        url = server.serve("/a.jpg", b"", status=301, Location="/b.jpg")
        assert fetch(url, LOCAL, deadline=_soon()) == data
    assert server.requests == ["/a.jpg", "/b.jpg"]


def test_a_redirect_loop_stops() -> None:
    with image_server() as server:
        url = server.serve("/a.jpg", b"", status=302, Location="/a.jpg")
        with pytest.raises(FetchRefused, match="redirected more than 3 times"):
            fetch(url, LOCAL, deadline=_soon())
    assert len(server.requests) == 4


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "no-length"])
def test_a_file_over_the_limit_is_not_read(declared: bool) -> None:
    big = b"\xff\xd8" + b"x" * MAX_BYTES
    with image_server() as server:
        url = (
            server.serve("/big.jpg", big)
            if declared
            else server.serve("/big.jpg", big, X_No_Length="1")
        )
        with pytest.raises(FetchRefused, match="the file is larger than 10 MB"):
            fetch(url, LOCAL, deadline=_soon())
        # A declared length over the limit is refused before any of the body is read.
        liar = server.serve("/liar.jpg", jpeg(), Content_Length=str(MAX_BYTES + 1))
        with pytest.raises(FetchRefused, match="the file is larger than 10 MB"):
            fetch(liar, LOCAL, deadline=_soon())
        small = server.serve("/small.jpg", jpeg(), X_No_Length="1")
        assert fetch(small, LOCAL, deadline=_soon()) == jpeg()


def test_an_error_answer_and_a_spent_budget_are_reasons() -> None:
    with image_server() as server:
        with pytest.raises(FetchRefused, match="localhost answered 404"):
            fetch(server.base + "/missing.jpg", LOCAL, deadline=_soon())
        with pytest.raises(FetchRefused, match="time for fetching photos ran out"):
            fetch(server.serve("/a.jpg", jpeg()), LOCAL, deadline=time.monotonic() - 1)
    assert server.requests == ["/missing.jpg"]


def test_the_allow_list_is_read_from_the_environment_and_the_test_switch_is_not(
    tmp_path: Path,
) -> None:
    config = Config.from_env(
        str(tmp_path),
        {
            "SECRET_KEY": "x",
            "PHOTO_IMPORT_HOSTS": " Pretalx.com , media.ccc.de ",
            "PHOTO_IMPORT_ALLOW_LOCAL": "1",
        },
    )
    assert config["PHOTO_IMPORT_HOSTS"] == ("pretalx.com", "media.ccc.de")
    assert config["PHOTO_IMPORT_ALLOW_LOCAL"] is False
    assert Config.from_env(str(tmp_path), {"SECRET_KEY": "x"})["PHOTO_IMPORT_HOSTS"] == ()


@pytest.mark.parametrize("value", ["*.pretalx.com", "https://pretalx.com", "pretalx.com:443"])
def test_an_allow_list_entry_that_is_not_a_host_name_is_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match="^" + re.escape(f"PHOTO_IMPORT_HOSTS={value!r}: “")):
        Config.from_env(str(tmp_path), {"SECRET_KEY": "x", "PHOTO_IMPORT_HOSTS": value})
