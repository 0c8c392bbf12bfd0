"""The search page and the search API. Thin: check the query, search, render through the
conference's page cache (a results page is a function of the revision and the query only)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, render_template, request

from companion.caching import conference_response
from companion.errors import BadRequest
from companion.parsing import has_controls
from companion.programme import queries as programme
from companion.programme.models import Conference
from companion.search import answers, queries

bp = Blueprint("search", __name__)

#: The API's answers may be reused this long without asking (typing repeats queries); the page
#: itself revalidates like every other.
API_CACHE_CONTROL = "public, max-age=30"


def _query() -> str:
    query = request.args.get("q", "")
    limit = current_app.config["SEARCH_MAX_LENGTH"]
    if len(query) > limit:
        raise BadRequest(f"Search for at most {limit} characters.")
    if has_controls(query):  # the one rule of what text may hold (companion.parsing)
        raise BadRequest("The search contains a character that cannot be searched for.")
    return query


@bp.get("/<conf>/search")
def search_page(conf: str) -> Response:
    """Sessions, speakers and tracks matching ?q=, best first, in sections."""
    stamp = programme.get_conference_stamp_or_404(conf)
    query = _query()

    def render(conference: Conference) -> str:
        results = queries.search(conference, query) if query.strip() else None
        return render_template("search/search.html", conf=conference, query=query, results=results)

    return conference_response(
        stamp,
        ("search", query),
        lambda: render(programme.get_conference(stamp.id)),
        cache="search",
    )


@bp.get("/api/v1/conferences/<conf>/search")
def api_search(conf: str) -> Response:
    """The same results as JSON, for the search page as one types (static/js/search.js)."""
    stamp = programme.get_conference_stamp_or_404(conf)
    query = _query()

    def render() -> str:
        conference = programme.get_conference(stamp.id)
        return json.dumps(
            answers.results_data(conference, queries.search(conference, query)),
            ensure_ascii=False,
            separators=(",", ":"),
        )

    response = conference_response(
        stamp, ("api.search", query), render, mimetype="application/json", cache="search"
    )
    response.headers["Cache-Control"] = API_CACHE_CONTROL
    return response
