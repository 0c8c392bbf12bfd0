"""Writing sessions: permission, optimistic locking, the rules (hosting.rules), then the change
and its audit rows in one flush. Change alerts for attendees come from the notify flush hook in
the same transaction; the caller commits once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select

from companion.accounts.models import User
from companion.accounts.permissions import Need, require
from companion.agenda.queries import star_count
from companion.db import hold_row, session, utcnow
from companion.errors import Conflict, Invalid
from companion.hosting import audit
from companion.hosting.models import AuditEntry
from companion.hosting.rules import validate
from companion.hosting.talk_changes import EDITABLE, TalkChanges
from companion.programme.links import Link, LinkInput, describe, in_order, rows
from companion.programme.models import (
    Conference,
    Speaker,
    Talk,
    TalkKind,
    TalkSpeaker,
    TalkStatus,
    Track,
)
from companion.programme.operations import InvalidProgramme, add_speaker
from companion.saving import fingerprint


def speaker_ids_of(talk_id: int) -> list[int]:
    """The speakers of a session, in billing order."""
    return list(
        session.execute(
            select(TalkSpeaker.speaker_id)
            .where(TalkSpeaker.talk_id == talk_id)
            .order_by(TalkSpeaker.position)
        ).scalars()
    )


def links_of(*, talk_id: int | None = None, speaker_id: int | None = None) -> list[Link]:
    """The links of a session or of a speaker, in order."""
    owner = Link.talk_id == talk_id if talk_id is not None else Link.speaker_id == speaker_id
    return list(session.execute(select(Link).where(owner).order_by(Link.position)).scalars())


def snapshot(talk: Talk) -> dict[str, Any]:
    """The editable fields as they are now."""
    values = {name: getattr(talk, name) for name in EDITABLE if name not in _OWN_ROWS}
    values["speaker_ids"] = speaker_ids_of(talk.id)
    values["links"] = [link.input() for link in links_of(talk_id=talk.id)]
    return values


#: Fields kept in rows of their own, not in the talk's columns.
_OWN_ROWS = ("speaker_ids", "links")


def update_talk(
    talk: Talk,
    changes: TalkChanges,
    *,
    actor: User,
    expected_version: int,
    confirmed: bool = False,
) -> list[AuditEntry]:
    """Apply `changes` to `talk` if `expected_version` is still current and every rule holds;
    write one audit row per changed field. Raises Forbidden, Conflict (with the current values),
    or Invalid (with field errors, or warnings to confirm)."""
    new_speaker = changes.new_speaker
    require(actor, talk.conference_id, Need.EDITOR, track_ids={talk.track_id})
    before = snapshot(talk)
    after = {**before, **changes.given()}
    after["links"] = in_order(after["links"])
    require(
        actor,
        talk.conference_id,
        Need.EDITOR,
        track_ids={after["track_id"]},
        refusal="You can move a session only into a track you host.",
    )
    if talk.version != expected_version:
        raise Conflict(
            "Someone else saved this session after you opened it. Your changes are not saved; "
            "compare them with the current version below.",
            details={"current": _public(before), "version": talk.version},
        )
    conference = session.get(Conference, talk.conference_id)
    assert conference is not None
    if new_speaker:
        after["speaker_ids"] = [*after["speaker_ids"], _speaker(conference, new_speaker, actor)]
    validate(talk.id, conference, after, confirmed=confirmed)
    changed = [name for name in EDITABLE if before[name] != after[name]]
    # Audit rows first: describing a room or track queries, and must not flush half a change
    # (one UPDATE per save, so the version moves by exactly one).
    entries = [
        audit.field_entry(talk, conference, actor, name, before[name], after[name])
        for name in changed
    ]
    if "speaker_ids" in changed:
        session.execute(delete(TalkSpeaker).where(TalkSpeaker.talk_id == talk.id))
        session.add_all(_links(talk.id, after["speaker_ids"]))
        talk.updated_at = utcnow()  # the talk row changes too, so its version moves
    if "links" in changed:
        _replace_links(talk, after["links"])
    for name in changed:
        if name not in _OWN_ROWS:
            setattr(talk, name, after[name])
    session.add_all(entries)
    session.flush()  # the version counter refuses a concurrent save (StaleDataError → 409)
    return entries


def create_talk(
    conference: Conference, values: TalkChanges, *, actor: User, confirmed: bool = False
) -> Talk:
    """A new session in `conference` (a title, a start and an end at least; the rest defaults),
    with its audit row. Hosts create sessions only in tracks they host."""
    after: dict[str, Any] = {
        "abstract": "",
        "kind": TalkKind.TALK.value,
        "status": TalkStatus.SCHEDULED.value,
        "speaker_ids": [],
        "room_id": None,
        "track_id": None,
        "links": [],
        **values.given(),
    }
    after["links"] = in_order(after["links"])
    new_speaker = values.new_speaker
    require(
        actor,
        conference.id,
        Need.EDITOR,
        track_ids={after["track_id"]},
        refusal="You can add sessions only to a track you host.",
    )
    if new_speaker:
        after["speaker_ids"] = [*after["speaker_ids"], _speaker(conference, new_speaker, actor)]
    validate(None, conference, after, confirmed=confirmed)
    talk = Talk(
        conference_id=conference.id,
        **{k: v for k, v in after.items() if k not in _OWN_ROWS},
    )
    session.add(talk)
    session.flush()
    session.add_all(_links(talk.id, after["speaker_ids"]))
    session.add_all(rows(after["links"], conference_id=conference.id, talk_id=talk.id))
    session.add(audit.whole_entry(talk, conference, actor, "create", talk_id=talk.id))
    session.flush()
    return talk


def delete_talk(talk: Talk, *, actor: User, expected_version: int) -> None:
    """Remove a session made by mistake. One that attendees starred is cancelled instead, so
    that they are told: deleting it is refused."""
    require(actor, talk.conference_id, Need.EDITOR, track_ids={talk.track_id})
    if talk.version != expected_version:
        raise Conflict("Someone else saved this session after you opened it; reload it first.")
    # A star made at this moment either commits before the count (and the delete is refused)
    # or waits for the delete and then finds no session (404): never a starred session deleted.
    hold_row(Talk.__table__, talk.id)
    starred = star_count(talk.id)
    if starred:
        raise Invalid(
            f"{starred} attendee{'s' if starred != 1 else ''} starred this session. Cancel it "
            "instead, so that they are told; a cancelled session can be restored."
        )
    conference = session.get(Conference, talk.conference_id)
    assert conference is not None
    session.add(audit.whole_entry(talk, conference, actor, "delete", talk_id=None))
    session.delete(talk)
    session.flush()


def introduction_version(track: Track) -> str:
    """A short fingerprint of the introduction as it is: the form carries it, so that a save
    made meanwhile by another host of the track is never silently overwritten."""
    return fingerprint({"introduction": track.introduction})


def update_introduction(track: Track, text: str, *, actor: User, expected: str) -> None:
    """Replace a track's introduction (Markdown, sanitised when shown) if it is still the one
    the editor started from (`expected`, from introduction_version)."""
    require(actor, track.conference_id, Need.EDITOR, track_ids={track.id})
    if introduction_version(track) != expected:
        raise Conflict(
            "Someone else saved this introduction after you opened it. Your text is kept "
            "below; the saved one is shown under it. Save again to replace it."
        )
    if len(text) > 20_000:
        raise Invalid(
            "The introduction is too long.",
            details={"fields": {"introduction": "Keep it under 20,000 characters."}},
        )
    text = text.replace("\r\n", "\n").strip()
    conference = session.get(Conference, track.conference_id)
    assert conference is not None
    session.add_all(
        audit.subject_entries(
            conference,
            actor,
            "track",
            track.name,
            {"introduction": track.introduction},
            {"introduction": text},
        )
    )
    track.introduction = text
    session.flush()


def speaker_links_version(speaker: Speaker) -> str:
    """A short fingerprint of a speaker's links as they are (the speaker form carries it)."""
    return fingerprint({"links": [link.as_dict() for link in speaker_links(speaker)]})


def speaker_links(speaker: Speaker) -> list[LinkInput]:
    """A speaker's links as values, in order."""
    return [link.input() for link in links_of(speaker_id=speaker.id)]


def speaker_tracks(speaker: Speaker) -> set[int | None]:
    """The tracks whose hosts may edit `speaker`: those of their sessions ({None} when they
    have none in a track: then only organisers may)."""
    ids = set(
        session.execute(
            select(Talk.track_id)
            .join(TalkSpeaker, TalkSpeaker.talk_id == Talk.id)
            .where(TalkSpeaker.speaker_id == speaker.id, Talk.track_id.is_not(None))
        ).scalars()
    )
    return set(ids) or {None}


def update_speaker_links(
    speaker: Speaker, links: list[LinkInput], *, actor: User, expected: str
) -> bool:
    """Replace a speaker's links (website, Mastodon, GitHub…) if they are still those the editor
    started from (`expected`, from speaker_links_version). Organisers, and the hosts of the
    tracks the speaker speaks in, may. Returns whether anything changed; audited."""
    require(
        actor,
        speaker.conference_id,
        Need.EDITOR,
        track_ids=speaker_tracks(speaker),
        refusal="You can edit only the speakers of the tracks you host.",
    )
    if speaker_links_version(speaker) != expected:
        raise Conflict(
            "Someone else saved this speaker's links after you opened them. Your input is "
            "kept below; the saved links are shown under it. Save again to replace them."
        )
    before = speaker_links(speaker)
    if before == links:
        return False
    conference = session.get(Conference, speaker.conference_id)
    assert conference is not None
    session.add_all(
        audit.subject_entries(
            conference,
            actor,
            "speaker",
            speaker.name,
            {"links": describe(before) or None},
            {"links": describe(links) or None},
        )
    )
    for old in links_of(speaker_id=speaker.id):
        session.delete(old)
    session.add_all(rows(links, conference_id=speaker.conference_id, speaker_id=speaker.id))
    session.flush()
    return True


def _speaker(conference: Conference, name: str, actor: User) -> int:
    """The speaker called `name` (any case), made and audited when there is none yet. Rolled back
    with everything else when the save fails."""
    same = session.execute(
        select(Speaker.id).where(
            Speaker.conference_id == conference.id, func.lower(Speaker.name) == name.lower()
        )
    ).scalar()
    if same is not None:
        return int(same)
    try:
        speaker = add_speaker(conference, name)
    except InvalidProgramme as error:
        raise Invalid(error.message, details={"fields": {"speakers": error.message}}) from None
    session.add_all(
        audit.subject_entries(
            conference, actor, "speaker", speaker.name, {}, {"name": speaker.name}, action="create"
        )
    )
    return speaker.id


def _links(talk_id: int, speaker_ids: list[int]) -> list[TalkSpeaker]:
    return [
        TalkSpeaker(talk_id=talk_id, speaker_id=speaker_id, position=position)
        for position, speaker_id in enumerate(speaker_ids)
    ]


def _replace_links(talk: Talk, links: list[LinkInput]) -> None:
    """A session's links replaced by `links`, as ORM rows (so the live record sees a session's
    change, "details", not a programme-wide one); the talk row changes too, so its version
    moves and the event names it."""
    with session.no_autoflush:  # one UPDATE of the talk per save: its version moves by one
        for old in links_of(talk_id=talk.id):
            session.delete(old)
    session.add_all(rows(links, conference_id=talk.conference_id, talk_id=talk.id))
    talk.updated_at = utcnow()


def _public(values: dict[str, Any]) -> dict[str, Any]:
    return {
        name.removesuffix("_id"): v.isoformat()
        if isinstance(v, datetime)
        else [link.as_dict() for link in v]
        if name == "links"
        else v
        for name, v in values.items()
    }
