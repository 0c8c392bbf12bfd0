"""The editing tests' small conference (organiser, two hosts, an attendee), for room status."""

from tests.hosting.conftest import setting

__all__ = ["setting"]
