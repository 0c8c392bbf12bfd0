"""Speakers' photos: uploaded by an organiser or the speaker's track host, checked and made
once into two sizes in WebP and JPEG (Pillow), served with their hash in the URL, kept offline
with the programme. Without a photo a speaker keeps a letter avatar; the demo invents none.
A schedule import may fetch one from the file's `avatar`, from PHOTO_IMPORT_HOSTS only
(`fetch.py`; the import's side is companion/exchange/photos.py).

Its URLs, and the module that answers each (`companion/photos/<module>.py`):

| URL                                                  | endpoint             | module |
|------------------------------------------------------|----------------------|--------|
| GET      /<conf>/speakers/<slug>/photo-<digest>-<size>.<ext> | photos.speaker_photo | views |
| GET POST /<conf>/host/speakers/<slug>/photo          | photos.edit_photo    | views  |
| POST     /<conf>/host/speakers/<slug>/photo/delete   | photos.delete_photo  | views  |
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The photo files and the upload page; a photo moves its conference's revision."""
    from companion.photos.models import SpeakerPhoto
    from companion.photos.views import bp
    from companion.programme import revision

    app.register_blueprint(bp)
    revision.watch(SpeakerPhoto)
