"""The editing tests' small conference (organiser, two hosts, an attendee), for live questions."""

from tests.hosting.conftest import setting

__all__ = ["setting"]
