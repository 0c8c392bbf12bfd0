"""The organiser's pages use the editing tests' small conference."""

from tests.hosting.conftest import setting  # noqa: F401 - a fixture, shared
