"""Every committed programme change becomes one live event, in the change's own transaction
(issue 16): what the stream replays is exactly what was committed, in commit order."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from companion.live.models import LiveEvent
from companion.live.queries import events_after, kept_range, newest_events
from companion.programme.models import Conference, Room, Talk
from tests.conftest import at


@pytest.fixture
def programme(make_conference, make_talk) -> dict[str, Any]:
    conference = make_conference()
    talk = make_talk(conference, "Streams at scale", start="10:00", end="10:50", room="Fleming")
    other = make_talk(conference, "APIs", start="11:00", end="11:50", room="Whittle")
    return {"conference": conference, "talk": talk, "other": other}


def _events(dbs: Session) -> list[LiveEvent]:
    dbs.expire_all()
    return list(dbs.execute(select(LiveEvent).order_by(LiveEvent.id)).scalars())


def test_a_move_is_one_event_with_the_new_time_and_room_and_what_they_were(
    dbs: Session, programme: dict[str, Any]
) -> None:
    before = _events(dbs)[-1].id
    talk = dbs.get(Talk, programme["talk"].id)
    assert talk is not None
    whittle = dbs.execute(select(Room).where(Room.name == "Whittle")).scalar_one()
    talk.start, talk.end, talk.room_id = at("14:00"), at("14:50"), whittle.id
    dbs.commit()

    events = [e for e in _events(dbs) if e.id > before]
    assert len(events) == 1
    event = events[0]
    conference = programme["conference"]
    dbs.refresh(conference)
    assert (event.kind, event.conference_id, event.revision) == (
        "change",
        conference.id,
        conference.revision,
    )
    assert event.data == {
        "conference": "testconf",
        "revision": conference.revision,
        "sessions": [
            {
                "guid": talk.guid,
                "state": "changed",
                "title": "Streams at scale",
                "url": f"/testconf/sessions/{talk.guid}/",
                "start": "2020-03-02T14:00:00+00:00",
                "end": "2020-03-02T14:50:00+00:00",
                "day": "2020-03-02",
                "room": {
                    "slug": "whittle",
                    "name": "Whittle",
                    "label": "Whittle",
                    "url": "/testconf/rooms/whittle/",
                },
                "cancelled": False,
                "changed": ["end", "room", "start"],
                "was": {
                    "end": "2020-03-02T10:50:00+00:00",
                    "room": "Fleming",
                    "start": "2020-03-02T10:00:00+00:00",
                },
            }
        ],
        "more": 0,
    }


def test_several_flushes_of_one_transaction_keep_the_first_baseline(
    dbs: Session, programme: dict[str, Any]
) -> None:
    talk = dbs.get(Talk, programme["talk"].id)
    assert talk is not None
    talk.start = at("10:30")
    dbs.flush()
    talk.start = at("10:45")
    talk.status = "cancelled"
    dbs.commit()
    session_data = _events(dbs)[-1].data["sessions"][0]
    assert session_data["changed"] == ["cancelled", "start"]
    assert session_data["was"] == {"cancelled": False, "start": "2020-03-02T10:00:00+00:00"}
    assert (session_data["start"], session_data["cancelled"]) == ("2020-03-02T10:45:00+00:00", True)


def test_an_edit_undone_in_its_transaction_lists_no_session(
    dbs: Session, programme: dict[str, Any]
) -> None:
    talk = dbs.get(Talk, programme["talk"].id)
    assert talk is not None
    talk.start = at("10:30")
    dbs.flush()
    talk.start = at("10:00")
    dbs.commit()
    assert _events(dbs)[-1].data["sessions"] == []


def test_a_rolled_back_change_leaves_no_event(dbs: Session, programme: dict[str, Any]) -> None:
    count = len(_events(dbs))
    talk = dbs.get(Talk, programme["talk"].id)
    assert talk is not None
    talk.start = at("10:40")
    dbs.flush()
    dbs.rollback()
    talk = dbs.get(Talk, programme["other"].id)
    assert talk is not None
    talk.title = "APIs, again"
    dbs.commit()
    events = _events(dbs)
    assert len(events) == count + 1
    assert [s["guid"] for s in events[-1].data["sessions"]] == [programme["other"].guid]


def test_added_and_removed_sessions_are_named(
    dbs: Session, programme: dict[str, Any], make_talk: Any
) -> None:
    added = make_talk(programme["conference"], "New", start="16:00", end="16:30", room=None)
    assert _events(dbs)[-1].data["sessions"] == [
        {
            "guid": added.guid,
            "state": "added",
            "title": "New",
            "url": f"/testconf/sessions/{added.guid}/",
            "start": "2020-03-02T16:00:00+00:00",
            "end": "2020-03-02T16:30:00+00:00",
            "day": "2020-03-02",
            "room": None,
            "cancelled": False,
            "changed": [],
            "was": {},
        }
    ]
    dbs.delete(dbs.get(Talk, programme["other"].id))
    dbs.commit()
    assert _events(dbs)[-1].data["sessions"] == [
        {
            "guid": programme["other"].guid,
            "state": "removed",
            "title": "APIs",
            "changed": [],
            "was": {},
        }
    ]


def test_a_bulk_change_or_a_room_rename_says_the_programme_changed(
    dbs: Session, programme: dict[str, Any]
) -> None:
    dbs.execute(update(Room).where(Room.name == "Fleming").values(name="Fleming Room"))
    dbs.commit()
    data = _events(dbs)[-1].data
    assert (data["sessions"], data["more"], data["what"]) == ([], 0, "programme")


def test_replay_reads_what_was_committed_in_order(dbs: Session, programme: dict[str, Any]) -> None:
    first = _events(dbs)[0].id
    for minute in ("10:10", "10:20", "10:30"):
        talk = dbs.get(Talk, programme["talk"].id)
        assert talk is not None
        talk.start = at(minute)
        dbs.commit()
    ids = [e.id for e in _events(dbs)]
    assert ids == sorted(ids)
    assert [e.id for e in events_after(dbs, first)] == ids[1:]
    assert [e.id for e in newest_events(dbs, 2)] == ids[-2:]
    assert kept_range(dbs) == (ids[0], ids[-1])


def test_events_of_a_deleted_conference_go_with_it(
    app: Flask, dbs: Session, programme: dict[str, Any]
) -> None:
    dbs.delete(dbs.get(type(programme["conference"]), programme["conference"].id))
    dbs.commit()
    assert _events(dbs) == []


def test_a_rendered_revision_is_a_pages_event_with_the_changed_pages(
    app: Flask, dbs: Session, programme: dict[str, Any]
) -> None:
    from companion.offline.render import render_revision

    conference_id = programme["conference"].id
    first = render_revision(app, conference_id)
    assert first is not None
    opening = _events(dbs)[-1]
    assert (opening.kind, opening.data["changed"], opening.data["gone"]) == ("pages", None, [])
    talk = dbs.get(Talk, programme["talk"].id)
    assert talk is not None
    talk.title = "Streams at a larger scale"
    dbs.commit()
    second = render_revision(app, conference_id)
    assert second is not None
    event = _events(dbs)[-1]
    changed = {p: e for p, e in second.pages.items() if first.pages.get(p) != e}
    assert f"/testconf/sessions/{talk.guid}/" in changed
    assert (event.kind, event.revision) == ("pages", second.revision)
    assert event.data == {
        "revision": second.revision,
        "build": second.build,
        "changed": changed,
        "gone": [],
    }
    assert len(changed) < len(second.pages)


# From the review of issue 16: savepoints, and changes beyond the sessions an event names.


def _after(dbs: Session, before: int) -> list[LiveEvent]:
    dbs.expire_all()
    return list(
        dbs.execute(select(LiveEvent).where(LiveEvent.id > before).order_by(LiveEvent.id)).scalars()
    )


def _newest(dbs: Session) -> int:
    return dbs.execute(select(LiveEvent.id).order_by(LiveEvent.id.desc())).scalars().first() or 0


def test_a_savepoint_rolled_back_keeps_the_outer_change_s_event(dbs: Session, programme) -> None:
    before = _newest(dbs)
    rev0 = dbs.get(Conference, programme["conference"].id).revision
    talk = dbs.get(Talk, programme["talk"].id)
    talk.start, talk.end = at("15:00"), at("15:50")
    dbs.flush()  # outer change: revision bumped, talk noted
    nested = dbs.begin_nested()
    other = dbs.get(Talk, programme["other"].id)
    other.title = "Will be undone"
    dbs.flush()
    nested.rollback()
    dbs.commit()
    conf = dbs.get(Conference, programme["conference"].id)
    dbs.refresh(conf)
    events = _after(dbs, before)
    assert conf.revision > rev0  # the move committed
    assert [e.kind for e in events] == ["change"]  # ...so it must be an event


def test_a_delete_undone_by_a_savepoint_is_not_removed(dbs: Session, programme) -> None:
    before = _newest(dbs)
    talk = dbs.get(Talk, programme["talk"].id)
    talk.start, talk.end = at("15:00"), at("15:50")
    dbs.flush()
    nested = dbs.begin_nested()
    dbs.delete(dbs.get(Talk, programme["other"].id))
    dbs.flush()
    nested.rollback()
    dbs.commit()
    events = _after(dbs, before)
    assert dbs.get(Talk, programme["other"].id) is not None
    for e in events:
        for s in e.data.get("sessions", []):
            assert s["state"] != "removed", s


def test_a_move_and_a_new_abstract_in_one_save_say_details(dbs: Session, programme) -> None:
    before = _newest(dbs)
    talk = dbs.get(Talk, programme["talk"].id)
    talk.start, talk.end = at("15:00"), at("15:50")
    talk.abstract = "A wholly new abstract"
    dbs.commit()
    (event,) = _after(dbs, before)
    assert "details" in event.data["sessions"][0]["changed"]


def test_a_move_with_a_bulk_update_says_the_programme_changed(dbs: Session, programme) -> None:
    before = _newest(dbs)
    talk = dbs.get(Talk, programme["talk"].id)
    talk.start, talk.end = at("15:00"), at("15:50")
    dbs.flush()
    dbs.execute(update(Talk).where(Talk.id == programme["other"].id).values(title="Bulk retitled"))
    dbs.commit()
    (event,) = _after(dbs, before)
    guids = {s["guid"] for s in event.data["sessions"]}
    assert (guids, event.data["what"]) == ({programme["talk"].guid}, "programme")


def test_a_move_and_a_room_rename_say_the_programme_changed(dbs: Session, programme) -> None:
    before = _newest(dbs)
    talk = dbs.get(Talk, programme["talk"].id)
    talk.start, talk.end = at("15:00"), at("15:50")
    room = dbs.execute(select(Room).where(Room.name == "Whittle")).scalar_one()
    room.name = "Turing"
    dbs.commit()
    (event,) = _after(dbs, before)
    # the card of "APIs" still says Whittle: the page must be told it cannot patch everything
    assert event.data["what"] == "programme"


def test_a_savepoint_committed_inside_a_transaction_makes_one_event(
    dbs: Session, programme: dict[str, Any]
) -> None:
    before = _newest(dbs)
    talk = dbs.get(Talk, programme["talk"].id)
    talk.start, talk.end = at("15:00"), at("15:50")
    dbs.flush()
    nested = dbs.begin_nested()
    other = dbs.get(Talk, programme["other"].id)
    other.start, other.end = at("16:00"), at("16:50")
    nested.commit()
    dbs.commit()
    events = _after(dbs, before)
    assert [e.kind for e in events] == ["change"]
    assert {s["guid"] for s in events[0].data["sessions"]} == {
        programme["talk"].guid,
        programme["other"].guid,
    }
