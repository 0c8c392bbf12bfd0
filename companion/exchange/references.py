"""Links in schedule files, both ways: frab XML's `<links>`, `<attachments>` and `<recording>`,
schedule.json's `links` and `attachments` (c3voc's "Reference": `{type, url, title}`, or a bare
string in older files), and a person's `links`. Readers turn them into `ParsedLink`s with our
kinds (programme.links); the importer checks them (http/https only) and drops the rest with a
note. Writers use the same table, so an export reads back as the links it came from."""

from __future__ import annotations

from typing import Any

from companion.exchange.diff import Diff
from companion.exchange.model import ParsedEvent, ParsedLink, clean
from companion.programme.links import (
    KIND_LABELS,
    MAX_LINKS,
    MAX_TITLE,
    Link,
    LinkError,
    LinkInput,
    clean_url,
    in_order,
    link_input,
    speaker_kind,
)

#: schedule.json's Reference `type` of each of our session kinds (its enum has no "stream" or
#: "recording": both are "media", told apart by the title).
JSON_TYPE = {"slides": "slides", "recording": "media", "stream": "media", "other": "related"}
#: A speaker's link in schedule.json: Mastodon is "activitypub", the rest "web".
PERSON_TYPE = {"mastodon": "activitypub"}
_STREAM_WORDS = ("live", "stream")
_RECORDING_WORDS = ("recording", "video", "media", "vod")


def session_kind(type_: str, title: str, url: str = "") -> str:
    """Our kind for a file's link of `type_` (either format's vocabulary, or ours)."""
    kind = type_.strip().lower()
    words = f"{title} {url}".lower()
    if kind in ("slides", "slide", "presentation"):
        return "slides"
    if kind in ("stream", "live", "livestream"):
        return "stream"
    if kind in ("recording", "video", "media", "vod"):
        return "stream" if any(w in title.lower() for w in _STREAM_WORDS) else "recording"
    if not kind and "slides" in title.lower():
        return "slides"
    if not kind and any(w in words for w in _RECORDING_WORDS) and "media.ccc.de" in words:
        return "recording"
    return "other"


def title_of(kind: str, title: str) -> str:
    """The title to store: a file's title that only repeats the kind ("Slides") is none."""
    text = " ".join(title.split())
    return "" if text.lower() == KIND_LABELS.get(kind, "").lower() else text


def json_references(value: Any, where: str, *, person: bool = False) -> list[ParsedLink]:
    """schedule.json `links` or `attachments`: Reference objects, bare URL strings, or junk
    (kept as a link with no address, which the importer drops with a note)."""
    if not isinstance(value, list):
        return [ParsedLink("other", "", "", where)] if value not in (None, "", {}) else []
    found = []
    for index, item in enumerate(value):
        at = f"{where}[{index}]"
        if isinstance(item, str):
            url, title, type_ = item, "", ""
        elif isinstance(item, dict):
            url = item.get("url") or item.get("href") or ""
            title = item.get("title") or item.get("name") or ""
            type_ = item.get("type") or ""
            if not all(isinstance(v, str) for v in (url, title, type_)):
                url, title, type_ = "", "", ""
        else:
            url, title, type_ = "", "", ""
        url, title = clean(url), clean(title)
        if not is_web(url) and is_web(title):  # 36C3: the address given as the title
            url, title = title, url
        if person:
            kind = "mastodon" if type_ == "activitypub" else ""
            found.append(ParsedLink(kind, url, title, at))
        else:
            kind = session_kind(clean(type_), title, url)
            found.append(ParsedLink(kind, url, title_of(kind, title), at))
    return found


#: Where schedule files put a person's photo: pretalx and c3voc's schema `avatar`, others
#: `avatar_url` or `image`.
PHOTO_KEYS = ("avatar", "avatar_url", "image")


def photo_url(person: dict[str, Any]) -> str:
    """A person's photo address, when the file gives an http(s) one; else "" (a relative path,
    `data:`, junk or an object is no photo, and never refuses the file)."""
    for key in PHOTO_KEYS:
        value = person.get(key)
        if isinstance(value, str) and is_web(value.strip()):
            try:
                return clean_url(value)
            except LinkError:
                continue
    return ""


def is_web(text: str) -> bool:
    """True for text that starts like a web address (files swap address and title)."""
    return text.lower().startswith(("http://", "https://"))


def json_reference(link: Link, *, person: bool = False) -> dict[str, str]:
    """A link as a schedule.json Reference (with the kind's name as title when it has none)."""
    type_ = PERSON_TYPE.get(link.kind, "web") if person else JSON_TYPE.get(link.kind, "related")
    return {"type": type_, "url": link.url, "title": link.title or KIND_LABELS[link.kind]}


def xml_type(link: Link) -> str:
    """A session link's `type` in frab XML (free text there: our kind's own name)."""
    return link.kind


#: A link the import leaves out: where, its address, why.
Dropped = list[tuple[str, str, str]]


def checked_links(
    given: list[ParsedLink], dropped: Dropped, *, owner: str, page: str = ""
) -> list[LinkInput]:
    """A file's links as we store them: http/https only (the rest go to `dropped`, which the
    preview's notes summarise), never the event's own page, each once, at most MAX_LINKS."""
    found: list[LinkInput] = []
    for link in given:
        kind = link.kind or (speaker_kind(link.url) if owner == "speaker" else "other")
        try:
            title = title_of(kind, link.title)[:MAX_TITLE]
            checked = link_input(kind, link.url, title, owner=owner)
        except LinkError as error:
            dropped.append((link.where, link.url, error.message))
            continue
        if page and checked.url == page:
            continue  # the event's own page (our exports write it): not a resource
        found.append(checked)
    unique = list(dict.fromkeys(found))
    return in_order(unique[:MAX_LINKS]) if owner == "session" else unique[:MAX_LINKS]


def event_links(event: ParsedEvent, dropped: Dropped) -> list[LinkInput] | None:
    """An event's checked links; None when it has no usable one (the session's links stay)."""
    if not event.links:
        return None
    try:
        page = clean_url(event.url) if event.url else ""
    except LinkError:
        page = ""
    # A file that lists no usable link leaves the session's links as they are.
    return checked_links(event.links, dropped, owner="session", page=page) or None


def note_dropped(dropped: Dropped, diff: Diff) -> None:
    """One note per reason in the preview: how many links were left out, and the first."""
    by_reason: dict[str, list[tuple[str, str]]] = {}
    for where, url, reason in dropped:
        by_reason.setdefault(reason, []).append((where, url))
    for reason, items in by_reason.items():
        where, url = items[0]
        shown = url if len(url) <= 60 else url[:59] + "…"
        count = f"{len(items)} links" if len(items) > 1 else "1 link"
        diff.notes.append(
            f"Left out {count} of the file, never stored: {reason} "
            f"(first: {where}, “{shown or 'no address'}”)."
        )
