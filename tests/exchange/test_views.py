"""The organiser's import page: upload → diff → confirm, and everything it refuses."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from companion.hosting.models import AuditEntry
from companion.programme.models import Talk
from tests.conftest import SAME_ORIGIN, sign_in
from tests.exchange.conftest import CCC_XML, DEBCONF, RC3, read

URL = "/testconf/admin/import/"


@pytest.fixture
def organiser(client: FlaskClient, make_conference: Any, make_user: Any, grant_role: Any) -> Any:
    conference = make_conference(timezone="Europe/Berlin")
    user = make_user()
    grant_role(user, conference, "organiser")
    sign_in(client)
    return conference


def _upload(client: FlaskClient, data: bytes, name: str = "schedule.json", **form: str) -> Any:
    return client.post(
        URL,
        data={"file": (io.BytesIO(data), name), **form},
        headers=SAME_ORIGIN,
        content_type="multipart/form-data",
    )


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, name
    return match.group(1)


def _talks(dbs: Session) -> int:
    dbs.expire_all()
    return dbs.execute(select(func.count()).select_from(Talk)).scalar_one()


def test_upload_shows_the_diff_and_confirm_applies_it(
    client: FlaskClient, organiser: Any, dbs: Session
) -> None:
    assert client.get(URL).status_code == 200
    preview = _upload(client, read(RC3))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "48 new sessions, 5 new rooms, 5 new tracks, 56 new speakers." in html
    assert "Der faule Admin automatisiert" in html
    assert preview.headers["Cache-Control"] == "private, no-store"
    assert _talks(dbs) == 0  # nothing written by the preview
    done = client.post(
        "/testconf/admin/import/confirm",
        data={
            "token": _hidden(html, "token"),
            "payload": _hidden(html, "payload"),
            "accept_warnings": "yes",  # the file's dates are months after the conference's
        },
        headers=SAME_ORIGIN,
    )
    assert done.status_code == 302
    assert _talks(dbs) == 48
    actors = set(dbs.execute(select(AuditEntry.actor, AuditEntry.user_id)).all())
    assert actors == {("Import of schedule.json (Ada)", 1)}
    changelog = client.get("/testconf/changes/").get_data(as_text=True)
    assert "Added: 2020-12-" in changelog and "None" not in changelog
    again = _upload(client, read(RC3)).get_data(as_text=True)
    assert "No changes: the programme already matches the file." in again
    assert "Import</button>" not in again


def test_a_large_file_survives_the_round_trip_through_the_form(
    client: FlaskClient, make_conference: Any, make_user: Any, grant_role: Any, dbs: Session
) -> None:
    conference = make_conference(slug="36c3", timezone="Europe/Berlin")
    grant_role(make_user(), conference, "organiser")
    sign_in(client)
    html = client.post(
        "/36c3/admin/import/",
        data={"file": (io.BytesIO(read(CCC_XML)), "36c3.xml")},
        headers=SAME_ORIGIN,
    ).get_data(as_text=True)
    payload = _hidden(html, "payload")
    assert len(payload) > 500_000  # beyond Flask's default form field limit
    done = client.post(
        "/36c3/admin/import/confirm",
        data={"token": _hidden(html, "token"), "payload": payload, "accept_warnings": "yes"},
        headers=SAME_ORIGIN,
    )
    assert done.status_code == 302
    assert _talks(dbs) == 1351


def test_a_bad_file_is_refused_with_its_line_and_nothing_written(
    client: FlaskClient, organiser: Any, dbs: Session
) -> None:
    broken = read(DEBCONF).replace(b"<title>Opening Ceremony</title>", b"<title>Opening")
    response = _upload(client, broken, "debconf.xml")
    assert response.status_code == 422
    assert (
        "This file cannot be imported. line 73: the XML is malformed (mismatched tag)."
        in response.get_data(as_text=True)
    )
    assert _talks(dbs) == 0


def test_a_tampered_payload_is_refused(client: FlaskClient, organiser: Any, dbs: Session) -> None:
    html = _upload(client, read(RC3)).get_data(as_text=True)
    import base64
    import zlib

    other = base64.b64encode(zlib.compress(read(DEBCONF))).decode()
    response = client.post(
        "/testconf/admin/import/confirm",
        data={"token": _hidden(html, "token"), "payload": other},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 400
    assert "altered" in response.get_data(as_text=True)
    forged = client.post(
        "/testconf/admin/import/confirm",
        data={"token": "x" + _hidden(html, "token"), "payload": _hidden(html, "payload")},
        headers=SAME_ORIGIN,
    )
    assert forged.status_code == 400
    assert _talks(dbs) == 0


def test_a_programme_changed_meanwhile_shows_the_diff_again(
    client: FlaskClient, organiser: Any, make_talk: Any, dbs: Session
) -> None:
    html = _upload(client, read(RC3)).get_data(as_text=True)
    make_talk(organiser, "Added by hand meanwhile")
    response = client.post(
        "/testconf/admin/import/confirm",
        data={"token": _hidden(html, "token"), "payload": _hidden(html, "payload")},
        headers=SAME_ORIGIN,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "The programme changed after you looked at this import." in page
    assert "1 cancelled sessions (gone from the file)" in page
    assert _talks(dbs) == 1


def test_only_organisers_may_import(
    client: FlaskClient, make_conference: Any, make_user: Any
) -> None:
    make_conference()
    assert client.get(URL).status_code in (302, 401)
    make_user()
    sign_in(client)
    assert client.get(URL).status_code == 403
    assert _upload(client, read(RC3)).status_code == 403
