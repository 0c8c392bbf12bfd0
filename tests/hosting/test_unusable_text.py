"""Text no database or XML file can hold is refused at the door, and never breaks an export:
lone surrogates in JSON, U+FFFE/U+FFFF, line breaks in imported titles (probe N4–N6)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy.orm import Session

from companion.programme.models import Talk
from tests.conftest import SAME_ORIGIN
from tests.hosting.conftest import as_user

#: A schedule.json whose one event's title is `title` (JSON text, escapes allowed).
SCHEDULE = """{"schedule": {"version": "1", "conference": {"acronym": "testconf",
"title": "Test Conf", "start": "2020-03-02", "end": "2020-03-04", "daysCount": 3,
"time_zone_name": "Europe/London", "days": [{"index": 1, "date": "2020-03-02",
"day_start": "2020-03-02T08:00:00+00:00", "day_end": "2020-03-03T04:00:00+00:00",
"rooms": {"Fleming": [{"guid": "6f0e1c2a-1d3b-4c5d-8e9f-0a1b2c3d4e5f", "id": 1,
"date": "2020-03-02T10:00:00+00:00", "start": "10:00", "duration": "00:50",
"room": "Fleming", "title": TITLE, "type": "talk", "persons": []}]}}]}}}"""


def _patch_raw(client: FlaskClient, talk: Talk, body: str) -> Any:
    etag = client.get(f"/api/v1/sessions/{talk.guid}").headers["ETag"]
    return client.patch(
        f"/api/v1/sessions/{talk.guid}",
        data=body,
        content_type="application/json",
        headers={**SAME_ORIGIN, "If-Match": etag},
    )


@pytest.mark.parametrize("body", ['{"title": "T a\\ud800b"}', '{"abstract": "\\udfff"}'])
def test_a_lone_surrogate_in_json_is_a_400(app: Flask, setting, dbs: Session, body: str) -> None:
    response = _patch_raw(as_user(app, "host"), setting["streams"], body)
    assert response.status_code == 400
    assert "JSON" in response.get_json()["error"]["message"]


def test_a_lone_surrogate_in_a_push_endpoint_is_a_400(app: Flask) -> None:
    response = app.test_client().post(
        "/api/v1/me/push-subscriptions",
        data='{"endpoint": "https://fcm.googleapis.com/\\ud800", "keys": {"p256dh": "a", '
        '"auth": "b"}}',
        content_type="application/json",
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 400


@pytest.mark.parametrize("title", ["T a\ufffeb", "T\uffff"])
def test_characters_xml_cannot_carry_are_refused_in_titles(app: Flask, setting, title: str) -> None:
    host = as_user(app, "host")
    etag = host.get(f"/api/v1/sessions/{setting['streams'].guid}").headers["ETag"]
    response = host.patch(
        f"/api/v1/sessions/{setting['streams'].guid}",
        json={"title": title},
        headers={**SAME_ORIGIN, "If-Match": etag},
    )
    assert response.status_code == 422
    assert "title" in response.get_json()["error"]["fields"]


def test_xml_exports_stay_well_formed_with_such_rows_stored(
    client: FlaskClient, setting, dbs: Session
) -> None:
    talk = dbs.get(Talk, setting["streams"].id)
    talk.title = "Stored \ufffe before the rule \x01"
    talk.abstract = "Also \uffff here"
    dbs.commit()
    for url in ("/testconf/schedule.xml", "/testconf/changes.atom"):
        response = client.get(url)
        assert response.status_code == 200, url
        etree.fromstring(response.data)  # raises on a character XML cannot carry


def _organiser_upload(app: Flask, data: bytes) -> Any:
    return as_user(app, "organiser").post(
        "/testconf/admin/import/",
        data={"file": (io.BytesIO(data), "schedule.json"), "timezone": "Europe/London"},
        headers=SAME_ORIGIN,
        content_type="multipart/form-data",
    )


def test_a_lone_surrogate_in_an_imported_file_is_refused_with_a_message(
    app: Flask, setting, runner: Any, tmp_path: Path
) -> None:
    data = SCHEDULE.replace("TITLE", '"\\ud800"').encode()
    response = _organiser_upload(app, data)
    assert response.status_code == 422
    assert "lone surrogate" in response.get_data(as_text=True)
    path = tmp_path / "sur.json"
    path.write_bytes(data)
    result = runner.invoke(args=["import-schedule", str(path), "--dry-run"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "lone surrogate" in result.output
