"""Speakers' photos in an import: which of the file's `avatar` addresses to fetch (planned with
the rest, shown in the preview), fetching them on confirm before anything is written, and
setting them in the import's own transaction.

A photo is fetched only from a host in PHOTO_IMPORT_HOSTS (companion/photos/fetch.py). A speaker
keeps the photo they have when it was uploaded here (an organiser's or host's choice wins over
the file) or imported from the same address; a new address replaces an imported photo. A failed
fetch or a refused image is a note on the result, never a 500; the programme and the photos
that could be made are one commit (docs/decisions.md).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from flask import current_app

from companion.db import session
from companion.errors import Invalid
from companion.exchange.apply import ImportResult
from companion.exchange.model import name_key
from companion.exchange.plan import ImportPlan, PhotoPlan
from companion.exchange.queries import photo_sources
from companion.photos.fetch import FetchRefused, Policy, fetch
from companion.photos.images import Photo, process
from companion.photos.operations import import_photo
from companion.programme.models import Speaker

#: Names listed after a note's reason, at most.
_NAMED = 3


@dataclass(slots=True)
class PhotoOutcome:
    """What fetching did: how many photos were set, and one note per reason others were not."""

    done: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """A line for the result page ("Set 3 speakers' photos from the file."), or ""."""
        if not self.done:
            return ""
        return f"Set {_count(self.done, 'speaker’s photo', 'speakers’ photos')} from the file."


def policy() -> Policy:
    """The app's allow-list of photo hosts (PHOTO_IMPORT_HOSTS)."""
    config = current_app.config
    return Policy(
        hosts=tuple(config["PHOTO_IMPORT_HOSTS"]),
        allow_local=bool(config["PHOTO_IMPORT_ALLOW_LOCAL"]),
    )


def review(plan: ImportPlan, photos: dict[str, str]) -> None:
    """Decide which of `photos` (speaker name key → address) to fetch, into `plan.photos`, and
    say so in the diff's notes: one note per reason a photo is not fetched."""
    rules = policy()
    limit = int(current_app.config["PHOTO_IMPORT_MAX"])
    known = {name_key(s.name): s.id for s in plan.existing.speakers} if plan.existing else {}
    sources = photo_sources(plan.conference) if plan.conference is not None else {}
    result = PhotoPlan(in_file=len(photos))
    for key, url in photos.items():
        reason = rules.refusal(url)
        if reason is not None:
            result.refused[reason] += 1
            continue
        speaker_id = known.get(key)
        if speaker_id is not None and speaker_id in sources:
            source = sources[speaker_id]
            if source is None or source == url:
                result.kept += 1
                continue
        if len(result.fetch) >= limit:
            result.refused[f"at most {limit} photos are fetched per import"] += 1
            continue
        result.fetch.append((key, url))
    plan.photos = result
    plan.diff.photos_to_fetch = len(result.fetch)
    if not result.in_file:
        return
    plan.diff.notes.append(
        f"{_count(result.in_file, 'speaker has', 'speakers have')} a photo in the file: "
        f"{len(result.fetch)} will be fetched on import"
        + (f", {result.kept} kept (uploaded here, or from the same address)" if result.kept else "")
        + "."
    )
    for reason, count in result.refused.most_common():
        plan.diff.notes.append(f"{_count(count, 'photo', 'photos')} not fetched: {reason}.")


@dataclass(slots=True)
class Fetched:
    """Photos fetched and made (speaker name key → address, photo), before anything is written,
    and why the others were not (reason → speakers' names)."""

    photos: dict[str, tuple[str, Photo]] = field(default_factory=dict)
    failed: dict[str, list[str]] = field(default_factory=dict)


def fetch_planned(plan: ImportPlan) -> Fetched:
    """Fetch and check the planned photos, within PHOTO_IMPORT_BUDGET seconds in all. Reads and
    writes nothing in the database: the caller runs it between planning and applying, then
    checks that the programme did not change meanwhile."""
    fetched = Fetched()
    if plan.photos is None or not plan.photos.fetch:
        return fetched
    rules = policy()
    deadline = time.monotonic() + int(current_app.config["PHOTO_IMPORT_BUDGET"])
    for key, url in plan.photos.fetch:
        name = plan.speakers[key][0]
        try:
            fetched.photos[key] = (url, process(fetch(url, rules, deadline=deadline)))
        except FetchRefused as refusal:
            fetched.failed.setdefault(refusal.reason, []).append(name)
        except Invalid as refusal:
            fetched.failed.setdefault(_sentence(refusal.message), []).append(name)
    return fetched


def set_photos(
    fetched: Fetched, result: ImportResult, *, user_id: int | None, actor: str
) -> PhotoOutcome:
    """Give the speakers `result` wrote the photos fetched for them, in the import's own
    transaction (flushes, never commits); how many, and a note per reason others were not."""
    outcome = PhotoOutcome()
    for key, (url, photo) in fetched.photos.items():
        speaker = session.get(Speaker, result.speakers[key])
        if speaker is None:  # pragma: no cover - the import has just written them
            continue
        import_photo(
            result.conference, speaker, photo, source_url=url, user_id=user_id, actor=actor
        )
        outcome.done += 1
    for reason, names in sorted(fetched.failed.items(), key=lambda item: -len(item[1])):
        more = f" and {len(names) - _NAMED} more" if len(names) > _NAMED else ""
        listed = ", ".join(names[:_NAMED]) + more
        outcome.failures.append(
            f"{_count(len(names), 'photo', 'photos')} not set: {reason} ({listed})."
        )
    return outcome


def _sentence(message: str) -> str:
    """An image refusal ("This file is not…") as the middle of a note."""
    text = message.rstrip(".")
    return text[:1].lower() + text[1:]


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"
