"""/api/v1/me tells a page what its reader may edit (issue 17: hosts and organisers see "Edit"
on the pages they may change), since public pages are cached for everyone."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from companion.programme.models import Track
from tests.conftest import SAME_ORIGIN, sign_in


def test_me_lists_what_a_host_and_an_organiser_may_edit(
    client: FlaskClient,
    dbs: Session,
    make_conference: Any,
    make_talk: Any,
    make_user: Any,
    grant_role: Any,
) -> None:
    conference = make_conference()
    make_talk(conference, track="Streaming")
    make_talk(conference, "Other", track="APIs")
    other = make_conference(slug="elsewhere", name="Elsewhere")
    host, organiser = make_user(), make_user("olu@example.org", name="Olu")
    streaming = dbs.query(Track).filter_by(slug="streaming").one()
    grant_role(host, conference, "host", streaming)
    grant_role(organiser, conference, "organiser")
    grant_role(organiser, other, "organiser")

    assert client.get("/api/v1/me").json["edits"] == {}
    sign_in(client)
    assert client.get("/api/v1/me").json["edits"] == {
        "testconf": {"organiser": False, "tracks": ["streaming"]}
    }
    client.post("/logout", headers=SAME_ORIGIN)
    sign_in(client, "olu@example.org")
    assert client.get("/api/v1/me").json["edits"] == {
        "elsewhere": {"organiser": True, "tracks": []},
        "testconf": {"organiser": True, "tracks": []},
    }


def test_a_guest_or_an_unconfirmed_address_may_edit_nothing(
    client: FlaskClient,
    dbs: Session,
    make_conference: Any,
    make_talk: Any,
    make_user: Any,
    grant_role: Any,
) -> None:
    conference = make_conference()
    talk = make_talk(conference)
    client.put(f"/api/v1/me/stars/{talk.guid}", headers=SAME_ORIGIN)  # now a guest
    assert client.get("/api/v1/me").json["edits"] == {}
    user = make_user()
    user.email_confirmed_at = None
    dbs.commit()
    grant_role(user, conference, "organiser")
    client.post("/logout", headers=SAME_ORIGIN)
    sign_in(client)
    assert client.get("/api/v1/me").json["edits"] == {}
