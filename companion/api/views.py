"""JSON API v1: read-only programme endpoints (writes arrive with the features that need them)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from companion.api import programme_json
from companion.programme import queries
from companion.web import cached_response, make_etag

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/conferences")
def list_conferences() -> Response:
    """Every conference, newest first."""
    return jsonify(conferences=[programme_json.conference_data(c) for c in queries.conferences()])


@bp.get("/conferences/<conf>/programme")
def programme(conf: str) -> Response:
    """The whole programme in one document, with an ETag so unchanged copies cost a 304."""
    conference = queries.get_conference_or_404(conf)
    etag = make_etag(conference.id, conference.revision, "programme.json")
    return cached_response(
        ("api.programme", conference.id),
        etag,
        lambda: programme_json.dumps(
            programme_json.programme_document(queries.whole_programme(conference))
        ),
        mimetype="application/json",
        last_modified=conference.updated_at,
    )
