"""Flask-Login wiring: cookies carry a random session token, looked up by its hash."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, flash, redirect, request
from flask_login import LoginManager, current_user, login_url, login_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from companion.accounts.models import LoginSession, User, token_hash
from companion.db import session
from companion.errors import Unauthorised, wants_json

#: Guests and "remember me" stay signed in for a year: a schedule must survive a week offline.
REMEMBER_FOR = timedelta(days=365)

login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = "Sign in to see this page."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"  # phones change IP addresses all day


@login_manager.user_loader
def _load_user(token: str) -> User | None:
    user = session.execute(
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token_hash == token_hash(token))
    ).scalar_one_or_none()
    if user is not None:
        user.session_token = token
    return user


@login_manager.unauthorized_handler
def _unauthorised() -> Response:
    # Pages send people to sign in; API calls get a 401 in JSON, like every other API error.
    if wants_json():
        raise Unauthorised("Sign in first.")
    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def sign_in(user: User, *, remember: bool) -> None:
    """Sign `user` in on this device (the user must carry its raw session token)."""
    login_user(user, remember=remember, duration=REMEMBER_FOR)


def me_or_new_guest() -> User:
    """The signed-in user, or a new guest signed in on this device for a year: what the first
    star, vote or push subscription of someone without an account makes."""
    from companion.accounts.operations import create_guest  # operations builds on this module

    if current_user.is_authenticated:
        return current_user
    me = create_guest()
    sign_in(me, remember=True)
    return me


def init_app(app: Flask) -> None:
    """Attach Flask-Login with safe cookie settings."""
    app.config.setdefault("REMEMBER_COOKIE_DURATION", REMEMBER_FOR)
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config.get("SESSION_COOKIE_SECURE", False))
    app.config.setdefault("REMEMBER_COOKIE_NAME", "cc_remember")
    login_manager.init_app(app)
