"""Fixtures of the agenda tests."""

from __future__ import annotations

import pytest

from companion.programme.models import Talk


@pytest.fixture
def day(make_conference, make_talk) -> dict[str, Talk]:
    conference = make_conference()
    return {
        "keynote": make_talk(
            conference, "Keynote", start="09:00", end="09:50", kind="keynote", room="Churchill"
        ),
        "streams": make_talk(
            conference, "Streams", start="10:20", end="11:10", room="Fleming", track="Streaming"
        ),
        "apis": make_talk(conference, "APIs", start="10:20", end="11:10", room="Whittle"),
        "other": make_talk(conference, "Security", start="10:20", end="11:10", room="Rutherford"),
        "late": make_talk(conference, "Late", start="16:00", end="16:50", room="Fleming"),
    }
