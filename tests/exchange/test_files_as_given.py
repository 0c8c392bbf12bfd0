"""What a file says is kept as it says it: guids as written (32C3's have no hyphens), and
numbers too long to read are refused with a message, on the page and on the command line."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from companion.exchange.apply import ImportResult
from companion.programme.models import Talk
from tests.conftest import SAME_ORIGIN, sign_in

#: Two 32C3 events as its frab export wrote them: guids without hyphens.
CCC32 = b"""<?xml version="1.0" encoding="UTF-8"?>
<schedule><version>1</version>
<conference><acronym>32c3</acronym><title>32C3</title><start>2015-12-27</start>
<end>2015-12-30</end><days>4</days><time_zone_name>Europe/Berlin</time_zone_name></conference>
<day index="1" date="2015-12-27" start="2015-12-27T10:00:00+01:00" end="2015-12-28T04:00:00+01:00">
<room name="Hall 1">
<event id="7550" guid="e1a7ac4c5a3546bd8d5a4a3a1c7f6b7c"><date>2015-12-27T11:30:00+01:00</date>
<start>11:30</start><duration>00:30</duration><room>Hall 1</room><title>Opening Event</title>
<type>lecture</type><persons><person id="1">geraldine</person></persons></event>
<event id="7551" guid="2D9F2F3F6C7B4E0A9A8B7C6D5E4F3A2B"><date>2015-12-27T12:45:00+01:00</date>
<start>12:45</start><duration>01:00</duration><room>Hall 1</room><title>Keynote</title>
<type>lecture</type></event>
</room></day></schedule>
"""


def test_guids_without_hyphens_are_stored_and_exported_as_given(
    importer: Callable[..., ImportResult], client: FlaskClient, dbs: Session
) -> None:
    importer(CCC32)
    stored = set(dbs.execute(select(Talk.guid)).scalars())
    assert stored == {"e1a7ac4c5a3546bd8d5a4a3a1c7f6b7c", "2D9F2F3F6C7B4E0A9A8B7C6D5E4F3A2B"}
    xml = client.get("/32c3/schedule.xml").get_data(as_text=True)
    assert 'guid="e1a7ac4c5a3546bd8d5a4a3a1c7f6b7c"' in xml
    document = client.get("/32c3/schedule.json").get_json()
    guids = [
        event["guid"]
        for day in document["schedule"]["conference"]["days"]
        for events in day["rooms"].values()
        for event in events
    ]
    assert guids == ["e1a7ac4c5a3546bd8d5a4a3a1c7f6b7c", "2D9F2F3F6C7B4E0A9A8B7C6D5E4F3A2B"]
    assert client.get("/32c3/sessions/e1a7ac4c5a3546bd8d5a4a3a1c7f6b7c/").status_code == 200
    assert importer(CCC32, slug="32c3").diff.empty


def test_hyphenated_guids_stored_earlier_still_match_the_same_file(
    importer: Callable[..., ImportResult], dbs: Session
) -> None:
    hyphenated = CCC32.replace(
        b"e1a7ac4c5a3546bd8d5a4a3a1c7f6b7c", b"e1a7ac4c-5a35-46bd-8d5a-4a3a1c7f6b7c"
    )
    importer(hyphenated)
    again = importer(CCC32, slug="32c3").diff
    assert (again.new_sessions, again.cancelled_sessions, again.changed_sessions) == ([], [], [])
    assert dbs.execute(select(func.count()).select_from(Talk)).scalar_one() == 2


_HUGE = b'{"schedule": {"conference": {"title": "X", "daysCount": ' + b"9" * 5000 + b"}}}"


def test_a_5000_digit_number_is_a_clean_cli_error(
    runner: Any, dbs: Session, tmp_path: Path
) -> None:
    path = tmp_path / "huge.json"
    path.write_bytes(_HUGE)
    result = runner.invoke(args=["import-schedule", str(path)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output == (
        "Error: huge.json: $: the JSON holds a number too long to be read. Nothing was imported.\n"
    )


def test_a_5000_digit_number_is_a_422_on_the_upload_page(
    client: FlaskClient, make_conference: Any, make_user: Any, grant_role: Any
) -> None:
    conference = make_conference()
    grant_role(make_user(), conference, "organiser")
    sign_in(client)
    for data in (_HUGE, CCC32.replace(b"<days>4</days>", b"<days>" + b"9" * 5000 + b"</days>")):
        response = client.post(
            "/testconf/admin/import/",
            data={"file": (io.BytesIO(data), "huge.json")},
            headers=SAME_ORIGIN,
            content_type="multipart/form-data",
        )
        assert response.status_code in (200, 422)
        if data is _HUGE:
            assert response.status_code == 422
            assert "the JSON holds a number too long to be read." in response.get_data(as_text=True)


def test_an_imported_title_with_line_breaks_is_stored_on_one_line(
    importer: Callable[..., ImportResult], dbs: Session
) -> None:
    """Probe N6: the import held titles to none of the rules of the editor's single-line fields."""
    from tests.hosting.test_unusable_text import SCHEDULE

    importer(SCHEDULE.replace("TITLE", '"Title A\\r\\nX-Injected: 1\\ufffe"').encode())
    assert list(dbs.execute(select(Talk.title)).scalars()) == ["Title A X-Injected: 1"]
