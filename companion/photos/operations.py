"""Setting and removing a speaker's photo: the speaker's track hosts and organisers, audited,
moving the programme revision (pages show the photo) like any change to a speaker."""

from __future__ import annotations

from sqlalchemy import select

from companion.accounts.models import User
from companion.accounts.permissions import Need, require
from companion.db import session
from companion.hosting.audit import subject_entries
from companion.photos.images import process
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
    photo = process(data)
    row = session.get(SpeakerPhoto, speaker.id)
    if row is None:
        row = SpeakerPhoto(speaker_id=speaker.id, conference_id=conference.id)
        session.add(row)
    row.digest, row.width, row.height, row.uploaded_by = (
        photo.digest,
        photo.width,
        photo.height,
        actor.id,
    )
    for (size, kind), content in photo.files.items():
        setattr(row, f"{size}_{kind}", content)
    before = {"photo": speaker.photo, "placeholder": speaker.photo_placeholder or None}
    speaker.photo, speaker.photo_placeholder = photo.digest, placeholder
    after = {"photo": photo.digest, "placeholder": placeholder or None}
    session.add_all(subject_entries(conference, actor, "speaker", speaker.name, before, after))
    session.flush()
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
