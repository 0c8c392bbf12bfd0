"""The form-page helper: run a save, or roll everything back and say why in the shape the form
templates show (messages by field, warnings to confirm, a stale version). Committing is the
request's one commit point (`app.Companion.dispatch_request`), not this module's."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from companion.db import session
from companion.errors import Conflict, Invalid


@dataclass
class Outcome:
    """Why a save did not happen, for the form to show."""

    status: int
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    stale: bool = False


def attempt(save: Callable[[], object]) -> Outcome | None:
    """Run one save (None: it went through, and the request commits it); on a broken rule (422)
    or a stale version (409) roll everything back, so nothing is half-written, and say why."""
    try:
        save()
        session.flush()  # a stale version shows here, for the form, not at the commit
    except Invalid as error:
        session.rollback()
        fields = dict(error.details.get("fields", {}))
        if not fields and not error.details.get("warnings"):
            fields["form"] = error.message
        return Outcome(422, fields, list(error.details.get("warnings", [])))
    except (Conflict, StaleDataError) as error:
        session.rollback()
        message = (
            error.message
            if isinstance(error, Conflict)
            else "Someone else saved this at the same moment. Reload it and try again."
        )
        return Outcome(409, {"form": message}, stale=True)
    return None


def fingerprint(values: Mapping[str, Any]) -> str:
    """A short hash of what a form started from. Forms of things without a version column carry
    it, so that a save made meanwhile by someone else answers 409 instead of being overwritten."""
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
