"""Saved state: plain JSON objects that carry a version, checked field by field when read back.

Every versioned state of the engine is written as ``{"version": N, ...fields}`` by
``write_state`` and read back through ``read_state``, which refuses, with a ``ValueError`` that
names the state and the field, anything but a JSON object of that version holding each field
with a value of its declared type. What a field holds inside (list items, nested states) is left
to the reader of that field.
"""

from collections.abc import Mapping
from typing import Any

type JsonObject = dict[str, Any]
# The JSON types a field may hold: ``float`` (a number: ints count, bools do not), ``int`` (an
# integral number), ``bool``, ``str``, ``list``, ``dict``; a tuple of them, ``None`` for null.
type FieldType = type | tuple[type | None, ...]


def write_state(version: int, **fields: Any) -> JsonObject:
    """``{"version": version, **fields}``, in that order."""
    return {"version": version, **fields}


def read_state(
    data: object,
    what: str,
    version: int,
    fields: Mapping[str, FieldType],
    optional: Mapping[str, FieldType] | None = None,
) -> JsonObject:
    """``data`` once it is a ``what`` state of ``version`` with ``fields`` of their types.

    ``optional`` fields may be absent (states written before they existed, same version);
    the result then holds None for them. Other keys are kept and not checked.
    """
    found = data.get("version") if isinstance(data, dict) else None
    if not isinstance(data, dict) or found != version or isinstance(found, bool):
        raise ValueError(f"unsupported {what} version {found} (expected {version})")
    out: JsonObject = dict(data)
    for name, expected in fields.items():
        if name not in data:
            raise ValueError(f"{what} lacks the field {name!r}")
        _check(what, name, data[name], expected)
    for name, expected in (optional or {}).items():
        if data.get(name) is None:
            out[name] = None
        else:
            _check(what, name, data[name], expected)
    return out


def _check(what: str, name: str, value: object, expected: FieldType) -> None:
    allowed = expected if isinstance(expected, tuple) else (expected,)
    if not any(_is(value, t) for t in allowed):
        wanted = " or ".join(_JSON_NAMES.get(t, str(t)) for t in allowed)
        found = _JSON_NAMES.get(type(value) if value is not None else None, type(value).__name__)
        raise ValueError(f"{what} field {name!r} must be {wanted}, not {found} {value!r:.40}")


def _is(value: object, expected: type | None) -> bool:
    if expected is None:
        return value is None
    if isinstance(value, bool):
        return expected is bool
    if expected is float:
        return isinstance(value, int | float)
    if expected is int:  # JSON has one number type: an integral float reads as an int
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    return isinstance(value, expected)


_JSON_NAMES: dict[type | None, str] = {
    dict: "an object",
    list: "an array",
    str: "a string",
    float: "a number",
    int: "an integer",
    bool: "a boolean",
    None: "null",
}
