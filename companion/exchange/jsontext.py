"""Reading JSON leniently but safely: an object, a list or a text where one belongs, and a
refusal naming the JSON path otherwise (numbers where text belongs are read as text)."""

from __future__ import annotations

from typing import Any

from companion.exchange.model import InvalidSchedule, clean


def object_at(value: Any, where: str) -> dict[str, Any]:
    """`value` when it is an object."""
    if not isinstance(value, dict):
        raise InvalidSchedule(where, f"expected an object, found {kind_of_value(value)}.")
    return value


def list_at(value: Any, where: str, *, required: bool = False) -> list[Any]:
    """`value` when it is a list (nothing counts as empty unless `required`)."""
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise InvalidSchedule(where, f"expected a list, found {kind_of_value(value)}.")
    return value


def text_at(obj: dict[str, Any], key: str, where: str) -> str:
    """`obj[key]` as clean text ("" for nothing, true/false or a missing key)."""
    value = obj.get(key)
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, str | int | float):
        return clean(value)
    raise InvalidSchedule(f"{where}.{key}", f"expected text, found {kind_of_value(value)}.")


def kind_of_value(value: Any) -> str:
    """What `value` is, in words."""
    return {dict: "an object", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), "nothing" if value is None else "a number"
    )
