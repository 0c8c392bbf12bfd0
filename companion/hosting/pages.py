"""The host's and organiser's pages (under /<conf>/host/): my tracks, the stars per session,
the session form (new, edit, delete), the quick "move / shift" action, the track
introduction and a speaker's links. Every write goes through hosting.operations, which checks
the role again."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response as BaseResponse

from companion.accounts.models import User
from companion.accounts.permissions import Need, conference_for, require
from companion.accounts.queries import Powers
from companion.agenda.queries import star_count, star_counts
from companion.errors import Invalid
from companion.hosting import forms
from companion.hosting.operations import (
    create_talk,
    delete_talk,
    introduction_version,
    links_of,
    speaker_ids_of,
    speaker_links,
    speaker_links_version,
    speaker_tracks,
    update_introduction,
    update_speaker_links,
    update_talk,
)
from companion.markup import render_markdown
from companion.parsing import small_int
from companion.programme import queries as programme
from companion.programme.links import KIND_LABELS, SESSION_KINDS, SPEAKER_KINDS, LinkInput
from companion.programme.models import Conference, Talk, TalkKind, TalkStatus
from companion.saving import Outcome, attempt
from companion.web import private

bp = Blueprint("host", __name__, url_prefix="/<conf>/host")
bp.after_request(private)

Page = BaseResponse | str | tuple[str, int]


def _editor(conf: str) -> tuple[Conference, Powers, User]:
    conference, me, mine = conference_for(conf, Need.EDITOR)
    return conference, mine, me


@bp.get("/")
@login_required
def my_tracks(conf: str) -> str:
    """The tracks this person may edit (all of them, and sessions in no track, for organisers)."""
    conference, mine, _ = _editor(conf)
    tracks = [
        t for t in programme.tracks(conference) if mine.organiser or t.id in mine.hosted_track_ids
    ]
    talks = programme.talks_of_tracks([t.id for t in tracks])
    return render_template(
        "hosting/my_tracks.html",
        conf=conference,
        tracks=tracks,
        talks=talks,
        untracked=programme.untracked_talks(conference) if mine.organiser else [],
        organiser=mine.organiser,
    )


def _links(talk: Talk) -> list[LinkInput]:
    return [link.input() for link in links_of(talk_id=talk.id)]


def _who_is_told(count: int) -> str:
    """Who a cancellation reaches, as the confirmation says it."""
    if count == 0:
        return "Nobody has starred it yet; it shows as cancelled on the programme."
    people = "1 person" if count == 1 else f"{count} people"
    return f"{people} starred it and will be told at once that it is cancelled."


def _ask_before_cancelling(talk: Talk, status: object, *, confirmed: bool) -> None:
    """A host's form that cancels a session asks first, saying how many people will be told:
    an alert to every one of them cannot be taken back. (The editing API is not asked: its
    clients send what a person already chose.)"""
    if confirmed or talk.cancelled or status != TalkStatus.CANCELLED.value:
        return
    raise Invalid(
        "Confirm the cancellation.",
        details={"warnings": [_who_is_told(star_count(talk.id))]},
    )


def _form_page(
    conference: Conference,
    mine: Powers,
    form: forms.Form,
    *,
    talk: Talk | None,
    outcome: Outcome | None = None,
) -> tuple[str, int]:
    current = None
    if outcome is not None and outcome.stale and talk is not None:
        talk = programme.get_talk_or_404(conference, talk.guid)
        current = forms.form_of(talk, conference, speaker_ids_of(talk.id), _links(talk))
    tracks = [
        t for t in programme.tracks(conference) if mine.organiser or t.id in mine.hosted_track_ids
    ]
    rooms = programme.rooms(conference)
    return render_template(
        "hosting/edit_session.html",
        conf=conference,
        talk=talk,
        form=form,
        errors=outcome.errors if outcome else {},
        warnings=outcome.warnings if outcome else [],
        current=current,
        rooms=rooms,
        room_names={str(r.id): r.name for r in rooms},
        tracks=tracks,
        may_leave_trackless=mine.organiser,
        speakers=programme.speakers(conference),
        kinds=[k.value for k in TalkKind],
        link_rows=forms.link_rows(form),
        link_kinds=SESSION_KINDS,
        link_labels=KIND_LABELS,
    ), outcome.status if outcome else 200


@bp.get("/interest/")
@login_required
def interest(conf: str) -> str:
    """How many attendees starred each session (of the tracks one hosts), to size rooms."""
    conference, _, mine = conference_for(conf, Need.EDITOR)
    rows = star_counts(conference, None if mine.organiser else set(mine.hosted_track_ids))
    return render_template("agenda/interest.html", conf=conference, rows=rows)


@bp.route("/sessions/new", methods=["GET", "POST"])
@login_required
def new_session(conf: str) -> Page:
    """Add a session (to a track the person hosts; anywhere for organisers)."""
    conference, mine, me = _editor(conf)
    if request.method != "POST":  # GET and HEAD only show the page
        form = forms.blank_form(conference, track_id=small_int(request.args.get("track", "")))
        return _form_page(conference, mine, form, talk=None)
    created: list[Talk] = []

    def save() -> None:
        values = forms.parse(conference, request.form)
        created.append(
            create_talk(conference, values, actor=me, confirmed=bool(request.form.get("confirm")))
        )

    outcome = attempt(save)
    if outcome is None:
        flash(f"Added “{created[0].title}”.", "success")
        return redirect(url_for("host.my_tracks", conf=conf))
    return _form_page(conference, mine, request.form, talk=None, outcome=outcome)


@bp.route("/sessions/<guid>/", methods=["GET", "POST"])
@login_required
def edit_session(conf: str, guid: str) -> Page:
    """Edit one session; a stale form answers 409 and keeps what the person typed."""
    conference, mine, me = _editor(conf)
    talk = programme.get_talk_or_404(conference, guid)
    require(me, conference.id, Need.EDITOR, track_ids={talk.track_id})
    if request.method != "POST":  # GET and HEAD only show the page
        form = forms.form_of(talk, conference, speaker_ids_of(talk.id), _links(talk))
        return _form_page(conference, mine, form, talk=talk)

    confirmed = bool(request.form.get("confirm"))

    def save() -> None:
        changes = forms.parse(conference, request.form, current=talk)
        _ask_before_cancelling(talk, changes.status, confirmed=confirmed)
        update_talk(
            talk,
            changes,
            actor=me,
            expected_version=forms.version_of(request.form),
            confirmed=confirmed,
        )

    outcome = attempt(save)
    if outcome is None:
        flash(f"Saved “{talk.title}”.", "success")
        return redirect(url_for("host.my_tracks", conf=conf))
    return _form_page(conference, mine, request.form, talk=talk, outcome=outcome)


@bp.post("/sessions/<guid>/delete")
@login_required
def delete_session(conf: str, guid: str) -> Page:
    """Delete a session added by mistake (a starred one must be cancelled instead)."""
    conference, mine, me = _editor(conf)
    talk = programme.get_talk_or_404(conference, guid)
    title = talk.title
    outcome = attempt(
        lambda: delete_talk(talk, actor=me, expected_version=forms.version_of(request.form))
    )
    if outcome is None:
        flash(f"Deleted “{title}”.", "success")
        return redirect(url_for("host.my_tracks", conf=conf))
    form = forms.form_of(talk, conference, speaker_ids_of(talk.id), _links(talk))
    return _form_page(conference, mine, form, talk=talk, outcome=outcome)


@bp.route("/sessions/<guid>/move", methods=["GET", "POST"])
@login_required
def move_session(conf: str, guid: str) -> Page:
    """The quick action for the day itself: another room, or N minutes earlier or later; or
    cancel / restore."""
    conference, _, me = _editor(conf)
    talk = programme.get_talk_or_404(conference, guid)
    require(me, conference.id, Need.EDITOR, track_ids={talk.track_id})
    outcome = None
    if request.method == "POST":
        changed: list[object] = []
        confirmed = bool(request.form.get("confirm"))

        def save() -> None:
            changes = forms.parse_move(conference, talk, request.form)
            _ask_before_cancelling(talk, changes.status, confirmed=confirmed)
            changed.extend(
                update_talk(
                    talk,
                    changes,
                    actor=me,
                    expected_version=forms.version_of(request.form),
                    confirmed=confirmed,
                )
            )

        outcome = attempt(save)
        if outcome is None:
            status = request.form.get("status", "")
            done = {"cancelled": "Cancelled", "scheduled": "Put back"}.get(status, "Moved")
            if changed:
                flash(f"{done} “{talk.title}”.", "success")
            else:
                flash(f"Nothing changed: “{talk.title}” was already there then.", "info")
            return redirect(url_for("host.my_tracks", conf=conf))
        talk = programme.get_talk_or_404(conference, guid)
    # A cancellation waiting to be confirmed replaces the page's forms with its own question.
    cancelling = (
        outcome is not None
        and bool(outcome.warnings)
        and request.form.get("status") == TalkStatus.CANCELLED.value
    )
    return render_template(
        "hosting/move_session.html",
        conf=conference,
        talk=talk,
        form=request.form if outcome is not None else {},
        rooms=programme.rooms(conference),
        errors=outcome.errors if outcome else {},
        warnings=outcome.warnings if outcome else [],
        cancelling=cancelling,
        told=star_count(talk.id) if cancelling else 0,
    ), outcome.status if outcome else 200


@bp.route("/tracks/<slug>/", methods=["GET", "POST"])
@login_required
def edit_track(conf: str, slug: str) -> Page:
    """The track's introduction (Markdown), with a preview before saving; a save made meanwhile
    by another host answers 409 and keeps this person's text."""
    conference, _, me = _editor(conf)
    track = programme.get_track_or_404(conference, slug)
    require(me, conference.id, Need.EDITOR, track_ids={track.id})
    text = request.form.get("introduction", track.introduction)
    expected = request.form.get("introduction_version", introduction_version(track))
    outcome = None
    if request.method == "POST" and "preview" not in request.form:
        outcome = attempt(lambda: update_introduction(track, text, actor=me, expected=expected))
        if outcome is None:
            flash(f"Saved the introduction of {track.name}.", "success")
            return redirect(url_for("host.my_tracks", conf=conf))
        track = programme.get_track_or_404(conference, slug)
    stale = outcome is not None and outcome.stale
    return render_template(
        "hosting/edit_track.html",
        conf=conference,
        track=track,
        text=text,
        version=introduction_version(track) if stale else expected,
        saved_meanwhile=track.introduction if stale else None,
        preview=render_markdown(text) if request.method == "POST" and len(text) <= 20_000 else None,
        errors=outcome.errors if outcome else {},
    ), outcome.status if outcome else 200


@bp.route("/speakers/<slug>/", methods=["GET", "POST"])
@login_required
def edit_speaker(conf: str, slug: str) -> Page:
    """A speaker's links (website, Mastodon, GitHub, LinkedIn…), for organisers and the hosts
    of the tracks they speak in; a save made meanwhile answers 409 and keeps this input."""
    conference, _, me = _editor(conf)
    speaker = programme.get_speaker_or_404(conference, slug)
    require(
        me,
        conference.id,
        Need.EDITOR,
        track_ids=speaker_tracks(speaker),
        refusal="You can edit only the speakers of the tracks you host.",
    )
    form = request.form if request.method == "POST" else forms.speaker_form(speaker_links(speaker))
    expected = request.form.get("links_version", speaker_links_version(speaker))
    outcome = None
    if request.method == "POST":
        outcome = attempt(
            lambda: update_speaker_links(
                speaker, forms.parse_speaker_links(request.form), actor=me, expected=expected
            )
        )
        if outcome is None:
            flash(f"Saved the links of {speaker.name}.", "success")
            return redirect(url_for("programme.speaker", conf=conf, slug=slug))
    stale = outcome is not None and outcome.stale
    return render_template(
        "hosting/edit_speaker.html",
        conf=conference,
        speaker=speaker,
        link_rows=forms.link_rows(form),
        link_kinds=SPEAKER_KINDS,
        link_labels=KIND_LABELS,
        version=speaker_links_version(speaker) if stale else expected,
        saved_meanwhile=speaker_links(speaker) if stale else None,
        errors=outcome.errors if outcome else {},
    ), outcome.status if outcome else 200
