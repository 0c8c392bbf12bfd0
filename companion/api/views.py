"""JSON API v1: read-only programme endpoints (writes arrive with the features that need them)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from companion.api import programme_json
from companion.caching import conference_response
from companion.programme import queries

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/conferences")
def list_conferences() -> Response:
    """Every conference, newest first."""
    return jsonify(conferences=[programme_json.conference_data(c) for c in queries.conferences()])


@bp.get("/conferences/<conf>/programme")
def programme(conf: str) -> Response:
    """The whole programme in one document, with an ETag so unchanged copies cost a 304."""
    stamp = queries.get_conference_stamp_or_404(conf)
    return conference_response(
        stamp,
        ("api.programme",),
        lambda: programme_json.dumps(
            programme_json.programme_document(
                queries.whole_programme(queries.get_conference(stamp.id))
            )
        ),
        mimetype="application/json",
    )
