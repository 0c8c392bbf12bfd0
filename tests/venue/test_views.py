"""The venue page, map files, the room map on room/session pages and My schedule, and the
organiser's upload page: linking rooms to shapes, validation, and the revision moving."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.caching import reset_caches
from companion.programme.models import Conference, Floor, Room, Talk
from companion.venue.models import FloorMap, RoomPlace
from tests.conftest import SAME_ORIGIN, sign_in
from tests.venue.test_sanitise import png

MAP = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100"><title>Third</title>'
    b'<g id="room-fleming"><rect width="90" height="90" fill="#ddd"/><text x="45" y="45">Fleming'
    b'</text></g><rect id="whittle-shape" x="110" width="90" height="90"/><rect id="lifts"'
    b' x="95" width="10" height="10"/></svg>'
)


@pytest.fixture
def venue(
    dbs: Session, make_conference: Callable[..., Conference], make_floor, make_talk
) -> dict[str, Any]:
    """A conference with a 3rd floor holding Fleming and Whittle, one talk in Fleming."""
    conference = make_conference()
    floor = make_floor(conference, "3rd floor", level=3)
    talk = make_talk(conference, "Streams", room="Fleming")
    make_talk(conference, "APIs", room="Whittle", start="11:00", end="11:50")
    for room in dbs.execute(select(Room)).scalars():
        room.floor_id = floor.id
        room.description = f"3rd floor, {room.name} side"
    dbs.commit()
    return {"conference": conference, "floor": floor, "talk": talk}


@pytest.fixture
def organiser(app: Flask, make_user, grant_role, venue) -> FlaskClient:
    """A client signed in as an organiser of the conference."""
    user = make_user()
    grant_role(user, venue["conference"], "organiser")
    client = app.test_client()
    sign_in(client)
    return client


def upload(
    client: FlaskClient, data: bytes, name: str = "third.svg", floor: str = "3rd-floor"
) -> Any:
    return client.post(
        f"/testconf/admin/venue/floors/{floor}/map",
        data={"map": (io.BytesIO(data), name)},
        headers=SAME_ORIGIN,
        content_type="multipart/form-data",
    )


def places(dbs: Session) -> dict[str, tuple[str | None, str | None]]:
    dbs.expire_all()
    rows = dbs.execute(
        select(Room.slug, RoomPlace.shape_id, RoomPlace.points).join(RoomPlace)
    ).all()
    return {slug: (shape, points) for slug, shape, points in rows}


def revision(dbs: Session) -> int:
    dbs.expire_all()
    return dbs.execute(select(Conference.revision)).scalar_one()


def test_upload_links_rooms_to_shapes_named_after_them(
    organiser: FlaskClient, dbs: Session
) -> None:
    before = revision(dbs)
    response = upload(organiser, MAP)
    assert response.status_code == 302
    assert places(dbs) == {"fleming": ("room-fleming", None)}
    assert revision(dbs) == before + 1
    page = organiser.get("/testconf/admin/venue/").text
    assert (
        "The map of the 3rd floor is in: 1 of 2 rooms placed. Not on the map yet: Whittle." in page
    )
    assert '<option value="whittle-shape">whittle-shape</option>' in page


def test_organiser_links_a_room_to_a_shape_by_hand(
    organiser: FlaskClient, dbs: Session, venue
) -> None:
    upload(organiser, MAP)
    ids = dict(dbs.execute(select(Room.slug, Room.id)).all())
    before = revision(dbs)
    response = organiser.post(
        "/testconf/admin/venue/floors/3rd-floor/rooms",
        data={f"room-{ids['fleming']}": "", f"room-{ids['whittle']}": "whittle-shape"},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 302
    assert places(dbs) == {"whittle": ("whittle-shape", None)}
    assert revision(dbs) == before + 1


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        ("nope", "The map has no shape with the id “nope”."),
        ("room-fleming", "That shape is already Fleming."),
    ],
)
def test_linking_to_a_missing_or_taken_shape_is_refused(
    organiser: FlaskClient, dbs: Session, choice: str, message: str
) -> None:
    upload(organiser, MAP)
    ids = dict(dbs.execute(select(Room.slug, Room.id)).all())
    response = organiser.post(
        "/testconf/admin/venue/floors/3rd-floor/rooms",
        data={f"room-{ids['fleming']}": "room-fleming", f"room-{ids['whittle']}": choice},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 422
    assert message in response.text
    assert places(dbs) == {"fleming": ("room-fleming", None)}


def test_raster_map_takes_polygons(organiser: FlaskClient, dbs: Session) -> None:
    assert upload(organiser, png(40, 20), "third.png").status_code == 302
    ids = dict(dbs.execute(select(Room.slug, Room.id)).all())
    bad = organiser.post(
        "/testconf/admin/venue/floors/3rd-floor/rooms",
        data={f"room-{ids['fleming']}": "0,0 20,0 20,20", f"room-{ids['whittle']}": "0,0 50,0 9,9"},
        headers=SAME_ORIGIN,
    )
    assert bad.status_code == 422
    assert "The corner 50,0 is outside the image (40×20 pixels)." in bad.text
    assert places(dbs) == {}
    good = organiser.post(
        "/testconf/admin/venue/floors/3rd-floor/rooms",
        data={f"room-{ids['fleming']}": " 0,0  20,0 20.5,20 ", f"room-{ids['whittle']}": ""},
        headers=SAME_ORIGIN,
    )
    assert good.status_code == 302
    assert places(dbs) == {"fleming": (None, "0,0 20,0 20.5,20")}
    page = organiser.get("/testconf/rooms/fleming/").text
    assert '<image href="/testconf/venue/floors/3rd-floor.png" width="40" height="20"/>' in page
    assert (
        '<polygon points="0,0 20,0 20.5,20" class="room-shape is-here" data-room="fleming"/>'
        in page
    )
    image = organiser.get("/testconf/venue/floors/3rd-floor.png")
    assert (image.status_code, image.mimetype, image.data) == (200, "image/png", png(40, 20))


@pytest.mark.parametrize(
    ("data", "name", "status", "message"),
    [
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>",
            "bad.svg",
            422,
            "not well-formed",
        ),
        (b"GIF89a....", "map.gif", 415, "not an image we can use"),
        (
            b'<!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><text>&b;</text></svg>',
            "lol.svg",
            422,
            "declares XML entities",
        ),
        (b"<svg " + b" " * (3 * 1024 * 1024) + b"/>", "huge.svg", 413, "a map may be at most 2 MB"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1e300 1e300"/>',
            "vast.svg",
            422,
            "viewBox is far too large",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" width="1e300" height="9"/>',
            "wide.svg",
            422,
            "viewBox is far too large",
        ),
    ],
)
def test_a_refused_upload_keeps_the_old_map(
    organiser: FlaskClient, dbs: Session, data: bytes, name: str, status: int, message: str
) -> None:
    upload(organiser, MAP)
    before = revision(dbs)
    response = upload(organiser, data, name)
    assert response.status_code == status
    assert message in response.text
    assert "The map below is unchanged." in response.text
    dbs.expire_all()
    stored = dbs.execute(select(FloorMap)).scalar_one()
    assert stored.content.startswith(
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100">'
    )
    assert places(dbs) == {"fleming": ("room-fleming", None)}
    assert revision(dbs) == before


def test_replacing_a_map_keeps_places_that_still_exist(
    organiser: FlaskClient, dbs: Session
) -> None:
    upload(organiser, MAP)
    upload(organiser, MAP.replace(b"room-fleming", b"other"))
    assert places(dbs) == {}
    upload(organiser, MAP)
    assert places(dbs) == {"fleming": ("room-fleming", None)}
    organiser.post("/testconf/admin/venue/floors/3rd-floor/map/delete", headers=SAME_ORIGIN)
    assert places(dbs) == {}
    assert dbs.execute(select(FloorMap)).first() is None


def test_only_organisers_reach_the_admin_page(
    app: Flask, client: FlaskClient, make_user, venue
) -> None:
    assert client.get("/testconf/admin/venue/").status_code == 302  # to sign in
    make_user(email="someone@example.org")
    sign_in(client, email="someone@example.org")
    assert client.get("/testconf/admin/venue/").status_code == 403
    assert upload(client, MAP).status_code == 403


def test_upload_without_csrf_token_is_refused(organiser: FlaskClient, dbs: Session) -> None:
    response = organiser.post(
        "/testconf/admin/venue/floors/3rd-floor/map",
        data={"map": (io.BytesIO(MAP), "third.svg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert dbs.execute(select(FloorMap)).first() is None


def test_admin_pages_are_private(organiser: FlaskClient) -> None:
    assert organiser.get("/testconf/admin/venue/").headers["Cache-Control"] == "private, no-store"


def test_map_file_is_served_with_a_csp_that_lets_nothing_run(
    organiser: FlaskClient, client: FlaskClient
) -> None:
    upload(organiser, MAP)
    response = client.get("/testconf/venue/floors/3rd-floor.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; sandbox; "
        "frame-ancestors 'self'"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get(
        "/testconf/venue/floors/3rd-floor.svg", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304
    assert client.get("/testconf/venue/floors/3rd-floor.png").status_code == 404
    assert client.get("/testconf/venue/floors/3rd-floor.exe").status_code == 422
    assert client.get("/testconf/venue/floors/attic.svg").status_code == 404


def test_hostile_upload_leaves_nothing_runnable_anywhere(
    organiser: FlaskClient, client: FlaskClient, venue
) -> None:
    hostile = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        b' viewBox="0 0 10 10" onload="alert(1)"><script>alert(2)</script>'
        b'<a xlink:href="javascript:alert(3)"><rect id="room-fleming" width="5" height="5"'
        b' onclick="alert(4)"/></a><foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml"'
        b' src="javascript:alert(5)"/></foreignObject></svg>'
    )
    assert upload(organiser, hostile).status_code == 302
    bodies = [
        client.get("/testconf/venue/floors/3rd-floor.svg").data,
        client.get("/testconf/venue/").data,
        client.get("/testconf/rooms/fleming/").data,
        client.get(f"/testconf/sessions/{venue['talk'].guid}/").data,
    ]
    maps = [bodies[0].decode()] + [
        html.split('class="map-frame')[1].split("</figure>")[0]
        for html in (b.decode() for b in bodies[1:])
    ]
    for text in (m.lower() for m in maps):
        for marker in (
            "alert(",
            "<script",
            "onload",
            "onclick",
            "javascript:",
            "foreignobject",
            "<iframe",
        ):
            assert marker not in text
    assert 'class="room-shape is-here"' in maps[2]


def test_room_and_session_pages_show_the_room_on_its_floor(
    organiser: FlaskClient, client: FlaskClient, venue
) -> None:
    assert "map-svg" not in client.get("/testconf/rooms/fleming/").text
    upload(organiser, MAP)
    room = client.get("/testconf/rooms/fleming/").text
    session = client.get(f"/testconf/sessions/{venue['talk'].guid}/").text
    for page in (room, session):
        assert 'aria-label="Map of the 3rd floor with Fleming highlighted"' in page
        assert (
            '<g id="m{}-room-fleming" class="room-shape is-here" data-room="fleming">'.format(
                venue["floor"].id
            )
            in page
        )
        assert "Fleming is highlighted on the 3rd floor." in page
        # The floor is said once: beside the room, not again in its directions.
        assert "Fleming side" in page and "3rd floor, Fleming side" not in page
    assert "3rd floor · Fleming side" in room
    assert "Fleming · 3rd floor" in session
    # Whittle is not placed: its page shows the text description alone.
    whittle = client.get("/testconf/rooms/whittle/").text
    assert "3rd floor · Whittle side" in whittle and "map-svg" not in whittle


def test_venue_page_has_every_floor_with_linked_rooms(
    organiser: FlaskClient, client: FlaskClient, make_floor, venue
) -> None:
    make_floor(venue["conference"], "Ground floor", level=0)
    upload(organiser, MAP)
    page = client.get("/testconf/venue/").text
    assert page.index('href="#floor-ground-floor"') < page.index('href="#floor-3rd-floor"')
    assert '<a href="/testconf/rooms/fleming/" aria-label="Fleming"><g id="m' in page
    assert "There is no map of this floor yet." in page
    assert 'href="/testconf/venue/floors/3rd-floor.svg"' in page
    assert "3rd floor, Whittle side" in page  # rooms in words beside the map


def test_where_next_shows_the_next_starred_room_on_its_map(
    app: Flask, organiser: FlaskClient, venue
) -> None:
    upload(organiser, MAP)
    attendee = app.test_client()
    attendee.put(f"/api/v1/me/stars/{venue['talk'].guid}", headers=SAME_ORIGIN)
    app.config["FIXED_NOW"] = "2020-03-02T09:30:00+00:00"
    page = attendee.get("/testconf/my/").text
    block = page.split('id="where-next-h"')[1].split("</section>")[0]
    assert "Streams" in block and "Fleming · 3rd floor" in block
    assert 'class="room-shape is-here" data-room="fleming"' in block
    app.config["FIXED_NOW"] = "2020-03-02T11:30:00+00:00"
    assert "Where next?" not in attendee.get("/testconf/my/").text


def test_offline_list_holds_the_venue_page_and_every_map(
    organiser: FlaskClient, client: FlaskClient
) -> None:
    upload(organiser, MAP)
    urls = client.get("/api/v1/conferences/testconf/offline").get_json()["pages"]
    assert "/testconf/venue/" in urls
    assert "/testconf/venue/floors/3rd-floor.svg" in urls
    sw = client.get("/sw.js").text
    assert "MAP_FILE.test(url.pathname)" in sw


def test_map_changes_move_the_etag_of_pages(organiser: FlaskClient, client: FlaskClient) -> None:
    first = client.get("/testconf/rooms/fleming/").headers["ETag"]
    upload(organiser, MAP)
    second = client.get("/testconf/rooms/fleming/")
    assert second.headers["ETag"] != first
    assert "is-here" in second.text


def test_venue_page_queries_do_not_grow_with_floors(
    app: Flask, organiser: FlaskClient, client: FlaskClient, make_floor, venue, queries
) -> None:
    upload(organiser, MAP)
    counts = []
    for n in range(2):
        make_floor(venue["conference"], f"Extra {n}", level=10 + n)
        reset_caches(app)
        with queries() as statements:
            assert client.get("/testconf/venue/").status_code == 200
        counts.append(len(statements))
    assert counts == [6, 6]  # stamp, conference, floors, their rooms, maps, places


def test_demo_loads_a_map_for_every_floor_with_every_room_on_one(
    app: Flask, runner: Any, dbs: Session
) -> None:
    result = runner.invoke(args=["load-demo"])
    assert result.exit_code == 0, result.output
    floors = dbs.execute(select(Floor)).scalars().all()
    maps = dbs.execute(select(FloorMap)).scalars().all()
    assert {m.floor_id for m in maps} == {f.id for f in floors}
    rooms = dbs.execute(select(Room.slug)).scalars().all()
    assert sorted(places(dbs)) == sorted(rooms)
    assert runner.invoke(args=["load-demo"]).exit_code == 0  # again: nothing doubled
    assert len(dbs.execute(select(FloorMap)).scalars().all()) == len(floors)


def test_deleting_a_room_removes_its_place(organiser: FlaskClient, dbs: Session) -> None:
    upload(organiser, MAP)
    dbs.execute(select(Talk)).scalars().all()
    for talk in dbs.execute(select(Talk)).scalars():
        dbs.delete(talk)
    dbs.delete(dbs.execute(select(Room).where(Room.slug == "fleming")).scalar_one())
    dbs.commit()
    assert places(dbs) == {}


def test_room_and_session_pages_with_a_map_add_two_queries_whatever_the_rooms(
    app: Flask, organiser: FlaskClient, client: FlaskClient, dbs: Session, venue, queries
) -> None:
    upload(organiser, MAP)
    counts = []
    for extra in range(2):
        for n in range(extra * 5):
            dbs.add(
                Room(
                    conference_id=venue["conference"].id,
                    floor_id=venue["floor"].id,
                    slug=f"extra-{n}",
                    name=f"Extra {n}",
                )
            )
        dbs.commit()
        page_counts = []
        for url in ("/testconf/rooms/fleming/", f"/testconf/sessions/{venue['talk'].guid}/"):
            reset_caches(app)
            with queries() as statements:
                assert "is-here" in client.get(url).text
            page_counts.append(len(statements))
        counts.append(page_counts)
    # the pages' own 6 and 6 (change marks; the session's links), then the map and its rooms
    assert counts == [[8, 8], [8, 8]]
