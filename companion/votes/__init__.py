"""QCon's three-colour vote: after a session starts, attendees (guests too) drop a green, yellow
or red card, once per person per session, changeable until the end of its day; track hosts read
their tracks' results and organisers the whole conference. Results are never public.

Its URLs, and the module that answers each (`companion/votes/<module>.py`):

| URL                                 | endpoint             | module |
|-------------------------------------|----------------------|--------|
| GET    /api/v1/me/votes             | votes.api_my_votes   | views  |
| PUT    /api/v1/me/votes/<guid>      | votes.api_vote       | views  |
| DELETE /api/v1/me/votes/<guid>      | votes.api_unvote     | views  |
| POST   /<conf>/sessions/<guid>/vote | votes.vote_form      | views  |
| GET    /<conf>/host/votes/          | votes.results        | views  |
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The voting API, form and results page; a guest's cards join the account they sign in to."""
    from companion.accounts.operations import add_merge_step
    from companion.votes.operations import move_votes, window
    from companion.votes.views import bp

    app.register_blueprint(bp)
    add_merge_step(app, move_votes)
    app.jinja_env.globals["vote_window"] = window
