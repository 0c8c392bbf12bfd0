"""A session's slides and recording in its calendar events: ATTACH (URL stays the session's
page), read back with both parsers the feed tests use."""

from __future__ import annotations

from flask import Flask
from icalendar import Calendar

from tests.hosting.conftest import setting  # noqa: F401 - the editing tests' conference
from tests.hosting.test_links import SLIDES, _with_links


def test_ical_attaches_the_slides_and_the_recording(app: Flask, setting) -> None:  # noqa: F811
    talk = _with_links(app, setting)
    client = app.test_client()
    for url in (
        f"/testconf/sessions/{talk.guid}.ics",
        "/testconf/tracks/streaming.ics",
        "/testconf/schedule.ics",
    ):
        data = client.get(url).data
        [event] = [e for e in Calendar.from_ical(data).walk("VEVENT") if talk.guid in e["uid"]]
        attached = event.get("attach")
        assert [str(a) for a in attached] == [SLIDES, "https://media.example/v/streams"], url
        assert str(event["url"]).endswith(f"/sessions/{talk.guid}/")  # URL stays the page
        assert "Watch live: https://live.example/fleming" in str(event["description"])


def test_icaljs_reads_the_attachments(app: Flask, setting, icaljs) -> None:  # noqa: F811
    talk = _with_links(app, setting)
    parsed = icaljs(app.test_client().get(f"/testconf/sessions/{talk.guid}.ics").data)
    assert parsed["events"][0]["attach"] == [SLIDES, "https://media.example/v/streams"]
