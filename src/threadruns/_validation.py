"""Argument checks run before any request is sent.

Each check raises ``TypeError`` (wrong type) or ``ValueError`` (wrong value)
naming the argument, so a mistake never costs a round trip, and no caller
input can change the path or query of a request. ``check_schema`` holds no
facts of its own: the bounds, enums and shapes it checks are the JSON schemas
of the spec, generated into ``threadruns_api.resources._operations``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from ._types import NotGiven

_FORBIDDEN_IN_IDS = ("/", "?", "#", "..")


def check_id(name: str, value: object) -> str:
    """An object ID used in a URL path: a non-empty str that cannot alter the path or query."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    # Every whitespace character but the space is also unprintable, so this covers str.isspace() in C.
    if " " in value or not value.isprintable():
        raise ValueError(f"{name} must not contain whitespace or control characters: {value!r}")
    if not value.strip("."):
        raise ValueError(f"{name} must not be only dots (a dot segment would change the path): {value!r}")
    for bad in _FORBIDDEN_IN_IDS:
        if bad in value:
            raise ValueError(f"{name} must not contain {bad!r}: {value!r}")
    return value


def check_optional_id(name: str, value: object) -> None:
    if not isinstance(value, NotGiven):
        check_id(name, value)


def drop_not_given(values: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments the caller actually passed."""
    return {key: value for key, value in values.items() if not isinstance(value, NotGiven)}


# --------------------------------------------------------------------------- JSON schema checks

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list, tuple),
    "object": (Mapping,),
    "null": (type(None),),
}
_NAMES = {
    "string": "a str",
    "integer": "an int",
    "number": "a number",
    "boolean": "a bool",
    "array": "a list",
    "object": "a dict",
    "null": "None",
}


def _is_type(value: object, kind: str) -> bool:
    if isinstance(value, bool) and kind != "boolean":
        return False  # True is an int to Python, never to JSON
    return isinstance(value, _TYPES.get(kind, (object,)))


def _resolve(schema: Any, schemas: Mapping[str, Any]) -> Any:
    for _ in range(64):
        if not isinstance(schema, dict) or "$ref" not in schema:
            return schema
        schema = schemas[schema["$ref"]]
    raise RecursionError("$ref chain too long")


def _kinds(schema: Any, schemas: Mapping[str, Any]) -> list[str]:
    """The JSON types a schema admits, looking through references and unions (for messages)."""
    schema = _resolve(schema, schemas)
    if not isinstance(schema, dict):
        return []
    kind = schema.get("type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [k for k in kind if isinstance(k, str)]
    if "const" in schema:
        return [k for k in _TYPES if _is_type(schema["const"], k)][:1]
    kinds: list[str] = []
    for key in ("anyOf", "oneOf"):
        for member in schema.get(key, []):
            kinds += [k for k in _kinds(member, schemas) if k not in kinds]
    return kinds


def _describe_kinds(kinds: list[str]) -> str:
    names = [_NAMES.get(k, k) for k in kinds if k != "null"] or ["None"]
    return " or ".join(dict.fromkeys(names)) + (" or None" if "null" in kinds and names != ["None"] else "")


def _bound(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def check_schema(name: str, value: object, schema: Any, schemas: Mapping[str, Any], depth: int = 0) -> None:
    """``value`` (plain JSON data) satisfies ``schema``; else TypeError/ValueError naming ``name``."""
    if depth > 64:
        raise ValueError(f"{name} is nested too deeply")
    schema = _resolve(schema, schemas)
    if schema is True or not isinstance(schema, dict):
        return
    for member in schema.get("allOf", ()):
        check_schema(name, value, member, schemas, depth + 1)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            _check_union(name, value, schema, schema[key], schemas, depth)
    kinds = _kinds({k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}, schemas)
    if kinds and not any(_is_type(value, k) for k in kinds):
        raise TypeError(f"{name} must be {_describe_kinds(kinds)}, got {type(value).__name__}")
    if "const" in schema and value != schema["const"]:
        raise ValueError(f"{name} must be {schema['const']!r}, got {value!r}")
    enum = schema.get("enum")
    if enum is not None and value not in enum and not (value is None and "null" in kinds):
        raise ValueError(f"{name} must be one of {', '.join(map(repr, enum))}; got {value!r}")
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float):
        _check_number(name, value, schema)
    elif isinstance(value, str):
        _check_string(name, value, schema)
    elif isinstance(value, list | tuple):
        _check_array(name, value, schema, schemas, depth)
    elif isinstance(value, Mapping):
        _check_object(name, value, schema, schemas, depth)


def _check_union(
    name: str, value: object, schema: dict[str, Any], members: list[Any], schemas: Mapping[str, Any], depth: int
) -> None:
    tag = schema.get("discriminator")
    if isinstance(tag, str) and isinstance(value, Mapping) and tag in value:
        for member in members:
            target = _resolve(member, schemas)
            if isinstance(target, dict) and target.get("properties", {}).get(tag, {}).get("const") == value[tag]:
                check_schema(name, value, member, schemas, depth + 1)
                return
    errors: list[Exception] = []
    for member in members:
        try:
            check_schema(name, value, member, schemas, depth + 1)
            return
        except (TypeError, ValueError) as exc:
            errors.append(exc)
    # No member takes the value: report the member of the right type (its own complaint), else the types.
    for error in errors:
        if isinstance(error, ValueError):
            raise error
    kinds = _kinds({"anyOf": members}, schemas)
    raise TypeError(f"{name} must be {_describe_kinds(kinds)}, got {type(value).__name__}")


def _check_number(name: str, value: float, schema: dict[str, Any]) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    low, high = schema.get("minimum"), schema.get("maximum")
    xlow, xhigh = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            raise ValueError(f"{name} must be between {_bound(low)} and {_bound(high)}, got {value}")
        if low is not None:
            raise ValueError(f"{name} must be at least {_bound(low)}, got {value}")
        raise ValueError(f"{name} must be at most {_bound(high)}, got {value}")
    if xlow is not None and not isinstance(xlow, bool) and value <= xlow:
        raise ValueError(f"{name} must be greater than {_bound(xlow)}, got {value}")
    if xhigh is not None and not isinstance(xhigh, bool) and value >= xhigh:
        raise ValueError(f"{name} must be less than {_bound(xhigh)}, got {value}")
    step = schema.get("multipleOf")
    if step and (value / step) % 1:
        raise ValueError(f"{name} must be a multiple of {_bound(step)}, got {value}")


@lru_cache(maxsize=256)
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _check_string(name: str, value: str, schema: dict[str, Any]) -> None:
    low, high = schema.get("minLength"), schema.get("maxLength")
    if low is not None and len(value) < low:
        raise ValueError(f"{name} must be at least {low} characters long, got {len(value)}")
    if high is not None and len(value) > high:
        raise ValueError(f"{name} must be at most {high} characters long, got {len(value)}")
    pattern = schema.get("pattern")
    if pattern is not None and not _pattern(pattern).search(value):
        raise ValueError(f"{name} must match the pattern {pattern!r}, got {value!r}")


def _check_array(
    name: str, value: list[Any] | tuple[Any, ...], schema: dict[str, Any], schemas: Mapping[str, Any], depth: int
) -> None:
    low, high = schema.get("minItems"), schema.get("maxItems")
    if low is not None and len(value) < low:
        raise ValueError(f"{name} must hold at least {low} item{'s' * (low != 1)}, got {len(value)}")
    if high is not None and len(value) > high:
        raise ValueError(f"{name} may hold at most {high} items, got {len(value)}")
    items = schema.get("items")
    if items is not None:
        for index, item in enumerate(value):
            check_schema(f"{name}[{index}]", item, items, schemas, depth + 1)


def _check_object(
    name: str, value: Mapping[Any, Any], schema: dict[str, Any], schemas: Mapping[str, Any], depth: int
) -> None:
    for key in value:
        if not isinstance(key, str):
            raise TypeError(f"{name} keys must be str, got {type(key).__name__}")
    low, high = schema.get("minProperties"), schema.get("maxProperties")
    if low is not None and len(value) < low:
        raise ValueError(f"{name} must have at least {low} keys, got {len(value)}")
    if high is not None and len(value) > high:
        raise ValueError(f"{name} may have at most {high} keys, got {len(value)}")
    missing = [key for key in schema.get("required", ()) if key not in value]
    if missing:
        raise ValueError(f"{name} lacks {' and '.join(map(repr, missing))}")
    names = schema.get("propertyNames")
    properties: Mapping[str, Any] = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        if names is not None:
            check_schema(f"{name} key {key[:20]!r}", key, names, schemas, depth + 1)
        if key in properties:
            check_schema(f"{name}.{key}", item, properties[key], schemas, depth + 1)
        elif extra is False:
            raise ValueError(f"{name} has the unknown key {key!r} (known: {', '.join(properties)})")
        elif isinstance(extra, dict):
            check_schema(f"{name}[{key!r}]", item, extra, schemas, depth + 1)
