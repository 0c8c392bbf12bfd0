"""The organiser's writes: the conference, tracks (and who hosts them), floors, rooms and roles.
Each checks the role, validates everything before changing anything, writes audit rows in the
same flush and never commits (the view does, once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select

from companion.accounts import operations as accounts
from companion.accounts import passwords
from companion.accounts.models import Role, RoleKind, User
from companion.accounts.permissions import Need, require
from companion.accounts.queries import user_by_email
from companion.admin.common import (
    host_names,
    next_position,
    record,
    unchanged_since_opened,
)
from companion.admin.forms import ConferenceInput, RoleInput, TrackInput
from companion.db import session
from companion.errors import Invalid
from companion.programme.models import Conference, Talk, Track, TrackHost
from companion.programme.operations import unique_slug


def update_conference(conference: Conference, data: ConferenceInput, *, actor: User) -> None:
    """Name, venue, dates, time zone and day change hour. Dates that would leave sessions
    outside the conference are refused (move those sessions first)."""
    require(actor, conference.id, Need.ORGANISER)
    unchanged_since_opened(conference, data.fingerprint)
    after = data.fields()
    before = {name: getattr(conference, name) for name in after}
    trial = Conference(**{**before, **after})
    first, _ = trial.day_bounds(trial.start_date)
    _, last = trial.day_bounds(trial.end_date)
    outside = session.execute(
        select(func.count()).where(
            Talk.conference_id == conference.id, or_(Talk.start < first, Talk.end > last)
        )
    ).scalar_one()
    if outside:
        raise Invalid(
            "Some sessions would fall outside the conference.",
            details={
                "fields": {
                    "start_date": f"{outside} session{'s' if outside != 1 else ''} would fall "
                    "outside these days. Move or delete them first."
                }
            },
        )
    record(conference, actor, "conference", after["name"], before, after)
    for name, value in after.items():
        setattr(conference, name, value)
    session.flush()


def save_track(
    conference: Conference,
    track: Track | None,
    data: TrackInput,
    *,
    actor: User,
) -> Track:
    """Create a track (`track` None) or change one: name, colour and the speakers shown as
    its hosts (who may *edit* it is a role; see add_role)."""
    require(actor, conference.id, Need.ORGANISER)
    if track is not None:
        unchanged_since_opened(track, data.fingerprint)
    name, colour, host_ids = data.name, data.colour, data.host_ids
    if track is None:
        track = Track(
            conference_id=conference.id,
            slug=unique_slug(Track, conference.id, name),
            name=name,
            colour=colour,
            position=next_position(Track, conference.id),
        )
        session.add(track)
        session.flush()
        before: dict[str, Any] = {}
        action = "create"
    else:
        before = {"name": track.name, "colour": track.colour, "hosts": host_names(track.id)}
        action = "update"
        track.name, track.colour = name, colour
    # A bulk DELETE moves the revision too (programme.revision.after_bulk): cached pages list
    # the hosts, even when nothing else about the track changes.
    session.execute(delete(TrackHost).where(TrackHost.track_id == track.id))
    session.add_all(
        TrackHost(track_id=track.id, speaker_id=speaker_id, position=position)
        for position, speaker_id in enumerate(host_ids)
    )
    session.flush()
    after = {"name": name, "colour": colour, "hosts": host_names(track.id)}
    record(conference, actor, "track", name, before, after, action)
    session.flush()
    return track


def delete_track(conference: Conference, track: Track, *, actor: User) -> None:
    """Remove a track that has no sessions (its hosts lose that role)."""
    require(actor, conference.id, Need.ORGANISER)
    count = session.execute(select(func.count()).where(Talk.track_id == track.id)).scalar_one()
    if count:
        raise Invalid(
            f"{track.name} still has {count} session{'s' if count != 1 else ''}: move them "
            "to another track or delete them first."
        )
    record(conference, actor, "track", track.name, {"name": track.name}, {}, "delete")
    for role, email in session.execute(
        select(Role, User.email)
        .join(User, User.id == Role.user_id)
        .where(Role.track_id == track.id)
    ).all():
        # The database would drop these roles with the track; say so in the log.
        record(
            conference, actor, "role", email or "?", {"role": f"host of {track.name}"}, {}, "delete"
        )
        session.delete(role)
    session.delete(track)
    session.flush()


@dataclass(frozen=True, slots=True)
class AddedRole:
    """Who got which role, and the invitation to mail them when they have no password yet."""

    user: User
    #: "organiser" or "host of <track>", as the audit log and the invitation say it.
    role: str
    #: The one-time link's token to mail; None when they have a password or were mailed enough.
    invitation: str | None = None
    #: True when an invitation was due but they were sent mails enough lately.
    throttled: bool = False


def add_role(conference: Conference, data: RoleInput, *, actor: User, now: datetime) -> AddedRole:
    """Make someone an organiser or a track host. With no account yet, one is made without a
    usable password and an invitation link is issued (again, for someone who never used theirs);
    an existing account gets the role and nothing else — never a password change."""
    require(actor, conference.id, Need.ORGANISER)
    email, kind, track = data.email, data.kind, data.track
    user = user_by_email(email)
    if user is None:
        try:
            user = accounts.invite(email, data.name)
        except accounts.FieldError as error:
            raise Invalid(error.message, details={"fields": {"email": error.message}}) from None
    accounts.grant(user, conference.id, kind, track.id if track is not None else None)
    what = f"host of {track.name}" if track is not None else "organiser"
    record(conference, actor, "role", user.email or "", {}, {"role": what}, "create")
    session.flush()
    if user.has_password and user.email_confirmed_at is not None:
        return AddedRole(user, what)
    # No password yet, or an address nobody has confirmed (anyone may register any address): the
    # role works once its owner uses the link mailed to it.
    token = passwords.issue_invitation(user, now=now)
    return AddedRole(user, what, invitation=token, throttled=token is None)


def remove_role(conference: Conference, role: Role, *, actor: User) -> None:
    """Take a role away; the last organiser of a conference stays."""
    require(actor, conference.id, Need.ORGANISER)
    if role.kind == RoleKind.ORGANISER:
        organisers = session.execute(
            select(func.count()).where(
                Role.conference_id == conference.id, Role.kind == RoleKind.ORGANISER.value
            )
        ).scalar_one()
        if organisers <= 1:
            raise Invalid("A conference keeps at least one organiser.")
    user = session.get(User, role.user_id)
    track = session.get(Track, role.track_id) if role.track_id else None
    what = f"host of {track.name}" if track is not None else "organiser"
    record(
        conference,
        actor,
        "role",
        user.email if user and user.email else "?",
        {"role": what},
        {},
        "delete",
    )
    accounts.revoke(role)
