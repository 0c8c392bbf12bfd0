"""The public changelog's pages: `/<conf>/changes/` and its Atom feed `/<conf>/changes.atom`,
cached per programme revision (the items come from `hosting.changelog`, the XML from
`hosting.atom`)."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from companion.caching import conference_response
from companion.hosting import changelog
from companion.hosting.atom import atom
from companion.programme import queries as programme

bp = Blueprint("hosting", __name__)


@bp.get("/<conf>/changes/")
def changes(conf: str) -> Response:
    """The public changelog (cached per programme revision: every change bumps it)."""
    stamp = programme.get_conference_stamp_or_404(conf)

    def render() -> str:
        conference = programme.get_conference(stamp.id)
        return render_template(
            "hosting/changes.html", conf=conference, changes=changelog.changes(conference)
        )

    return conference_response(stamp, ("changes",), render)


@bp.get("/<conf>/changes.atom")
def changes_atom(conf: str) -> Response:
    """The changelog as an Atom feed (RFC 4287)."""
    stamp = programme.get_conference_stamp_or_404(conf)

    def render() -> bytes:
        conference = programme.get_conference(stamp.id)
        return atom(conference, changelog.changes(conference, limit=50))

    return conference_response(stamp, ("changes.atom",), render, mimetype="application/atom+xml")
