"""User-written Markdown to safe HTML: markdown-it renders, nh3 (ammonia) removes the unsafe."""

from __future__ import annotations

import html as html_lib
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

#: Tags a Markdown abstract or bio may produce; anything else (script, iframe, style…) is removed.
ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "strong",
        "em",
        "b",
        "i",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "h3",
        "h4",
        "h5",
        "h6",
        "del",
        "sup",
        "sub",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
#: Only links people can follow safely; javascript:, data: and friends are dropped.
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})

_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
_markdown.enable("strikethrough")
_HEADING = re.compile(r"<(/?)h([12])>")
_TAGS = re.compile(r"<[^>]+>")


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> Markup:
    """Render Markdown (raw HTML allowed in, then cleaned) to sanitised, page-safe HTML."""
    if not text:
        return Markup("")
    html = _markdown.render(text)
    html = _HEADING.sub(r"<\1h3>", html)  # the page owns h1/h2; abstracts start at h3
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)


def plain_text(text: str) -> str:
    """Markdown to plain text (for search, summaries and exports): rendered, tags stripped."""
    if not text:
        return ""
    html = nh3.clean(_markdown.render(text), tags=set())
    return " ".join(html_lib.unescape(_TAGS.sub(" ", html)).split())
