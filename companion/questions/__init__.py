"""Live questions: during a session attendees ask and upvote; the track's hosts hide, answer and
pin from the phone and show a big-screen view in the room. Every change reaches every open screen
as a live event (kind "question").

Its URLs, and the module that answers each (`companion/questions/<module>.py`):

| URL                                   | endpoint                  | module |
|---------------------------------------|---------------------------|--------|
| GET    /api/v1/sessions/<guid>/questions | questions.api_questions | views  |
| POST   /api/v1/sessions/<guid>/questions | questions.api_ask       | views  |
| PUT    /api/v1/questions/<question_id>/vote | questions.api_upvote | views  |
| DELETE /api/v1/questions/<question_id>/vote | questions.api_unvote | views  |
| PATCH  /api/v1/questions/<question_id>  | questions.api_moderate  | views  |
| GET    /<conf>/sessions/<guid>/questions | questions.questions_page | views |
| POST   /<conf>/sessions/<guid>/questions | questions.ask_form      | views  |
| POST   /<conf>/questions/<question_id>/vote | questions.vote_form  | views  |
| POST   /<conf>/questions/<question_id>/moderate | questions.moderate_form | views |
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The questions API and page; a guest's questions join the account they sign in to."""
    from companion.accounts.operations import add_merge_step
    from companion.questions.operations import move_questions
    from companion.questions.views import bp

    app.register_blueprint(bp)
    add_merge_step(app, move_questions)
