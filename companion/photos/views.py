"""Speakers' photos: the files (public, immutable: their URLs carry the photo's hash) and the
page where a speaker's track host or an organiser uploads or removes one."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from companion.db import session
from companion.errors import Invalid
from companion.photos import operations
from companion.photos.images import MAX_BYTES, OUTPUTS, SIZES
from companion.photos.models import SpeakerPhoto
from companion.programme.models import Conference, Speaker
from companion.programme.queries import get_conference_or_404, get_speaker_or_404
from companion.web import STATIC_MAX_AGE, body_limit, private

bp = Blueprint("photos", __name__)


@bp.get("/<conf>/speakers/<slug>/photo-<digest>-<size>.<ext>")
def speaker_photo(conf: str, slug: str, digest: str, size: str, ext: str) -> BaseResponse:
    """One size and format of a speaker's photo; an old hash is a 404 (the pages moved on)."""
    conference = get_conference_or_404(conf)
    speaker = get_speaker_or_404(conference, slug)
    if size not in SIZES or ext not in OUTPUTS or speaker.photo != digest:
        abort(404, "There is no such photo.")
    row = session.get(SpeakerPhoto, speaker.id)
    if row is None or row.digest != digest:
        abort(404, "There is no such photo.")
    answer = Response(row.file(size, ext), mimetype=OUTPUTS[ext])
    answer.headers["Cache-Control"] = f"public, max-age={STATIC_MAX_AGE}, immutable"
    answer.headers["X-Content-Type-Options"] = "nosniff"
    answer.set_etag(f"{digest}-{size}-{ext}")
    return answer.make_conditional(request)


def _page(
    conference: Conference, speaker: Speaker, *, error: str | None = None, status: int = 200
) -> Response:
    page = render_template(
        "photos/edit.html",
        conf=conference,
        speaker=speaker,
        error=error,
        max_mb=MAX_BYTES // 2**20,
    )
    return private(Response(page, status))


@bp.route("/<conf>/host/speakers/<slug>/photo", methods=["GET", "POST"])
@login_required
@body_limit(lambda: MAX_BYTES + 64 * 1024)
def edit_photo(conf: str, slug: str) -> BaseResponse:
    """Upload (or replace) a speaker's photo."""
    conference = get_conference_or_404(conf)
    speaker = get_speaker_or_404(conference, slug)
    operations.check_may_edit(current_user, conference, speaker)
    if request.method != "POST":
        return _page(conference, speaker)
    upload = request.files.get("photo")
    try:
        if upload is None or not upload.filename:
            raise Invalid("Choose a photo to upload.")
        operations.set_photo(
            current_user,
            conference,
            speaker,
            upload.read(MAX_BYTES + 1),
            placeholder=bool(request.form.get("placeholder")),
        )
    except Invalid as error:
        session.rollback()
        return _page(conference, speaker, error=error.message, status=422)
    flash(f"The photo of {speaker.name} is in.", "success")
    return redirect(url_for("photos.edit_photo", conf=conf, slug=slug))


@bp.post("/<conf>/host/speakers/<slug>/photo/delete")
@login_required
def delete_photo(conf: str, slug: str) -> BaseResponse:
    """Back to the letter avatar."""
    conference = get_conference_or_404(conf)
    speaker = get_speaker_or_404(conference, slug)
    if operations.remove_photo(current_user, conference, speaker):
        flash(f"The photo of {speaker.name} is removed.", "success")
    return redirect(url_for("photos.edit_photo", conf=conf, slug=slug))
