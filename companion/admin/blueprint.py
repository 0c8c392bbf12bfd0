"""The organiser's blueprint and what its views share: the organiser check, the posted form,
one save or delete with its message."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from companion.accounts.models import User
from companion.accounts.permissions import Need, conference_for
from companion.admin.common import fingerprint_of
from companion.programme.models import Conference, Floor, Room, Track
from companion.saving import Outcome, attempt
from companion.web import private

bp = Blueprint("admin", __name__, url_prefix="/<conf>/admin")
bp.after_request(private)

Page = BaseResponse | str | tuple[str, int]


def organiser(conf: str) -> tuple[Conference, User]:
    """The conference and its organiser who is signed in (404, 401, 403 otherwise)."""
    conference, me, _ = conference_for(conf, Need.ORGANISER)
    return conference, me


def starting_point(thing: Conference | Track | Room | Floor, outcome: Outcome | None) -> str:
    """The fingerprint the form carries: of `thing` as it is now when the form opens or after a
    save made meanwhile (saving again then replaces it knowingly), else the one it was sent."""
    if outcome is None or outcome.stale:
        return fingerprint_of(thing)
    return request.form.get("fingerprint", "")


#: Fields that carry several values (a multiple select); every other field is read once.
LIST_FIELDS = frozenset({"hosts"})


def form_values() -> dict[str, Any]:
    """The posted form: lists for LIST_FIELDS, the first value for everything else (a field
    sent twice is not turned into a list that would be stored as its text)."""
    return {
        key: values if key in LIST_FIELDS else values[0] for key, values in request.form.lists()
    }


def post(
    save: Callable[[], object], done: str, to: str, page: Callable[[Outcome], Page], **args: Any
) -> Page:
    outcome = attempt(save)
    if outcome is None:
        flash(done, "success")
        return redirect(url_for(to, **args))
    return page(outcome)


def form_page(
    template: str,
    *,
    opened: Mapping[str, Any],
    save: Callable[[], object],
    done: str,
    to: str,
    context: Callable[[], dict[str, Any]],
    thing: Conference | Track | Room | Floor | None = None,
    **args: Any,
) -> Page:
    """One organiser's form: GET shows it as `opened`; POST saves, then says `done` and goes to
    `to`, or shows the form again with the person's input and why (422, or 409 with a fresh
    fingerprint of `thing`). `context` is what else the template needs, built only to render."""

    def page(outcome: Outcome | None = None) -> tuple[str, int]:
        extra = {"fingerprint": starting_point(thing, outcome)} if thing is not None else {}
        return render_template(
            template,
            form=request.form if outcome else opened,
            errors=outcome.errors if outcome else {},
            **extra,
            **context(),
        ), outcome.status if outcome else 200

    if request.method != "POST":  # GET and HEAD only show the page
        return page()
    return post(save, done, to, page, **args)


def delete(what: str, remove: Callable[[], object], *, failed: str, done: str) -> Page:
    """Run a delete; on refusal go back to the thing's page with the reason, else to the list."""
    outcome = attempt(remove)
    if outcome is not None:
        flash(outcome.errors.get("form", f"{what.capitalize()} was not deleted."), "danger")
        return redirect(failed)
    flash(f"Deleted {what}.", "success")
    return redirect(done)
