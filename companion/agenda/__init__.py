"""My schedule: stars, clashes, now & next for me.

Its URLs, and the module that answers each (`companion/agenda/<module>.py`):

| URL                                 | endpoint                  | module |
|-------------------------------------|---------------------------|--------|
| GET    /<conf>/my/                  | agenda.my_schedule        | views  |
| POST   /<conf>/my/seen              | agenda.acknowledge        | views  |
| POST   /<conf>/my/swap              | agenda.swap               | views  |
| POST   /<conf>/sessions/<guid>/star | agenda.star_form          | views  |
| POST   /<conf>/my/link              | agenda.create_device_link | views  |
| GET    /api/v1/me                   | agenda.api_me             | views  |
| PUT    /api/v1/me/stars/<guid>      | agenda.api_star           | views  |
| DELETE /api/v1/me/stars/<guid>      | agenda.api_unstar         | views  |
| GET    /api/v1/me/agenda            | agenda.api_agenda         | views  |
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """My schedule and starring; a guest's stars join the account they sign in to."""
    from companion.accounts.operations import add_merge_step
    from companion.agenda.operations import move_stars
    from companion.agenda.views import bp

    app.register_blueprint(bp)
    add_merge_step(app, move_stars)
