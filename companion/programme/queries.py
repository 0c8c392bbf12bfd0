"""Named reads of the programme. Each says which page uses it; eager loading is chosen here so that
templates never query (relationships are `lazy="raise"`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, g
from sqlalchemy import ColumnElement, Select, bindparam, false, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from companion.db import get_database, session
from companion.errors import NotFound
from companion.programme.links import Link
from companion.programme.models import (
    Conference,
    Floor,
    Room,
    Speaker,
    Talk,
    TalkKind,
    TalkSpeaker,
    Track,
)

#: What every list of talks shows: track chip, room with floor, speakers.
_TALK_CARD = (
    joinedload(Talk.track),
    joinedload(Talk.room).joinedload(Room.floor),
    selectinload(Talk.speakers),
)


def conference_by_slug(slug: str) -> Conference | None:
    """The conference with `slug`, if there is one (the CLI, imports, the loaders)."""
    return session.execute(select(Conference).where(Conference.slug == slug)).scalar_one_or_none()


def get_conference_or_404(slug: str) -> Conference:
    """The conference with `slug` (every page under /<conf>/)."""
    conference = conference_by_slug(slug)
    if conference is None:
        raise NotFound(f"There is no conference called “{slug}”.")
    return conference


@dataclass(frozen=True, slots=True)
class ConferenceStamp:
    """Just enough of a conference to answer a conditional GET: which one, and which revision."""

    id: int
    slug: str
    revision: int
    updated_at: datetime
    #: Whether this revision's pages are in the page store already (for this build).
    rendered: bool = False


_STAMP_COLUMNS = (Conference.id, Conference.slug, Conference.revision, Conference.updated_at)
_STAMP = select(*_STAMP_COLUMNS, false()).where(Conference.slug == bindparam("slug"))


def stamp_knows_rendered(rendered: ColumnElement[bool]) -> None:
    """Let the stamp say whether its revision is rendered, with `rendered`: a clause over
    `Conference` and the bound parameter `build` (the page store's, given by `offline` at
    start-up, so that the programme needs to know nothing of it)."""
    global _STAMP
    _STAMP = select(*_STAMP_COLUMNS, rendered).where(Conference.slug == bindparam("slug"))


def get_conference_stamp_or_404(slug: str) -> ConferenceStamp:
    """The revision of the conference `slug` (every cached public page, before anything else).

    This is the whole database work of a 304, so it runs on a pooled Core connection rather than
    an ORM session: about a sixth of the cost. It also says whether the page store holds the
    revision, so that a page not rendered there yet costs no query more. A renderer of the page
    store pins the stamp of the snapshot it reads (`g.pinned_stamp`): its pages agree with one
    revision.
    """
    pinned: ConferenceStamp | None = g.get("pinned_stamp")
    if pinned is not None and pinned.slug == slug:
        return pinned
    with get_database().engine.connect() as connection:
        build = current_app.config["BUILD_ID"]
        row = connection.execute(_STAMP, {"slug": slug, "build": build}).one_or_none()
    if row is None:
        raise NotFound(f"There is no conference called “{slug}”.")
    return ConferenceStamp(*row)


def get_conference(conference_id: int) -> Conference:
    """The conference behind a stamp (rendering a page that was not cached)."""
    return session.execute(select(Conference).where(Conference.id == conference_id)).scalar_one()


def current_conference(now: datetime, preferred_slug: str | None = None) -> Conference | None:
    """The conference "/" opens: the configured one, else the one on now, next, or most recent."""
    if preferred_slug:
        found = session.execute(
            select(Conference).where(Conference.slug == preferred_slug)
        ).scalar_one_or_none()
        if found is not None:
            return found
    conferences = session.execute(select(Conference).order_by(Conference.start_date)).scalars()
    candidates = list(conferences)
    if not candidates:
        return None
    upcoming = [c for c in candidates if c.end_date >= c.day_of(now)]
    return upcoming[0] if upcoming else candidates[-1]


def talks_between(conference: Conference, start: datetime, end: datetime) -> list[Talk]:
    """Talks starting in [start, end), with what a card shows (programme day, home, room day)."""
    return list(
        session.execute(
            talk_cards()
            .where(Talk.conference_id == conference.id, Talk.start >= start, Talk.start < end)
            .order_by(Talk.start, Talk.end, Talk.id)
        ).scalars()
    )


def day_talks(conference: Conference, day: date) -> list[Talk]:
    """Every talk of one programme day (the programme day page)."""
    start, end = conference.day_bounds(day)
    return talks_between(conference, start, end)


def get_talk_or_404(conference: Conference, guid: str) -> Talk:
    """One talk by guid, with its track, room, floor and speakers (the session page)."""
    talk = session.execute(
        talk_cards()
        .where(Talk.conference_id == conference.id, Talk.guid == guid)
        .options(selectinload(Talk.links))
    ).scalar_one_or_none()
    if talk is None:
        raise NotFound("There is no such session in this conference.")
    return talk


def tracks(conference: Conference) -> list[Track]:
    """All tracks with their hosts (the tracks page, filter chips)."""
    return list(
        session.execute(
            select(Track)
            .where(Track.conference_id == conference.id)
            .options(selectinload(Track.hosts))
            .order_by(Track.position, Track.name)
        ).scalars()
    )


@dataclass(frozen=True, slots=True)
class TrackSummary:
    """A track with when and where it runs (the tracks page)."""

    track: Track
    talk_count: int
    first_start: datetime | None
    room_name: str | None


def track_summaries(conference: Conference) -> list[TrackSummary]:
    """Every track with its talk count, first start and main room: three queries in all."""
    rows = session.execute(
        select(Talk.track_id, Talk.start, Room.name)
        .outerjoin(Room, Talk.room_id == Room.id)
        .where(Talk.conference_id == conference.id, Talk.track_id.is_not(None))
    ).all()
    counts: Counter[int] = Counter()
    first: dict[int, datetime] = {}
    rooms: dict[int, Counter[str]] = {}
    for track_id, start, room_name in rows:
        if track_id is None:  # excluded by the query; narrows the type
            continue
        counts[track_id] += 1
        first[track_id] = min(first.get(track_id, start), start)
        if room_name:
            rooms.setdefault(track_id, Counter())[room_name] += 1
    summaries = [
        TrackSummary(
            track=track,
            talk_count=counts[track.id],
            first_start=first.get(track.id),
            room_name=rooms[track.id].most_common(1)[0][0] if track.id in rooms else None,
        )
        for track in tracks(conference)
    ]
    return sorted(summaries, key=lambda s: (s.first_start is None, s.first_start, s.track.position))


def get_track_or_404(conference: Conference, slug: str) -> Track:
    """One track with its hosts (the track page)."""
    track = session.execute(
        select(Track)
        .where(Track.conference_id == conference.id, Track.slug == slug)
        .options(selectinload(Track.hosts))
    ).scalar_one_or_none()
    if track is None:
        raise NotFound(f"There is no track called “{slug}” in this conference.")
    return track


def track_talks(track: Track, *, links: bool = False) -> list[Talk]:
    """The talks of one track in time order (the track page; with their `links` for the
    track's calendar feed)."""
    query = talk_cards().where(Talk.track_id == track.id).order_by(Talk.start, Talk.id)
    if links:
        query = query.options(selectinload(Talk.links))
    return list(session.execute(query).scalars())


def speakers(conference: Conference) -> list[Speaker]:
    """Everyone on the programme, by name (the speakers page)."""
    return list(
        session.execute(
            select(Speaker)
            .where(Speaker.conference_id == conference.id)
            .order_by(func.lower(Speaker.name), Speaker.id)
        ).scalars()
    )


def get_speaker_or_404(conference: Conference, slug: str) -> Speaker:
    """One speaker with their talks and the tracks they host (the speaker page)."""
    speaker = session.execute(
        select(Speaker)
        .where(Speaker.conference_id == conference.id, Speaker.slug == slug)
        .options(
            selectinload(Speaker.talks).options(*_TALK_CARD),
            selectinload(Speaker.hosted_tracks),
            selectinload(Speaker.links),
        )
    ).scalar_one_or_none()
    if speaker is None:
        raise NotFound(f"There is no speaker called “{slug}” in this conference.")
    return speaker


def get_room_or_404(conference: Conference, slug: str) -> Room:
    """One room with its floor (the room page)."""
    room = session.execute(
        select(Room)
        .where(Room.conference_id == conference.id, Room.slug == slug)
        .options(joinedload(Room.floor))
    ).scalar_one_or_none()
    if room is None:
        raise NotFound(f"There is no room called “{slug}” in this conference.")
    return room


def keynotes(conference: Conference) -> list[Talk]:
    """Every keynote, in time order (the home page, grouped by day): a few rows, so speakers are
    joined and the page costs the same queries with keynotes or without."""
    statement = (
        select(Talk)
        .options(_TALK_CARD[0], _TALK_CARD[1], joinedload(Talk.speakers))
        .where(Talk.conference_id == conference.id, Talk.kind == TalkKind.KEYNOTE)
        .order_by(Talk.start, Talk.id)
    )
    return list(session.execute(statement).unique().scalars())


def room_talks(room: Room) -> list[Talk]:
    """Every talk in one room, in time order (the room page, grouped by day)."""
    return list(
        session.execute(
            talk_cards().where(Talk.room_id == room.id).order_by(Talk.start, Talk.id)
        ).scalars()
    )


def rooms(conference: Conference) -> list[Room]:
    """Every room with its floor, by floor (the rooms page, the JSON document)."""
    return list(
        session.execute(
            select(Room)
            .outerjoin(Floor, Room.floor_id == Floor.id)
            .where(Room.conference_id == conference.id)
            .options(contains_eager(Room.floor))
            .order_by(Floor.level.nulls_last(), Room.position, Room.name)
        ).scalars()
    )


def kinds_in_use(talks: list[Talk]) -> list[str]:
    """The kinds present in `talks`, in the canonical order (filter chips)."""
    present = {talk.kind for talk in talks}
    return [kind.value for kind in TalkKind if kind.value in present]


def talk_cards() -> Select[Talk]:
    """A select of talks with what a card shows loaded eagerly."""
    return select(Talk).options(*_TALK_CARD)


@dataclass(frozen=True, slots=True)
class Programme:
    """Everything about one conference's programme, loaded in a constant number of queries."""

    conference: Conference
    floors: list[Floor]
    rooms: list[Room]
    tracks: list[Track]
    speakers: list[Speaker]
    talks: list[Talk]


def whole_programme(conference: Conference) -> Programme:
    """The whole programme (the JSON API document, exports, the offline copy): seven queries
    whatever its size (speakers are attached from one flat query, not in chunks)."""
    floor_list = list(
        session.execute(
            select(Floor).where(Floor.conference_id == conference.id).order_by(Floor.level)
        ).scalars()
    )
    people = speakers(conference)
    talk_list = list(
        session.execute(
            select(Talk)
            .options(joinedload(Talk.track), joinedload(Talk.room).joinedload(Room.floor))
            .where(Talk.conference_id == conference.id)
            .order_by(Talk.start, Talk.end, Talk.id)
        ).scalars()
    )
    by_id = {person.id: person for person in people}
    speakers_of: dict[int, list[Speaker]] = {}
    for talk_id, speaker_id in session.execute(
        select(TalkSpeaker.talk_id, TalkSpeaker.speaker_id)
        .join(Talk, Talk.id == TalkSpeaker.talk_id)
        .where(Talk.conference_id == conference.id)
        .order_by(TalkSpeaker.talk_id, TalkSpeaker.position)
    ):
        speakers_of.setdefault(talk_id, []).append(by_id[speaker_id])
    for talk in talk_list:
        set_committed_value(talk, "speakers", speakers_of.get(talk.id, []))
    _attach_links(conference, talk_list, people)
    return Programme(
        conference=conference,
        floors=floor_list,
        rooms=rooms(conference),
        tracks=tracks(conference),
        speakers=people,
        talks=talk_list,
    )


def _attach_links(conference: Conference, talks: list[Talk], people: list[Speaker]) -> None:
    """Every session's and speaker's links, from one query."""
    of_talk: dict[int, list[Link]] = {}
    of_speaker: dict[int, list[Link]] = {}
    for link in session.execute(
        select(Link).where(Link.conference_id == conference.id).order_by(Link.position, Link.id)
    ).scalars():
        if link.talk_id is not None:
            of_talk.setdefault(link.talk_id, []).append(link)
        elif link.speaker_id is not None:
            of_speaker.setdefault(link.speaker_id, []).append(link)
    for talk in talks:
        set_committed_value(talk, "links", of_talk.get(talk.id, []))
    for person in people:
        set_committed_value(person, "links", of_speaker.get(person.id, []))


def conferences() -> list[Conference]:
    """Every conference, newest first (the API's conference list)."""
    return list(
        session.execute(select(Conference).order_by(Conference.start_date.desc())).scalars()
    )


def get_talk_by_guid_or_404(guid: str) -> Talk:
    """A talk of any conference by guid, with its conference (the stars API)."""
    talk = session.execute(
        select(Talk).where(Talk.guid == guid).options(joinedload(Talk.conference))
    ).scalar_one_or_none()
    if talk is None:
        raise NotFound("There is no such session.")
    return talk


def talks_of_tracks(track_ids: list[int]) -> dict[int, list[Talk]]:
    """The talks of several tracks in time order, by track id, in one query (host pages)."""
    found: dict[int, list[Talk]] = {track_id: [] for track_id in track_ids}
    if track_ids:
        for talk in session.execute(
            talk_cards().where(Talk.track_id.in_(track_ids)).order_by(Talk.start, Talk.id)
        ).scalars():
            found[talk.track_id or 0].append(talk)
    return found


def untracked_talks(conference: Conference) -> list[Talk]:
    """Sessions in no track (keynotes, breaks), in time order (the organiser's host page)."""
    return list(
        session.execute(
            talk_cards()
            .where(Talk.conference_id == conference.id, Talk.track_id.is_(None))
            .order_by(Talk.start, Talk.id)
        ).scalars()
    )


def known_speaker_ids(conference: Conference, ids: list[int]) -> set[int]:
    """Which of `ids` are speakers of this conference (forms that pick speakers check this)."""
    if not ids:
        return set()
    return set(
        session.execute(
            select(Speaker.id).where(Speaker.conference_id == conference.id, Speaker.id.in_(ids))
        ).scalars()
    )


def get_floor_or_404(conference: Conference, slug: str) -> Floor:
    """One floor of a conference with its rooms (the organiser's floor and map pages)."""
    floor = session.execute(
        select(Floor)
        .where(Floor.conference_id == conference.id, Floor.slug == slug)
        .options(selectinload(Floor.rooms))
    ).scalar_one_or_none()
    if floor is None:
        raise NotFound(f"There is no floor called “{slug}” in this conference.")
    return floor
