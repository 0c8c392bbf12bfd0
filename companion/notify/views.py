"""Push subscriptions (one per device), the public key, the person's Alerts page (what was sent
to them), and the organisers' delivery-health page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask_login import current_user, login_required

from companion.accounts.login import me_or_new_guest
from companion.accounts.models import User
from companion.accounts.permissions import Need, conference_for
from companion.errors import BadRequest
from companion.notify import queries
from companion.notify.endpoints import canonical, check_endpoint
from companion.notify.operations import remove_subscription, save_subscription
from companion.programme.queries import get_conference_or_404
from companion.web import private

bp = Blueprint("notify", __name__)
bp.after_request(private)


@bp.get("/api/v1/push/key")
def public_key() -> Response:
    """The VAPID public key for PushManager.subscribe (applicationServerKey)."""
    return jsonify(public_key=current_app.config["VAPID_PUBLIC_KEY"])


def _subscription_fields() -> tuple[str, str, str]:
    data: Any = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("Send the subscription as JSON: {endpoint, keys: {p256dh, auth}}.")
    keys: dict[str, Any] = data["keys"] if isinstance(data.get("keys"), dict) else {}
    endpoint, p256dh, auth = data.get("endpoint"), keys.get("p256dh"), keys.get("auth")
    if not all(isinstance(v, str) and v for v in (endpoint, p256dh, auth)):
        raise BadRequest("A subscription needs an endpoint and its p256dh and auth keys.")
    assert isinstance(endpoint, str) and isinstance(p256dh, str) and isinstance(auth, str)
    if len(endpoint) > 1000 or len(p256dh) > 200 or len(auth) > 100:
        raise BadRequest("That subscription is too long to be real.")
    endpoint = canonical(endpoint)
    check_endpoint(
        endpoint,
        current_app.config["PUSH_SERVICE_HOSTS"],
        allow_http=current_app.config["PUSH_ALLOW_HTTP"],
    )
    return endpoint, p256dh, auth


@bp.post("/api/v1/me/push-subscriptions")
def subscribe() -> tuple[Response, int]:
    """Store this device's push subscription (idempotent: the same endpoint is updated). Like the
    first star, it makes a guest when nobody is signed in here."""
    fields = _subscription_fields()
    me = me_or_new_guest()
    created = save_subscription(me.id, *fields)
    return jsonify(subscribed=True), 201 if created else 200


@bp.delete("/api/v1/me/push-subscriptions")
@login_required
def unsubscribe() -> Response:
    """Forget this device's subscription (turning notifications off)."""
    me: User = current_user
    data: Any = request.get_json(silent=True) or {}
    endpoint = data.get("endpoint") if isinstance(data, dict) else None
    if not isinstance(endpoint, str) or not endpoint:
        raise BadRequest("Name the endpoint to unsubscribe.")
    remove_subscription(me.id, canonical(endpoint))
    return jsonify(subscribed=False)


@bp.get("/<conf>/admin/notifications/")
@login_required
def health(conf: str) -> str:
    """Delivery health for organisers: pending, sent, retrying, failed, removed; last errors."""
    conference, _, _ = conference_for(conf, Need.ORGANISER)
    return render_template(
        "notify/health.html",
        conf=conference,
        summary=queries.delivery_summary(conference),
        errors=queries.recent_errors(conference),
    )


@bp.get("/<conf>/my/alerts/")
def my_alerts(conf: str) -> str:
    """The reminders and change alerts sent to the signed-in person (or this device's guest),
    newest first; nobody else's. Per person, so never in the shared page store: the service
    worker keeps it in the private cache that signing out clears."""
    conference = get_conference_or_404(conf)
    me: User | None = current_user if current_user.is_authenticated else None
    return render_template(
        "notify/alerts.html",
        conf=conference,
        me=me,
        alerts=queries.sent_to(me.id, conference) if me else [],
        has_devices=queries.has_devices(me.id) if me else False,
    )
