"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

import companion
from companion import models


def test_migrations_match_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": models.modelled}
        )
        assert compare_metadata(context, models.metadata) == []
    engine.dispose()


def test_every_features_models_are_imported_for_alembic() -> None:
    package = Path(companion.__file__).parent
    features = sorted(path.parent.name for path in package.glob("*/models.py"))
    assert sorted(models.FEATURES) == features
    assert all(
        module.__name__ == f"companion.{name}.models" for name, module in models.FEATURES.items()
    )
