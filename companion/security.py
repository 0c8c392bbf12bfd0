"""CSRF on every unsafe request, and the security headers of every response."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_wtf.csrf import CSRFProtect

#: What pages may load: only our own files; inline style attributes carry track colours only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
    "form-action 'self'"
)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Browsers that reached the production site over https keep using https for a year.
HSTS = "max-age=31536000"

csrf = CSRFProtect()


def content_security_policy(live_url: str | None) -> str:
    """The pages' policy; the live stream's own origin, when it has one, may be connected to."""
    if not live_url:
        return CONTENT_SECURITY_POLICY
    return f"{CONTENT_SECURITY_POLICY}; connect-src 'self' {live_url}"


def init_app(app: Flask) -> None:
    """Check CSRF on every unsafe request and add the security headers."""
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.config.setdefault("WTF_CSRF_HEADERS", ["X-CSRFToken", "X-CSRF-Token"])
    csrf.init_app(app)
    hsts = bool(app.config.get("HSTS"))
    policy = content_security_policy(app.config.get("LIVE_URL"))

    @app.before_request
    def _check_csrf() -> None:
        # Public pages are cached for everyone, so their star forms cannot carry a per-user
        # token. A browser's own Sec-Fetch-Site header (which no other site can forge) proves a
        # same-origin form or fetch; anything else must present a Flask-WTF token.
        if request.method not in UNSAFE_METHODS:
            return
        if request.headers.get("Sec-Fetch-Site") == "same-origin":
            return
        csrf.protect()

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
