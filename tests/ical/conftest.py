"""An independent second parser for every feed: Mozilla's ical.js under Node."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI

JS = Path(__file__).resolve().parents[1] / "js"


@pytest.fixture(scope="session")
def icaljs(tmp_path_factory: pytest.TempPathFactory) -> Callable[[bytes], dict[str, Any]]:
    """Parse iCalendar bytes with ical.js; returns what tests/js/parse_ics.mjs prints."""
    node = shutil.which("node")
    if node is None or not (JS / "node_modules" / "ical.js").exists():
        reason = (
            "ICAL.JS TESTS SKIPPED: Node.js or tests/js/node_modules is missing; `make test` "
            "installs ical.js with npm."
        )
        if IN_CI:
            pytest.fail(reason + " In CI this is an error.", pytrace=False)
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("ics")

    def parse(data: bytes) -> dict[str, Any]:
        path = folder / "feed.ics"
        path.write_bytes(data)
        done = subprocess.run(
            [node, str(JS / "parse_ics.mjs"), str(path)],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout))

    return parse
