"""The editing tests' small conference (organiser, two hosts, an attendee), for speakers' photos."""

from tests.hosting.conftest import setting

__all__ = ["setting"]
