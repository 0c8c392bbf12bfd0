"""Live questions: the JSON API the questions page's script uses, and the page itself with plain
forms (it works without JavaScript), also as a big-screen view for the room (`?screen=1`)."""

from __future__ import annotations

from typing import Any

import segno
from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from companion import clock
from companion.accounts.login import me_or_new_guest
from companion.accounts.models import User
from companion.errors import BadRequest, CompanionError, Unauthorised
from companion.parsing import small_int
from companion.programme.models import Conference, Talk
from companion.programme.queries import get_conference_or_404, get_talk_by_guid_or_404
from companion.questions import operations, queries
from companion.questions.models import QuestionState
from companion.web import external_url, private

bp = Blueprint("questions", __name__)
bp.after_request(private)


def _me() -> User | None:
    return current_user if current_user.is_authenticated else None


def _listing(conference: Conference, talk: Talk) -> dict[str, Any]:
    me = _me()
    moderator = queries.is_moderator(me.id if me else None, talk)
    try:
        operations.check_on(conference, talk, clock.now())
        why_not = None
    except CompanionError as error:
        why_not = error.message
    return {
        "session": talk.guid,
        "open": why_not is None,
        "why_not": why_not,
        "starts": talk.start.isoformat(),
        "ends": talk.end.isoformat(),
        "moderator": moderator,
        "questions": queries.questions_of(talk, me.id if me else None, moderator=moderator),
    }


def _question(question_id: str) -> Any:
    number = small_int(question_id)
    if number is None:
        abort(404, "There is no such question.")
    return queries.get_question_or_404(number)


def _json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest('Send a JSON object, such as {"text": "How does it fail over?"}.')
    return data


def _moderation(data: Any) -> tuple[QuestionState | None, bool | None]:
    state = data.get("state")
    pinned = data.get("pinned")
    if state is not None and state not in QuestionState.__members__.values():
        raise BadRequest('"state" is "open", "answered" or "hidden".')
    if pinned is not None and not isinstance(pinned, bool):
        raise BadRequest('"pinned" is true or false.')
    if state is None and pinned is None:
        raise BadRequest('Say what to change: "state" or "pinned".')
    return (QuestionState(state) if state else None), pinned


# --- JSON API ------------------------------------------------------------------------------------


@bp.get("/api/v1/sessions/<guid>/questions")
def api_questions(guid: str) -> Response:
    """The session's questions as I see them (`mine`, `voted`; hidden ones only for hosts)."""
    talk = get_talk_by_guid_or_404(guid)
    return jsonify(_listing(talk.conference, talk))


@bp.post("/api/v1/sessions/<guid>/questions")
def api_ask(guid: str) -> tuple[Response, int]:
    """Ask `{"text": "…"}` while the session is on (a guest is made for someone not signed in)."""
    talk = get_talk_by_guid_or_404(guid)
    text = operations.clean_text(_json_body().get("text"))
    operations.check_on(talk.conference, talk, clock.now())
    question = operations.ask(me_or_new_guest(), talk.conference, talk, text, now=clock.now())
    return jsonify({**operations.public(question, talk), "mine": True, "voted": False}), 201


@bp.put("/api/v1/questions/<question_id>/vote")
def api_upvote(question_id: str) -> Response:
    """Upvote a question (idempotent)."""
    question, talk = _question(question_id)
    operations.check_on(talk.conference, talk, clock.now())
    me = me_or_new_guest()
    operations.upvote(me.id, talk.conference, talk, question, now=clock.now())
    return jsonify(id=question.id, votes=question.votes, voted=True)


@bp.delete("/api/v1/questions/<question_id>/vote")
def api_unvote(question_id: str) -> Response:
    """Take my upvote back (idempotent)."""
    question, talk = _question(question_id)
    me = _me()
    if me is not None:
        operations.unvote(me.id, talk.conference, talk, question, now=clock.now())
    return jsonify(id=question.id, votes=question.votes, voted=False)


@bp.patch("/api/v1/questions/<question_id>")
def api_moderate(question_id: str) -> Response:
    """Moderate: `{"state": "open"|"answered"|"hidden", "pinned": true|false}` (hosts)."""
    question, talk = _question(question_id)
    me = _me()
    if me is None or me.is_guest:
        raise Unauthorised("Sign in with an organiser's or track host's account.")
    operations.check_moderator(me, talk.conference, talk)  # who asks, before what they ask
    state, pinned = _moderation(_json_body())
    operations.moderate(me, talk.conference, talk, question, state=state, pinned=pinned)
    return jsonify(operations.public(question, talk))


# --- The page, with forms -----------------------------------------------------------------------


def _talk_in(conf: str, guid: str) -> tuple[Conference, Talk]:
    conference = get_conference_or_404(conf)
    talk = get_talk_by_guid_or_404(guid)
    if talk.conference_id != conference.id:
        abort(404, "There is no such session in this conference.")
    return conference, talk


def _page(
    conference: Conference,
    talk: Talk,
    *,
    error: str | None = None,
    status: int = 200,
    text: str = "",
) -> tuple[str, int]:
    listing = _listing(conference, talk)
    extra: dict[str, Any] = {}
    template = "questions/page.html"
    if request.args.get("screen"):
        template = "questions/screen.html"
        link = external_url("questions.questions_page", conf=conference.slug, guid=talk.guid)
        qr = segno.make(link, error="m").svg_inline(scale=6, dark="#14181f", light="#ffffff")
        extra = {"link": link, "qr": Markup(qr)}  # segno's own SVG of our own URL
    page = render_template(
        template,
        conf=conference,
        talk=talk,
        listing=listing,
        error=error,
        text=text,
        max_text=operations.MAX_TEXT,
        **extra,
    )
    return page, status


@bp.get("/<conf>/sessions/<guid>/questions")
def questions_page(conf: str, guid: str) -> tuple[str, int]:
    """The questions of a session: ask, upvote, and (hosts) moderate; `?screen=1` for the room."""
    conference, talk = _talk_in(conf, guid)
    return _page(conference, talk)


@bp.post("/<conf>/sessions/<guid>/questions")
def ask_form(conf: str, guid: str) -> BaseResponse | tuple[str, int]:
    """Ask with a plain form; back to the list."""
    conference, talk = _talk_in(conf, guid)
    raw = request.form.get("text", "")
    try:
        text = operations.clean_text(raw)
        operations.check_on(conference, talk, clock.now())
        operations.ask(me_or_new_guest(), conference, talk, text, now=clock.now())
    except CompanionError as error:
        return _page(conference, talk, error=error.message, status=error.status, text=raw[:2000])
    return redirect(url_for("questions.questions_page", conf=conf, guid=guid), 303)


@bp.post("/<conf>/questions/<question_id>/vote")
def vote_form(conf: str, question_id: str) -> BaseResponse | tuple[str, int]:
    """Upvote (`action=up`) or take it back (`action=down`) with a plain form."""
    question, talk = _question(question_id)
    conference, _ = _talk_in(conf, talk.guid)
    try:
        if request.form.get("action") == "down":
            if (me := _me()) is not None:
                operations.unvote(me.id, conference, talk, question, now=clock.now())
        else:
            operations.check_on(conference, talk, clock.now())
            operations.upvote(me_or_new_guest().id, conference, talk, question, now=clock.now())
    except CompanionError as error:
        return _page(conference, talk, error=error.message, status=error.status)
    return redirect(url_for("questions.questions_page", conf=conf, guid=talk.guid), 303)


@bp.post("/<conf>/questions/<question_id>/moderate")
def moderate_form(conf: str, question_id: str) -> BaseResponse | tuple[str, int]:
    """Hide, answer, reopen, pin or unpin with a plain form (hosts)."""
    question, talk = _question(question_id)
    conference, _ = _talk_in(conf, talk.guid)
    me = _me()
    if me is None:
        return redirect(url_for("accounts.login", next=request.path))
    operations.check_moderator(me, conference, talk)
    pinned = {"pin": True, "unpin": False}.get(request.form.get("pinned", ""))
    raw_state = request.form.get("state") or None
    state, _ = _moderation({"state": raw_state, "pinned": pinned})
    operations.moderate(me, conference, talk, question, state=state, pinned=pinned)
    return redirect(url_for("questions.questions_page", conf=conf, guid=talk.guid), 303)
