"""The exports (`/<conf>/schedule.xml`, `/<conf>/schedule.json`, cached with ETag/304 like every
public document) and the organiser's import page (`/<conf>/admin/import/`: upload → diff → confirm).

Between the two import steps the uploaded file travels in the confirm form itself, compressed,
with a signed token (itsdangerous, the app's secret key) binding the file's SHA-256, the
conference, the organiser and the programme revision the diff was shown for. Nothing is stored
on the server, so any app server can take the confirm; a tampered file, another person's token or
one older than an hour is refused, and a programme that changed meanwhile gets a fresh diff.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import zlib
from collections.abc import Callable
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from zoneinfo import available_timezones

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response as BaseResponse

from companion.accounts.permissions import Need, conference_for
from companion.caching import conference_response
from companion.errors import BadRequest
from companion.exchange import frab_xml, photos, schedule_json
from companion.exchange.apply import apply_import
from companion.exchange.importer import MAX_BYTES, ImportPlan, plan_import
from companion.exchange.importer import read_schedule as read
from companion.exchange.model import InvalidSchedule
from companion.exchange.queries import current_revision
from companion.programme import queries as programme
from companion.programme.models import Conference, Talk
from companion.programme.queries import Programme
from companion.web import body_limit, external_url, private

bp = Blueprint("exchange", __name__)

#: How long a shown diff may be confirmed.
CONFIRM_MAX_AGE = 3600
_IMPORT_ENDPOINTS = frozenset({"exchange.import_schedule", "exchange.confirm_import"})

Page = BaseResponse | str | tuple[str, int]


def _generator() -> str:
    try:
        return version("conference-companion")
    except PackageNotFoundError:  # pragma: no cover - running from a checkout without install
        return "dev"


def _upload_limit() -> int:
    # A schedule file, or the confirm form carrying it back compressed, and the form around it.
    return MAX_BYTES + 64 * 1024


# --- Exports ------------------------------------------------------------------------------------


def _export(
    conf: str,
    key: str,
    writer: Callable[..., bytes],
    mimetype: str,
    filename: str,
) -> Response:
    stamp = programme.get_conference_stamp_or_404(conf)
    parts = (key,)

    def build() -> bytes:
        conference = programme.get_conference(stamp.id)
        whole: Programme = programme.whole_programme(conference)
        return writer(
            whole,
            url_of=lambda talk: _session_url(conference, talk),
            base_url=external_url("programme.home", conf=conference.slug),
            generator=_generator(),
        )

    response = conference_response(stamp, parts, build, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    # Schedule apps and web viewers on other sites read these, as they read frab's.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _session_url(conference: Conference, talk: Talk) -> str:
    return external_url("programme.session_page", conf=conference.slug, guid=talk.guid)


@bp.get("/<conf>/schedule.xml")
def schedule_xml(conf: str) -> Response:
    """The programme as frab schedule XML (Giggity, ConfClerk and friends read it)."""
    return _export(conf, "frab-xml", frab_xml.export, frab_xml.CONTENT_TYPE, f"{conf}.xml")


@bp.get("/<conf>/schedule.json")
def schedule_json_export(conf: str) -> Response:
    """The programme as schedule.json (pretalx's and c3voc's shape)."""
    return _export(
        conf, "schedule-json", schedule_json.export, schedule_json.CONTENT_TYPE, f"{conf}.json"
    )


# --- Import -------------------------------------------------------------------------------------


def _organiser_conference(conf: str) -> Conference:
    conference, _, _ = conference_for(conf, Need.ORGANISER)
    return conference


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="exchange.import")


def _preview(
    conference: Conference,
    plan: ImportPlan,
    data: bytes,
    *,
    filename: str,
    timezone: str,
    message: str = "",
    status: int = 200,
) -> tuple[str, int]:
    token = _serializer().dumps(
        {
            "c": conference.id,
            "u": current_user.id,
            "r": plan.revision,
            "h": hashlib.sha256(data).hexdigest(),
            "n": filename,
            "tz": timezone,
        }
    )
    payload = base64.b64encode(zlib.compress(data, 6)).decode("ascii")
    return render_template(
        "exchange/preview.html",
        conf=conference,
        diff=plan.diff,
        format=plan.format,
        events=len(plan.talks),
        filename=filename,
        token=token,
        payload=payload,
        message=message,
    ), status


def _upload_page(conference: Conference, error: str = "", status: int = 200) -> tuple[str, int]:
    return render_template(
        "exchange/import.html",
        conf=conference,
        error=error,
        timezone=request.form.get("timezone", "") or conference.timezone,
        zones=_zones(),
        limit_mb=MAX_BYTES // 1024 // 1024,
    ), status


@cache
def _zones() -> list[str]:
    """Every IANA zone name the system knows, for the upload page's select."""
    return sorted(available_timezones())


@bp.route("/<conf>/admin/import/", methods=["GET", "POST"])
@login_required
@body_limit(_upload_limit)
def import_schedule(conf: str) -> Page:
    """Upload a frab XML or schedule.json file and see what importing it would change."""
    conference = _organiser_conference(conf)
    if request.method != "POST":  # GET and HEAD only show the page
        return _upload_page(conference)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _upload_page(conference, "Choose a schedule file (frab XML or schedule.json).", 422)
    data = upload.read(MAX_BYTES + 1)
    timezone = request.form.get("timezone", "").strip()
    try:
        plan = plan_import(read(data), conference=conference, timezone=timezone or None)
    except InvalidSchedule as error:
        return _upload_page(conference, f"This file cannot be imported. {error.message}", 422)
    return _preview(conference, plan, data, filename=upload.filename[:200], timezone=timezone)


@bp.post("/<conf>/admin/import/confirm")
@login_required
@body_limit(_upload_limit)
def confirm_import(conf: str) -> Page:
    """Apply the import shown in the preview, in one transaction."""
    conference = _organiser_conference(conf)
    try:
        claims = _serializer().loads(request.form.get("token", ""), max_age=CONFIRM_MAX_AGE)
    except BadSignature:
        raise BadRequest(
            "This import preview has expired or was altered. Upload the file again."
        ) from None
    if claims.get("c") != conference.id or claims.get("u") != current_user.id:
        raise BadRequest("This import preview belongs to someone else. Upload the file again.")
    data = _unpack(request.form.get("payload", ""))
    if hashlib.sha256(data).hexdigest() != claims.get("h"):
        raise BadRequest("The uploaded file was altered. Upload it again.")
    filename = str(claims.get("n") or "schedule")
    timezone = str(claims.get("tz") or "")
    try:
        plan = plan_import(read(data), conference=conference, timezone=timezone or None)
    except InvalidSchedule as error:  # only if the code changed between the two steps
        return _upload_page(conference, f"This file cannot be imported. {error.message}", 422)
    if plan.revision != claims.get("r"):
        return _preview(
            conference,
            plan,
            data,
            filename=filename,
            timezone=timezone,
            message="The programme changed after you looked at this import. Here is what it "
            "would change now; confirm again to import.",
            status=409,
        )
    if plan.diff.warnings and request.form.get("accept_warnings") != "yes":
        return _preview(
            conference,
            plan,
            data,
            filename=filename,
            timezone=timezone,
            message="Nothing was imported: this import needs your confirmation. Read the "
            "warnings, tick the box and import again.",
            status=422,
        )
    me = current_user
    actor = f"Import of {filename} ({me.display_name})"[:254]
    fetched = photos.fetch_planned(plan)  # network only: nothing is written yet
    if fetched.photos and current_revision(conference.id) != plan.revision:
        return _preview(
            conference,
            plan,
            data,
            filename=filename,
            timezone=timezone,
            message="The programme changed while the speakers' photos were fetched. Here is "
            "what the import would change now; confirm again to import.",
            status=409,
        )
    result = apply_import(plan, actor=actor, user_id=me.id)
    outcome = photos.set_photos(fetched, result, user_id=me.id, actor=actor)
    flash(f"Imported {filename}. {result.diff.summary()} {outcome.summary}".strip(), "success")
    for note in outcome.failures:
        flash(note, "warning")
    return redirect(url_for("exchange.import_schedule", conf=conference.slug))


def _unpack(payload: str) -> bytes:
    try:
        packed = base64.b64decode(payload, validate=True)
        inflater = zlib.decompressobj()
        data = inflater.decompress(packed, MAX_BYTES + 1)
    except (binascii.Error, zlib.error, ValueError):
        raise BadRequest("The uploaded file was altered. Upload it again.") from None
    if len(data) > MAX_BYTES or inflater.unconsumed_tail:
        raise BadRequest("The uploaded file is too large.")
    return data


@bp.after_request
def _private_import(response: Response) -> Response:
    """The import pages are per person: never cached."""
    if request.endpoint in _IMPORT_ENDPOINTS:
        return private(response)
    return response
