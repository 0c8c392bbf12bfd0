"""Flask commands: `flask --app app init-db`, `load-demo`, `load-synthetic`."""

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
from companion.db import session
from companion.demo.data import DEMO_SLUG, demo_data, synthetic_data
from companion.programme.models import Conference
from companion.programme.operations import create_conference_from_data, shift_conference

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
    existing = session.execute(
        select(Conference).where(Conference.slug == DEMO_SLUG)
    ).scalar_one_or_none()
    if existing is None:
        conference = create_conference_from_data(data, shift_days=(target - original_start).days)
        action = "Loaded"
    else:
        conference = existing
        shift_conference(conference, days=(target - conference.start_date).days)
        action = "Demo already loaded; dates now"
    session.commit()
    click.echo(f"{action} {conference.name}: {conference.start_date} to {conference.end_date}.")


@click.command("load-synthetic")
@with_appcontext
@click.option("--sessions", default=1000, show_default=True, type=click.IntRange(1, 20000))
@click.option("--slug", default="synthetic-1000", show_default=True)
def load_synthetic(sessions: int, slug: str) -> None:
    """Load a generated conference (benchmarks and scale tests)."""
    if session.execute(select(Conference.id).where(Conference.slug == slug)).first():
        click.echo(f"Conference {slug} already exists.")
        return
    create_conference_from_data(synthetic_data(slug=slug, sessions=sessions))
    session.commit()
    click.echo(f"Loaded {slug} with {sessions} sessions.")


def init_app(app: Flask) -> None:
    """Register the commands."""
    for cmd in (init_db, load_demo, load_synthetic):
        app.cli.add_command(cmd)
