"""Track hosts and organisers edit the programme: permissions, validation, audit log.

Its URLs, and the module that answers each (`companion/hosting/<module>.py`):

| URL                                          | endpoint                   | module  |
|----------------------------------------------|----------------------------|---------|
| GET      /api/v1/sessions/<guid>             | hosting_api.get_session    | api     |
| PATCH    /api/v1/sessions/<guid>             | hosting_api.patch_session  | api     |
| DELETE   /api/v1/sessions/<guid>             | hosting_api.delete_session | api     |
| GET      /<conf>/changes/                    | hosting.changes            | changes |
| GET      /<conf>/changes.atom                | hosting.changes_atom       | changes |
| GET      /<conf>/host/                       | host.my_tracks             | pages   |
| GET      /<conf>/host/interest/              | host.interest              | pages   |
| GET POST /<conf>/host/sessions/new           | host.new_session           | pages   |
| GET POST /<conf>/host/sessions/<guid>/       | host.edit_session          | pages   |
| POST     /<conf>/host/sessions/<guid>/delete | host.delete_session        | pages   |
| GET POST /<conf>/host/sessions/<guid>/move   | host.move_session          | pages   |
| GET POST /<conf>/host/tracks/<slug>/         | host.edit_track            | pages   |
| GET POST /<conf>/host/speakers/<slug>/       | host.edit_speaker          | pages   |
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The host's pages, the editing API, the public changelog and its Atom feed, and the
    change marks that public pages show (from the audit log)."""
    from companion.hosting import api, changes, marks, pages
    from companion.programme import marks as programme_marks

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(changes.bp)
    programme_marks.register(app, marks.recent_marks)
