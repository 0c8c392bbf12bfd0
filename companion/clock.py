"""What time it is for the programme ("now & next"); a fixed instant can be configured for demos."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app


def now() -> datetime:
    """The current instant (UTC, aware), or the configured FIXED_NOW."""
    fixed = current_app.config.get("FIXED_NOW")
    if fixed:
        value = datetime.fromisoformat(fixed)
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    return datetime.now(UTC)
