"""Alembic environment: our models' metadata, the app's database URL, batch mode on SQLite."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from companion.models import metadata, modelled  # every feature's tables

config = context.config
url: str = (
    context.get_x_argument(as_dictionary=True).get("url")
    or config.get_main_option("sqlalchemy.url")
    or ""
)
if not url:
    raise SystemExit("No database URL: pass -x url=… or run `flask --app app init-db`.")


def run_migrations_offline() -> None:
    """Emit SQL to stdout."""
    context.configure(
        url=url,
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against a live connection, in one transaction."""
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_name=modelled,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
