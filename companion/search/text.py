"""Words as search sees them: normalised the same way for the index, the query, the highlights
and the offline index in the browser (static/js/search.js: `normalise`)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from markupsafe import Markup, escape

#: A word: letters and digits (what FTS5's unicode61 tokenizer and PostgreSQL's 'simple' parser
#: keep; an underscore or any punctuation separates words).
_WORD = re.compile(r"[^\W_]+")
#: At most this many words of a query are searched for (the rest are ignored).
MAX_TERMS = 8
#: A snippet of a long text shows about this many characters around the first match.
SNIPPET_CHARS = 160


def normalise(text: str) -> str:
    """Casefolded, accents removed, punctuation to single spaces: "Café-Ops!" → "cafe ops"."""
    if text.isascii():  # most words: the same answer, without decomposing every character
        return " ".join(_WORD.findall(text.lower()))
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(stripped))


@dataclass(frozen=True, slots=True)
class Term:
    """One normalised word of a query; `prefix` for the last one (it may be half typed)."""

    text: str
    prefix: bool = False

    def matches(self, word: str) -> bool:
        """True when normalised `word` is this term (or starts with it, for a prefix)."""
        return word.startswith(self.text) if self.prefix else word == self.text


def terms(query: str) -> list[Term]:
    """The query's words, the last one matched as a prefix as the person may still be typing it
    ("kafka micros" finds "Kafka microservices")."""
    words = normalise(query).split()[:MAX_TERMS]
    return [Term(word, prefix=n == len(words) - 1) for n, word in enumerate(words)]


def highlight(text: str, found: list[Term]) -> Markup:
    """`text` escaped, with every word that one of `found` matches in <mark>."""
    parts: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        word = normalise(match.group())
        if word and any(term.matches(word) for term in found):
            parts.append(escape(text[last : match.start()]))
            parts.append(Markup("<mark>%s</mark>") % match.group())
            last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def snippet(text: str, found: list[Term]) -> Markup:
    """About SNIPPET_CHARS of `text` around its first match, highlighted ("" without a match)."""
    for match in _WORD.finditer(text):
        if any(term.matches(normalise(match.group())) for term in found):
            start = max(0, match.start() - SNIPPET_CHARS // 3)
            if start:
                space = text.find(" ", start)
                start = space + 1 if 0 <= space < match.start() else start
            end = min(len(text), start + SNIPPET_CHARS)
            if end < len(text):
                space = text.rfind(" ", match.end(), end)
                end = space if space > match.end() else end
            body = highlight(text[start:end], found)
            return Markup("%s%s%s") % ("…" if start else "", body, "…" if end < len(text) else "")
    return Markup("")
