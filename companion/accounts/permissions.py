"""Who may do what, checked in one way: `require` in every write operation (where the
authorisation matrix test sees it), and `conference_for` in the views of private pages, which
loads the conference (404) and checks the role before anything is shown.

Refusals are typed errors from `companion.errors`: Unauthorised (401) when nobody is signed in,
Forbidden (403) for anyone without the role, guests included (the editing API refuses guests
with 401 before it gets here). Pages that need an account are also behind
`login_required`, which sends people to sign in first.
"""

from __future__ import annotations

from enum import StrEnum

from flask_login import current_user

from companion.accounts.models import User
from companion.accounts.queries import Powers, powers
from companion.errors import Forbidden, Unauthorised
from companion.programme.models import Conference
from companion.programme.queries import get_conference_or_404


class Need(StrEnum):
    """What a page or an operation needs in a conference."""

    #: Everything in the conference.
    ORGANISER = "organiser"
    #: An organiser, or a host of some track (operations narrow it with `track_ids`).
    EDITOR = "editor"


REFUSALS = {
    Need.ORGANISER: "Only organisers of this conference can do this.",
    Need.EDITOR: "Only organisers and track hosts of this conference can edit it.",
}


def require(
    actor: User | None,
    conference_id: int,
    need: Need,
    *,
    track_ids: set[int | None] | None = None,
    any_of: set[int] | None = None,
    refusal: str = "You can edit only the sessions of the tracks you host.",
) -> Powers:
    """`actor`'s powers in the conference, if they meet `need`; else Unauthorised/Forbidden. For
    a host, every one of `track_ids` (the tracks a write touches) must be a track they host — so
    never "no track", which only organisers may use — and at least one of `any_of` (a speaker's
    tracks, say) must be."""
    if actor is None or not actor.is_authenticated:
        raise Unauthorised("Sign in with an organiser's or track host's account.")
    mine = powers(actor.id, conference_id)  # a guest has no roles: Forbidden below
    if mine.organiser:
        return mine
    if need is Need.ORGANISER or not mine.hosted_track_ids:
        raise Forbidden(REFUSALS[need])
    if track_ids is not None and not track_ids <= mine.hosted_track_ids:
        raise Forbidden(refusal)
    if any_of is not None and not any_of & mine.hosted_track_ids:
        raise Forbidden(refusal)
    return mine


def conference_for(slug: str, need: Need) -> tuple[Conference, User, Powers]:
    """The conference `slug` (404), the signed-in person and their powers there, who must meet
    `need` (401/403): the first line of every private page's view."""
    conference = get_conference_or_404(slug)
    me: User | None = current_user if current_user.is_authenticated else None
    mine = require(me, conference.id, need)
    assert me is not None
    return conference, me, mine
