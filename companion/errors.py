"""Typed domain errors and the one place that turns any error into an HTML or JSON answer."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from companion.db import get_session


class CompanionError(Exception):
    """Base of the errors domain code raises; `status` is the HTTP answer it maps to."""

    status = 400
    title = "Bad request"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: Extra JSON for API clients: field errors, warnings, the current state after a conflict.
        self.details = details or {}


class NotFound(CompanionError):
    """Something named in the request does not exist."""

    status = 404
    title = "Not found"


class Unauthorised(CompanionError):
    """Nobody (or only a guest) is signed in where an account is needed."""

    status = 401
    title = "Sign in first"


class Forbidden(CompanionError):
    """The signed-in person may not do this."""

    status = 403
    title = "Not allowed"


class Conflict(CompanionError):
    """Someone else changed it meanwhile (optimistic locking)."""

    status = 409
    title = "Changed meanwhile"


class Invalid(CompanionError):
    """Well-formed, but breaks a rule (details["fields"] names the fields)."""

    status = 422
    title = "Cannot save"


class Unavailable(CompanionError):
    """The answer is being prepared elsewhere and is not ready yet: try again shortly."""

    status = 503
    title = "Not ready yet"


class BadRequest(CompanionError):
    """The request itself is malformed (a bad date, an over-long query)."""

    status = 400
    title = "Bad request"


def wants_json() -> bool:
    """True for API calls and clients that prefer JSON over HTML."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(
    status: int, title: str, message: str, details: dict[str, Any] | None = None
) -> tuple[Response | str, int]:
    """An error page, or a JSON error document under /api/."""
    if wants_json():
        body = {"status": status, "title": title, "message": message, **(details or {})}
        return jsonify(error=body), status
    if request_ctx.url_adapter is None:
        # The request was refused before routing (an unknown Host): no page can link anywhere.
        return Response(f"{title}: {message}\n", status, mimetype="text/plain"), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    """Register the handlers: domain errors, HTTP errors, CSRF failures, and anything unexpected."""

    @app.errorhandler(CompanionError)
    def _domain(error: CompanionError) -> tuple[Response | str, int]:
        get_session().rollback()
        return error_response(error.status, error.title, error.message, error.details)

    @app.errorhandler(StaleDataError)
    def _stale(error: StaleDataError) -> tuple[Response | str, int]:
        # Another save of the same row won between our read and our write (version counter).
        get_session().rollback()
        return error_response(
            409,
            Conflict.title,
            "Someone else saved this at the same moment. Reload it and try again.",
        )

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[Response | str, int]:
        return error_response(
            400,
            "Form expired",
            "This form's security token is missing or out of date. Go back, reload the page "
            "and try again.",
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[Response | str, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        return error_response(error.code, error.name, error.description or error.name)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(error: RequestEntityTooLarge) -> tuple[Response | str, int]:
        limit = request.max_content_length or 0
        return error_response(
            413,
            "Too large",
            f"This request is larger than this address accepts ({limit // 1024:,} KB at most). "
            "Nothing was saved.",
        )

    @app.errorhandler(DataError)
    def _data(error: DataError) -> tuple[Response | str, int]:
        # A value the database cannot store or compare (a safety net: input is validated first).
        get_session().rollback()
        return error_response(
            400, "Bad request", "The request contains a value that cannot be used."
        )

    @app.errorhandler(InternalServerError)
    def _internal(error: InternalServerError) -> tuple[Response | str, int]:
        get_session().rollback()
        return error_response(
            500, "Something went wrong", "We could not answer this request. Nothing was changed."
        )
