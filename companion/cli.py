"""Flask commands: `flask --app app init-db`, `load-demo`, `load-synthetic`, `create-user`,
`grant`, `import-schedule`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from companion import clock
from companion.accounts import operations as accounts
from companion.accounts import queries as accounts_queries
from companion.accounts.models import RoleKind
from companion.db import session
from companion.demo.data import DEMO_SLUG, demo_data, synthetic_data
from companion.errors import BadRequest
from companion.programme.models import Track
from companion.programme.operations import create_conference_from_data, shift_conference
from companion.programme.queries import conference_by_slug
from companion.venue.operations import load_demo_maps

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> AlembicConfig:
    """Alembic's config pointed at our migrations folder and `database_url`."""
    config = AlembicConfig(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_database(database_url: str) -> None:
    """Bring the schema to the newest migration."""
    command.upgrade(alembic_config(database_url), "head")


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    upgrade_database(current_app.config["DATABASE_URL"])
    click.echo("Database schema is up to date.")


@click.command("load-demo")
@with_appcontext
@click.option(
    "--today",
    is_flag=True,
    help="Shift the demo so that its first day is today (now & next come alive).",
)
def load_demo(today: bool) -> None:
    """Load QCon London 2020, or re-shift it when it is already there."""
    data = demo_data()
    original_start = date.fromisoformat(data["conference"]["start_date"])
    zone = ZoneInfo(data["conference"]["timezone"])
    target = clock.now().astimezone(zone).date() if today else original_start
    existing = conference_by_slug(DEMO_SLUG)
    if existing is None:
        conference = create_conference_from_data(data, shift_days=(target - original_start).days)
        action = "Loaded"
    else:
        conference = existing
        shift_conference(conference, days=(target - conference.start_date).days)
        action = "Demo already loaded; dates now"
    load_demo_maps(conference)
    session.commit()
    click.echo(f"{action} {conference.name}: {conference.start_date} to {conference.end_date}.")


@click.command("load-synthetic")
@with_appcontext
@click.option("--sessions", default=1000, show_default=True, type=click.IntRange(1, 20000))
@click.option("--slug", default="synthetic-1000", show_default=True)
def load_synthetic(sessions: int, slug: str) -> None:
    """Load a generated conference (benchmarks and scale tests)."""
    if conference_by_slug(slug) is not None:
        click.echo(f"Conference {slug} already exists.")
        return
    create_conference_from_data(synthetic_data(slug=slug, sessions=sessions))
    session.commit()
    click.echo(f"Loaded {slug} with {sessions} sessions.")


@click.command("create-user")
@click.argument("email")
@click.option("--name", default="", help="The person's name.")
@click.password_option(help="Asked for when not given (never pass it on a shared machine).")
@with_appcontext
def create_user(email: str, name: str, password: str) -> None:
    """Create a registered account (for organisers and track hosts; attendees register
    themselves)."""
    try:
        user = accounts.register(None, email=email, password=password, name=name)
    except BadRequest as error:
        raise click.UsageError(error.message) from None
    user.email_confirmed_at = clock.now()  # the operator vouches for the address
    session.commit()
    click.echo(f"Created {user.email}.")


@click.command("grant")
@click.argument("email")
@click.option("--conference", "slug", required=True, help="Conference slug.")
@click.option("--organiser", is_flag=True, help="Make the user an organiser of the conference.")
@click.option("--track", "track_slug", help="Make the user a host of this track.")
@with_appcontext
def grant_role(email: str, slug: str, organiser: bool, track_slug: str | None) -> None:
    """Give an account a role: organiser of a conference, or host of one of its tracks."""
    if organiser == bool(track_slug):
        raise click.UsageError("Give exactly one of --organiser and --track.")
    user = accounts_queries.user_by_email(email)
    if user is None:
        raise click.UsageError(f"No account {email}: create it with create-user first.")
    conference = conference_by_slug(slug)
    if conference is None:
        raise click.UsageError(f"No conference {slug}.")
    track_id = None
    if track_slug:
        track_id = session.execute(
            select(Track.id).where(Track.conference_id == conference.id, Track.slug == track_slug)
        ).scalar_one_or_none()
        if track_id is None:
            raise click.UsageError(f"No track {track_slug} in {slug}.")
    kind = RoleKind.ORGANISER if organiser else RoleKind.HOST
    accounts.grant(user, conference.id, kind, track_id)
    session.commit()
    click.echo(
        f"{user.email} is now {'an organiser' if organiser else 'a host'} in {slug}"
        f"{f' (track {track_slug})' if track_slug else ''}."
    )


@click.command("import-schedule")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--conference",
    "slug",
    help="Conference slug: updates it when it exists, else creates it under this slug "
    "(default: from the file's acronym).",
)
@click.option(
    "--timezone",
    help="IANA zone of the file's times when it names none and gives no UTC offsets "
    "(default for an existing conference: its zone).",
)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option(
    "--accept-warnings",
    is_flag=True,
    help="Import even when the diff warns (another conference's file, many cancellations, "
    "dates widened by more than a few days).",
)
@with_appcontext
def import_schedule(
    file: Path, slug: str | None, timezone: str | None, dry_run: bool, accept_warnings: bool
) -> None:
    """Import frab schedule XML or schedule.json: prints the diff, then applies it in one
    transaction (sessions matched by guid; those gone from the file are cancelled)."""
    from companion.exchange.apply import apply_import
    from companion.exchange.importer import plan_import, read_schedule
    from companion.exchange.photos import fetch_planned, set_photos
    from companion.programme.operations import InvalidProgramme

    try:
        schedule = read_schedule(file.read_bytes())
        target = slug or _default_slug(schedule.acronym or schedule.title)
        conference = conference_by_slug(target) if target else None
        plan = plan_import(schedule, conference=conference, slug=target, timezone=timezone)
    except InvalidProgramme as error:
        session.rollback()
        raise click.ClickException(f"{file.name}: {error.message} Nothing was imported.") from None
    click.echo(f"{file.name}: {schedule.format}, {len(schedule.events)} sessions.")
    for line in plan.diff.lines():
        click.echo(line)
    if dry_run or plan.diff.empty:
        session.rollback()
        click.echo("Dry run: nothing was written." if dry_run else "Nothing to import.")
        return
    if plan.diff.warnings and not accept_warnings:
        session.rollback()
        raise click.ClickException(
            f"{file.name}: this import needs a confirmation (see the warnings above). Nothing "
            "was imported; run again with --accept-warnings to import it anyway."
        )
    fetched = fetch_planned(plan)  # speakers' photos, before anything is written
    with click.progressbar(length=len(plan.talks), label="Importing", file=None) as bar:
        result = apply_import(plan, actor=f"Import of {file.name}", progress=bar.update)
    outcome = set_photos(fetched, result, user_id=None, actor=f"Import of {file.name}")
    session.commit()
    click.echo(f"Imported into {result.conference.slug}.")
    for note in filter(None, [outcome.summary, *outcome.failures]):
        click.echo(note)


def _default_slug(text: str) -> str:
    from companion.exchange.convert import slugify

    return slugify(text, fallback="")


@click.command("worker")
@click.option("--once", is_flag=True, help="Run one cycle and stop (tests, cron).")
@click.option(
    "--concurrency",
    default=16,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Pushes in flight at once.",
)
@click.option("--batch", default=200, show_default=True, type=click.IntRange(1, 10000))
@with_appcontext
def worker(once: bool, concurrency: int, batch: int) -> None:
    """Send notifications: plan reminders, close change alerts, deliver pushes. Run any number."""
    import signal
    import threading

    from companion.notify.worker import Worker

    runner = Worker(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        concurrency=concurrency,
        batch=batch,
    )
    if once:
        click.echo(f"Handled {runner.run_once()} deliveries.")
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo("Notification worker running (Ctrl-C stops it).")
    runner.run_forever(stop)


def init_app(app: Flask) -> None:
    """Register the commands."""
    for cmd in (
        init_db,
        load_demo,
        load_synthetic,
        create_user,
        grant_role,
        import_schedule,
        worker,
    ):
        app.cli.add_command(cmd)
