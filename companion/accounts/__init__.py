"""Users (guest and registered), roles, sign-in, and Flask-Login wiring.

Its URLs, and the module that answers each (`companion/accounts/<module>.py`):

| URL                              | endpoint                 | module |
|----------------------------------|--------------------------|--------|
| GET POST /register               | accounts.register        | views  |
| GET POST /login                  | accounts.login           | views  |
| POST     /logout                 | accounts.logout          | views  |
| GET POST /settings/              | accounts.settings        | views  |
| POST     /settings/calendar-feed | accounts.calendar_feed   | views  |
| GET POST /link/<token>           | accounts.device_link     | views  |
| GET POST /password-reset/        | accounts.forgot_password | views  |
| GET POST /password-reset/<token> | accounts.reset_password  | views  |
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Sign-in (Flask-Login), the account pages, and the list of steps that move a guest's rows
    into an account (`operations.add_merge_step`, filled by the features that keep such rows)."""
    from companion.accounts import login
    from companion.accounts.operations import MERGE_STEPS, RECLAIM_STEPS
    from companion.accounts.views import bp

    login.init_app(app)
    app.extensions[MERGE_STEPS] = []
    app.extensions[RECLAIM_STEPS] = []
    app.register_blueprint(bp)
