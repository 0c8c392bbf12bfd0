from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from companion.programme.models import Conference, Talk, TalkSpeaker
from tests.conftest import at


def test_instants_round_trip_as_aware_utc(make_conference, make_talk, dbs: Session) -> None:
    conference = make_conference()
    talk = make_talk(conference, start="09:00", end="09:50")
    dbs.expire_all()
    loaded = dbs.get(Talk, talk.id)
    assert loaded is not None
    assert loaded.start == datetime(2020, 3, 2, 9, 0, tzinfo=UTC)
    assert loaded.start.tzinfo is not None


def test_naive_datetimes_are_refused(make_conference, dbs: Session) -> None:
    conference = make_conference()
    dbs.add(
        Talk(
            conference_id=conference.id,
            title="Naive",
            start=datetime(2020, 3, 2, 9),
            end=datetime(2020, 3, 2, 10),
        )
    )
    with pytest.raises(Exception, match="naive datetimes"):
        dbs.flush()


def test_talk_must_end_after_it_starts(make_conference, dbs: Session) -> None:
    conference = make_conference()
    dbs.add(
        Talk(conference_id=conference.id, title="Backwards", start=at("10:00"), end=at("09:00"))
    )
    with pytest.raises(IntegrityError):
        dbs.flush()


def test_unknown_kind_is_refused_by_the_database(make_conference, dbs: Session) -> None:
    conference = make_conference()
    dbs.add(
        Talk(
            conference_id=conference.id, title="?", kind="party", start=at("10:00"), end=at("11:00")
        )
    )
    with pytest.raises(IntegrityError):
        dbs.flush()


def test_every_edit_bumps_the_version(make_conference, make_talk, dbs: Session) -> None:
    talk = make_talk(make_conference())
    assert talk.version == 1
    talk.title = "Renamed"
    dbs.commit()
    assert talk.version == 2


def test_stale_edit_is_refused(app, make_conference, make_talk, dbs: Session) -> None:
    from companion.db import get_database_of

    talk = make_talk(make_conference())
    with get_database_of(app).sessionmaker() as other:
        same = other.get(Talk, talk.id)
        assert same is not None
        same.title = "First writer"
        other.commit()
    talk.title = "Second writer, from a stale copy"
    with pytest.raises(StaleDataError):
        dbs.commit()


def test_guid_is_generated_and_unique(make_conference, make_talk) -> None:
    conference = make_conference()
    first, second = (
        make_talk(conference, "One"),
        make_talk(conference, "Two", start="11:00", end="11:50"),
    )
    assert len(first.guid) == 36
    assert first.guid != second.guid


def test_revision_moves_with_every_programme_change(
    make_conference, make_talk, dbs: Session
) -> None:
    conference = make_conference()
    start = conference.revision
    talk = make_talk(conference, speakers=("Ada Lovelace",))
    after_create = dbs.get(Conference, conference.id)
    assert after_create is not None and after_create.revision > start
    before = after_create.revision
    talk.title = "Edited"
    dbs.commit()
    assert dbs.get(Conference, conference.id).revision == before + 1  # type: ignore[union-attr]
    link = dbs.execute(select(TalkSpeaker)).scalar_one()
    dbs.delete(link)
    dbs.commit()
    assert dbs.get(Conference, conference.id).revision == before + 2  # type: ignore[union-attr]


def test_revision_ignores_unmodified_objects(make_conference, make_talk, dbs: Session) -> None:
    conference = make_conference()
    talk = make_talk(conference)
    before = dbs.get(Conference, conference.id).revision  # type: ignore[union-attr]
    talk.title = talk.title  # same value: not a change
    dbs.commit()
    assert dbs.get(Conference, conference.id).revision == before  # type: ignore[union-attr]


def test_days_and_day_bounds_follow_the_local_zone() -> None:
    conference = Conference(
        slug="c",
        name="C",
        timezone="Asia/Kolkata",
        start_date=date(2023, 9, 10),
        end_date=date(2023, 9, 11),
        day_change_hour=4,
    )
    assert conference.days == [date(2023, 9, 10), date(2023, 9, 11)]
    start, end = conference.day_bounds(date(2023, 9, 10))
    assert start == datetime(2023, 9, 9, 22, 30, tzinfo=UTC)  # 04:00 IST
    assert end - start == timedelta(days=1)


def test_after_midnight_belongs_to_the_evening_before() -> None:
    conference = Conference(
        slug="c",
        name="C",
        timezone="Europe/Berlin",
        start_date=date(2019, 12, 27),
        end_date=date(2019, 12, 30),
        day_change_hour=4,
    )
    one_am = datetime(2019, 12, 28, 0, 30, tzinfo=UTC)  # 01:30 in Leipzig
    assert conference.day_of(one_am) == date(2019, 12, 27)
    five_am = datetime(2019, 12, 28, 4, 30, tzinfo=UTC)  # 05:30
    assert conference.day_of(five_am) == date(2019, 12, 28)


def test_bulk_statements_move_the_revision_too(
    make_conference, make_talk, dbs: Session, grant_role
) -> None:
    """No trap for writers: a bulk update() or delete() on programme rows moves the revision of
    exactly the conferences it touched (issue 14, item 1)."""
    from sqlalchemy import delete, update

    from companion.programme.models import TrackHost

    ours, other = make_conference(), make_conference(slug="other", name="Other")
    talk = make_talk(ours, "Streams", track="Streaming", speakers=("Ada",))
    make_talk(other, "Elsewhere")
    dbs.add(TrackHost(track_id=talk.track_id, speaker_id=talk.speaker_links[0].speaker_id))
    dbs.commit()

    def revisions() -> tuple[int, int]:
        dbs.expire_all()
        return (dbs.get(Conference, ours.id).revision, dbs.get(Conference, other.id).revision)  # type: ignore[union-attr]

    start = revisions()
    dbs.execute(update(Talk).where(Talk.id == talk.id).values(title="Streams, bulk"))
    dbs.commit()
    assert revisions() == (start[0] + 1, start[1])
    dbs.execute(delete(TrackHost).where(TrackHost.track_id == talk.track_id))
    dbs.commit()
    assert revisions() == (start[0] + 2, start[1])
    dbs.execute(update(Talk).where(Talk.id == -1).values(title="nobody"))  # matches nothing
    dbs.commit()
    assert revisions() == (start[0] + 2, start[1])


@pytest.mark.parametrize(
    ("floor", "description", "directions"),
    [
        ("3rd floor", "3rd floor, turn left out of the lifts.", "Turn left out of the lifts."),
        ("Ground floor", "Ground floor main auditorium", "Main auditorium"),
        ("3rd floor", "Turn left on the 3rd floor.", "Turn left on the 3rd floor."),
        (None, "3rd floor, turn left.", "3rd floor, turn left."),
        ("3rd floor", "3rd floor", ""),
        ("3rd floor", "", ""),
    ],
)
def test_directions_leave_out_the_floor_shown_beside_them(
    floor: str | None, description: str, directions: str
) -> None:
    from companion.programme.models import Floor, Room

    room = Room(name="Fleming", slug="fleming", description=description)
    if floor:
        room.floor = Floor(name=floor, slug="f", level=3)
    assert room.directions == directions
