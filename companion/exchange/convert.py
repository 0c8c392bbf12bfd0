"""Turning what schedule files carry into what our programme holds: slugs, Markdown abstracts
(HTML in files is cleaned with the renderer's own allow-list), and the kind of a session."""

from __future__ import annotations

import re
import unicodedata

import nh3

from companion.exchange.model import ParsedEvent, clean, name_key
from companion.markup import ALLOWED_ATTRIBUTES, ALLOWED_SCHEMES, ALLOWED_TAGS
from companion.programme.models import TalkKind

_HTML = re.compile(
    r"</?(?:p|br|div|span|a|ul|ol|li|strong|em|b|i|u|h[1-6]|code|pre|blockquote|img|table)\b"
    r"[^>]*>",
    re.IGNORECASE,
)
_BREAK_TITLE = re.compile(
    r"^(?:lunch|dinner|breakfast|coffee|tea|break|meal)\b|\bbreak$", re.IGNORECASE
)


def slugify(text: str, *, fallback: str) -> str:
    """Lowercase ASCII letters and digits joined by single hyphens (accents dropped); `fallback`
    when nothing is left (a name in Korean)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).split()
    return "-".join(words)[:60].strip("-") or fallback


def to_markdown(text: str) -> str:
    """Our abstracts are Markdown; HTML from a file is kept as HTML inside it (CommonMark passes
    it through) after the allow-list the renderer uses removed everything else."""
    text = clean(text)
    if not _HTML.search(text):
        return text
    cleaned = nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel=None,
    )
    return clean(cleaned)


def compose_abstract(event: ParsedEvent) -> str:
    """Subtitle (in italics), abstract and description, each once."""
    parts: list[str] = []
    if event.subtitle and name_key(event.subtitle) != name_key(event.title):
        parts.append(f"*{event.subtitle}*")
    for text in (event.abstract, event.description):
        converted = to_markdown(text)
        if converted and converted not in parts:
            parts.append(converted)
    return "\n\n".join(parts)


def kind_of(type_name: str, title: str, *, has_persons: bool) -> str:
    """Our kind from a free-text event type ("Workshop 2h", "podium", "lecture"…)."""
    text = type_name.casefold()
    if "keynote" in text:
        return TalkKind.KEYNOTE.value
    if any(word in text for word in ("workshop", "hands-on", "tutorial")):
        return TalkKind.WORKSHOP.value
    if any(word in text for word in ("panel", "podium", "discussion")):
        return TalkKind.PANEL.value
    if text.strip() in ("break", "meal") or (not has_persons and _BREAK_TITLE.search(title)):
        return TalkKind.BREAK.value
    return TalkKind.TALK.value


# --- Comparing ----------------------------------------------------------------------------------
