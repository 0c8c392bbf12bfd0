"""Links of a session (slides, recording, live stream…) and of a speaker (website, Mastodon,
GitHub, LinkedIn…): one table with an owner, and the one rule every writer uses for a URL
(`clean_url`: http and https only). The host's forms, the editing API and the importer all build
`LinkInput`s with `link_input`, so a link is checked the same way whoever writes it."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from companion.db import Base

#: A session's kinds, in the order its page (and its editor) shows them.
SESSION_KINDS = ("slides", "recording", "stream", "other")
#: A speaker's kinds.
SPEAKER_KINDS = ("website", "mastodon", "github", "linkedin", "other")
#: How people read each kind.
KIND_LABELS = {
    "slides": "Slides",
    "recording": "Recording",
    "stream": "Watch live",
    "other": "Link",
    "website": "Website",
    "mastodon": "Mastodon",
    "github": "GitHub",
    "linkedin": "LinkedIn",
}
MAX_URL = 2000
MAX_TITLE = 200
#: Links one session or one speaker may have.
MAX_LINKS = 20

#: Sites with "/@name" addresses that are not Mastodon servers.
_NOT_MASTODON = {"medium.com", "youtube.com", "tiktok.com", "threads.net", ""}
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")
_HOST = re.compile(r"^[a-z0-9\-._~%\u00a1-\uffff]+$")


class LinkError(ValueError):
    """A link that cannot be stored; `message` says why, to a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Link(Base):
    """A link of a session (`talk_id`) or of a speaker (`speaker_id`), never both, in order."""

    __tablename__ = "links"
    __table_args__ = (
        CheckConstraint("(talk_id IS NULL) <> (speaker_id IS NULL)", name="one_owner"),
        CheckConstraint(
            "kind IN ('slides', 'recording', 'stream', 'other', "
            "'website', 'mastodon', 'github', 'linkedin')",
            name="kind_known",
        ),
        Index("ix_links_talk", "talk_id", "position"),
        Index("ix_links_speaker", "speaker_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Whose programme it belongs to: a change moves that conference's revision.
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    talk_id: Mapped[int | None] = mapped_column(ForeignKey("talks.id", ondelete="CASCADE"))
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    #: http or https, as `clean_url` made it.
    url: Mapped[str] = mapped_column(String(MAX_URL))
    title: Mapped[str] = mapped_column(String(MAX_TITLE), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def label(self) -> str:
        """What the link reads as: its title, else its kind ("Slides", "GitHub")."""
        return self.title or KIND_LABELS.get(self.kind, "Link")

    @property
    def kind_label(self) -> str:
        """Its kind as people read it ("Slides", "Watch live")."""
        return KIND_LABELS.get(self.kind, "Link")

    @property
    def host(self) -> str:
        """The site it leads to, without "www." (shown beside a speaker's link)."""
        return (urlsplit(self.url).hostname or "").removeprefix("www.")

    def input(self) -> LinkInput:
        """The link as a value (what editors compare and exports write)."""
        return LinkInput(kind=self.kind, url=self.url, title=self.title)


@dataclass(frozen=True, slots=True)
class LinkInput:
    """A checked link, before it is stored."""

    kind: str
    url: str
    title: str = ""

    def as_dict(self) -> dict[str, str]:
        """As the programme JSON and the editing API show it."""
        return {"kind": self.kind, "url": self.url, "title": self.title}


def clean_url(raw: str) -> str:
    """`raw` as a stored link: http or https with a host, no control characters or spaces, no
    user name or password, at most MAX_URL characters; scheme and host in lower case, default
    ports dropped, an empty path made "/". Raises LinkError saying why not."""
    text = raw.strip()
    if not text:
        raise LinkError("Enter the link's address.")
    if len(text) > MAX_URL:
        raise LinkError(f"A link can be at most {MAX_URL:,} characters long.")
    if _CONTROL.search(text):
        raise LinkError("A link cannot contain spaces or control characters.")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise LinkError("That is not a web address.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise LinkError("Only http:// and https:// links are allowed, e.g. https://example.org/.")
    if parts.username is not None or parts.password is not None:
        raise LinkError("A link cannot carry a user name or password.")
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # an IPv6 address, written in brackets
        try:
            host = f"[{ipaddress.IPv6Address(host).compressed}]"
        except ValueError:
            raise LinkError("That is not a web address.") from None
    elif not host or not _HOST.match(host):
        raise LinkError("The link needs a site, e.g. https://example.org/slides.")
    default = {"http": 80, "https": 443}[scheme]
    netloc = host if port in (None, default) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, parts.fragment))


def link_input(kind: str, url: str, title: str = "", *, owner: str) -> LinkInput:
    """A checked link of a "session" or a "speaker" (`owner`). Raises LinkError."""
    kinds = SESSION_KINDS if owner == "session" else SPEAKER_KINDS
    if kind not in kinds:
        raise LinkError(f"A {owner}'s link is one of: {', '.join(kinds)}.")
    title = " ".join(title.split())
    if len(title) > MAX_TITLE:
        raise LinkError(f"A link's title can be at most {MAX_TITLE} characters long.")
    return LinkInput(kind=kind, url=clean_url(url), title=title)


def in_order(links: list[LinkInput]) -> list[LinkInput]:
    """A session's links as they are stored and shown: by kind (slides, recording, stream,
    other), each kind in the order given; the same link twice is kept once."""
    rank = {kind: n for n, kind in enumerate(SESSION_KINDS)}
    unique = list(dict.fromkeys(links))
    return sorted(unique, key=lambda link: rank.get(link.kind, len(rank)))


def describe(links: list[LinkInput]) -> str:
    """Links as the audit log, the changelog and an import's preview read them."""
    return "; ".join(f"{KIND_LABELS.get(link.kind, link.kind)}: {link.url}" for link in links)


def speaker_kind(url: str) -> str:
    """The kind of a speaker's link, from where it leads (imports carry no kind for people)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    if host == "github.com":
        return "github"
    if host.endswith("linkedin.com"):
        return "linkedin"
    if parts.path.startswith("/@") and host not in _NOT_MASTODON:
        return "mastodon"
    return "website"


def rows(
    links: list[LinkInput],
    *,
    conference_id: int,
    talk_id: int | None = None,
    speaker_id: int | None = None,
) -> list[Link]:
    """New rows for an owner's links, numbered in order."""
    return [
        Link(
            conference_id=conference_id,
            talk_id=talk_id,
            speaker_id=speaker_id,
            kind=link.kind,
            url=link.url,
            title=link.title,
            position=position,
        )
        for position, link in enumerate(links)
    ]
