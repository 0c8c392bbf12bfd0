from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session


def test_programme_document_has_everything(
    client: FlaskClient, make_conference, make_talk, dbs: Session
) -> None:
    conference = make_conference()
    talk = make_talk(
        conference, "Likes", track="Streaming", speakers=("Akhilesh Gupta",), abstract="**Fast**"
    )
    response = client.get("/api/v1/conferences/testconf/programme")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    doc = response.get_json()
    assert doc["conference"]["slug"] == "testconf"
    assert doc["conference"]["days"] == ["2020-03-02", "2020-03-03", "2020-03-04"]
    assert doc["sessions"] == [
        {
            "guid": talk.guid,
            "title": "Likes",
            "kind": "talk",
            "status": "scheduled",
            "day": "2020-03-02",
            "start": "2020-03-02T10:00:00Z",
            "end": "2020-03-02T10:50:00Z",
            "track": "streaming",
            "room": "fleming",
            "speakers": ["akhilesh-gupta"],
            "abstract": "**Fast**",
            "links": [],
            "version": 1,
        }
    ]
    assert doc["tracks"][0]["slug"] == "streaming"
    assert doc["rooms"][0]["slug"] == "fleming"
    assert doc["speakers"][0]["name"] == "Akhilesh Gupta"


def test_programme_document_answers_304_until_it_changes(
    client: FlaskClient, make_conference, make_talk, dbs: Session
) -> None:
    talk = make_talk(make_conference())
    url = "/api/v1/conferences/testconf/programme"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    talk.title = "Changed"
    dbs.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.get_json()["sessions"][0]["title"] == "Changed"


def test_unknown_conference_is_a_json_404(client: FlaskClient) -> None:
    response = client.get("/api/v1/conferences/nope/programme")
    assert response.status_code == 404
    assert response.get_json() == {
        "error": {
            "status": 404,
            "title": "Not found",
            "message": "There is no conference called “nope”.",
        }
    }


def test_unknown_api_route_is_a_json_404(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_conference_list(client: FlaskClient, make_conference) -> None:
    make_conference()
    assert [c["slug"] for c in client.get("/api/v1/conferences").get_json()["conferences"]] == [
        "testconf"
    ]
