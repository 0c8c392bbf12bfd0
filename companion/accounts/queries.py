"""Named reads of accounts and roles."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from companion.accounts.models import FeedToken, Role, RoleKind, User
from companion.db import session
from companion.errors import NotFound
from companion.parsing import MAX_INT
from companion.programme.models import Conference, Track
from companion.web import external_url


@dataclass(frozen=True, slots=True)
class Powers:
    """What a user may do in one conference."""

    organiser: bool
    hosted_track_ids: frozenset[int]

    @property
    def any(self) -> bool:
        """True for organisers and hosts."""
        return self.organiser or bool(self.hosted_track_ids)


def powers(user_id: int | None, conference_id: int) -> Powers:
    """The user's roles in a conference (every write and private page checks them)."""
    if user_id is None:
        return Powers(False, frozenset())
    # Only for a confirmed email: whoever registered an address first must not inherit the role
    # an organiser gives its real owner.
    rows = session.execute(
        select(Role.kind, Role.track_id)
        .join(User, User.id == Role.user_id)
        .where(
            Role.user_id == user_id,
            Role.conference_id == conference_id,
            User.email_confirmed_at.is_not(None),
        )
    ).all()
    return Powers(
        organiser=any(kind == RoleKind.ORGANISER for kind, _ in rows),
        hosted_track_ids=frozenset(t for kind, t in rows if kind == RoleKind.HOST and t),
    )


def editing_rights(user_id: int) -> dict[str, dict[str, object]]:
    """What the user may edit, by conference slug: `organiser`, and the slugs of the tracks they
    host. For /api/v1/me, so that cached public pages can show "Edit" to the people who may (the
    server checks again on every write: `powers`)."""
    rows = session.execute(
        select(Conference.slug, Role.kind, Track.slug)
        .join(Role, Role.conference_id == Conference.id)
        .join(User, User.id == Role.user_id)
        .outerjoin(Track, Track.id == Role.track_id)
        .where(Role.user_id == user_id, User.email_confirmed_at.is_not(None))
        .order_by(Conference.slug, Track.slug)
    ).all()
    rights: dict[str, dict[str, object]] = {}
    for conference, kind, track in rows:
        entry = rights.setdefault(conference, {"organiser": False, "tracks": []})
        if kind == RoleKind.ORGANISER:
            entry["organiser"] = True
        elif track is not None:
            entry["tracks"].append(track)  # type: ignore[attr-defined]
    return rights


def get_user_or_404(user_id: int) -> User:
    """One user by id."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such user.")
    return user


def user_by_email(email: str) -> User | None:
    """The account with `email`, if any (CLI)."""
    return session.execute(
        select(User).where(User.email == email.strip().lower())
    ).scalar_one_or_none()


def feed_token_of(user_id: int) -> str | None:
    """The user's calendar feed token, if they turned the feed on (My schedule, settings)."""
    return session.execute(
        select(FeedToken.token).where(FeedToken.user_id == user_id)
    ).scalar_one_or_none()


def feed_url(user_id: int) -> str | None:
    """The user's private calendar feed URL, if the feed is on."""
    token = feed_token_of(user_id)
    return external_url("ical.private_feed", token=token) if token else None


def roles_in(conference_id: int) -> list[tuple[Role, User]]:
    """Every role in a conference with its user, organisers first (the organiser's pages)."""
    return [
        (role, user)
        for role, user in session.execute(
            select(Role, User)
            .join(User, Role.user_id == User.id)
            .where(Role.conference_id == conference_id)
            .order_by(Role.kind.desc(), User.email)
        ).all()
    ]


def get_role_or_404(conference_id: int, role_id: int) -> Role:
    """One role of a conference."""
    if not 0 < role_id <= MAX_INT:  # beyond what the column holds: no such role
        raise NotFound("There is no such role in this conference.")
    role = session.execute(
        select(Role).where(Role.id == role_id, Role.conference_id == conference_id)
    ).scalar_one_or_none()
    if role is None:
        raise NotFound("There is no such role in this conference.")
    return role
