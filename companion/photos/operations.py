"""Setting and removing a speaker's photo: the speaker's track hosts and organisers (or a
schedule import, from the file's `avatar`), audited, moving the programme revision (pages show
the photo) like any change to a speaker."""

from __future__ import annotations

from sqlalchemy import select

from companion.accounts.models import User
from companion.accounts.permissions import Need, require
from companion.db import session
from companion.hosting.audit import subject_entries
from companion.hosting.models import AuditEntry
from companion.photos.images import Photo, process
from companion.photos.models import SpeakerPhoto
from companion.programme.models import Conference, Speaker, Talk, TalkSpeaker

REFUSAL = "You can change the photos of the speakers of your tracks only."


def speaker_track_ids(speaker: Speaker) -> set[int]:
    """The tracks the speaker speaks in."""
    found = session.execute(
        select(Talk.track_id)
        .join(TalkSpeaker, TalkSpeaker.talk_id == Talk.id)
        .where(TalkSpeaker.speaker_id == speaker.id)
    ).scalars()
    return {track_id for track_id in found if track_id is not None}


def check_may_edit(actor: User | None, conference: Conference, speaker: Speaker) -> None:
    """Organisers, and hosts of a track the speaker speaks in; else 401/403."""
    require(actor, conference.id, Need.EDITOR, any_of=speaker_track_ids(speaker), refusal=REFUSAL)


def set_photo(
    actor: User | None,
    conference: Conference,
    speaker: Speaker,
    data: bytes,
    *,
    placeholder: bool,
) -> SpeakerPhoto:
    """Make the photo from an uploaded file (Invalid when it is not a usable image)."""
    check_may_edit(actor, conference, speaker)
    assert actor is not None
    row = _store(conference, speaker, process(data), by=actor.id, source_url=None)
    before = {"photo": speaker.photo, "placeholder": speaker.photo_placeholder or None}
    speaker.photo, speaker.photo_placeholder = row.digest, placeholder
    after = {"photo": row.digest, "placeholder": placeholder or None}
    session.add_all(subject_entries(conference, actor, "speaker", speaker.name, before, after))
    session.flush()
    return row


def import_photo(
    conference: Conference,
    speaker: Speaker,
    photo: Photo,
    *,
    source_url: str,
    user_id: int | None,
    actor: str,
) -> SpeakerPhoto:
    """Set a photo an import fetched from `source_url` and `images.process` made. The import
    already checked that its organiser may change the programme (the CLI: the operator);
    audited under the import's name, like its sessions."""
    row = _store(conference, speaker, photo, by=user_id, source_url=source_url)
    before = {"photo": speaker.photo, "placeholder": speaker.photo_placeholder or None}
    speaker.photo, speaker.photo_placeholder = row.digest, False
    for key, old in before.items():
        new = row.digest if key == "photo" else None
        if old != new:
            session.add(
                AuditEntry(
                    conference_id=conference.id,
                    subject="speaker",
                    talk_title=speaker.name,
                    user_id=user_id,
                    actor=actor,
                    action="update",
                    field=key,
                    old=None if old is None else str(old),
                    new=None if new is None else str(new),
                )
            )
    session.flush()
    return row


def _store(
    conference: Conference,
    speaker: Speaker,
    photo: Photo,
    *,
    by: int | None,
    source_url: str | None,
) -> SpeakerPhoto:
    """The speaker's photo row with `photo`'s files (created or replaced)."""
    row = session.get(SpeakerPhoto, speaker.id)
    if row is None:
        row = SpeakerPhoto(speaker_id=speaker.id, conference_id=conference.id)
        session.add(row)
    row.digest, row.width, row.height, row.uploaded_by, row.source_url = (
        photo.digest,
        photo.width,
        photo.height,
        by,
        source_url,
    )
    for (size, kind), content in photo.files.items():
        setattr(row, f"{size}_{kind}", content)
    return row


def remove_photo(actor: User | None, conference: Conference, speaker: Speaker) -> bool:
    """Back to the letter avatar; True when there was a photo."""
    check_may_edit(actor, conference, speaker)
    assert actor is not None
    row = session.get(SpeakerPhoto, speaker.id)
    if row is None and speaker.photo is None:
        return False
    if row is not None:
        session.delete(row)
    before = {"photo": speaker.photo}
    speaker.photo, speaker.photo_placeholder = None, False
    session.add_all(
        subject_entries(conference, actor, "speaker", speaker.name, before, {"photo": None})
    )
    session.flush()
    return True
