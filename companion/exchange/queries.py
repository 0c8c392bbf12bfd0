"""Named reads of the import: the conference's programme as it stands (to diff against), and
guids already taken by other conferences. A constant number of queries whatever the size."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from companion.db import session
from companion.exchange.model import guid_key, guid_spellings
from companion.photos.models import SpeakerPhoto
from companion.programme.models import Conference, Room, Speaker, Talk, Track

#: Guids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits.
_CHUNK = 900


@dataclass(slots=True)
class Existing:
    """A conference's rooms, tracks, speakers and talks (with their speaker links), as the
    importer compares and updates them."""

    rooms: list[Room]
    tracks: list[Track]
    speakers: list[Speaker]
    talks: list[Talk]


def existing_state(conference: Conference) -> Existing:
    """Everything an import may change in `conference` (six queries: the four tables, and the
    links of speakers and of talks; used by the importer)."""
    cid = conference.id
    return Existing(
        rooms=list(
            session.execute(
                select(Room).where(Room.conference_id == cid).order_by(Room.position, Room.id)
            ).scalars()
        ),
        tracks=list(
            session.execute(
                select(Track).where(Track.conference_id == cid).order_by(Track.position, Track.id)
            ).scalars()
        ),
        speakers=list(
            session.execute(
                select(Speaker)
                .where(Speaker.conference_id == cid)
                .options(selectinload(Speaker.links))
                .order_by(Speaker.id)
            ).scalars()
        ),
        talks=list(
            session.execute(
                select(Talk)
                .where(Talk.conference_id == cid)
                .options(selectinload(Talk.speaker_links), selectinload(Talk.links))
                .order_by(Talk.start, Talk.id)
            ).scalars()
        ),
    )


def guids_elsewhere(guids: list[str], conference_id: int | None) -> dict[str, str]:
    """Which of `guids` (by `guid_key`, however they are spelled) belong to another conference
    than `conference_id`, with its slug (talk guids are unique across the whole site)."""
    taken: dict[str, str] = {}
    spellings = [spelling for guid in guids for spelling in guid_spellings(guid)]
    for offset in range(0, len(spellings), _CHUNK):
        chunk = spellings[offset : offset + _CHUNK]
        query = (
            select(Talk.guid, Conference.slug)
            .join(Conference, Conference.id == Talk.conference_id)
            .where(Talk.guid.in_(chunk))
        )
        if conference_id is not None:
            query = query.where(Talk.conference_id != conference_id)
        taken.update({guid_key(guid): slug for guid, slug in session.execute(query)})
    return taken


def photo_sources(conference: Conference) -> dict[int, str | None]:
    """Speaker id → where their photo came from (None: uploaded here), for the speakers of
    `conference` who have one (one query; the importer decides which photos to fetch)."""
    rows = session.execute(
        select(SpeakerPhoto.speaker_id, SpeakerPhoto.source_url).where(
            SpeakerPhoto.conference_id == conference.id
        )
    )
    return {speaker_id: source for speaker_id, source in rows}


def current_revision(conference_id: int) -> int:
    """The conference's revision as committed now (the confirm step checks that it did not move
    while photos were fetched)."""
    return session.execute(
        select(Conference.revision).where(Conference.id == conference_id)
    ).scalar_one()
