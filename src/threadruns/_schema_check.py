"""Checking an argument against its JSON schema before anything is sent.

The schemas are the spec's, generated into ``threadruns_api.resources._operations``; this
module holds no facts of its own, only how each keyword is checked. Each schema is compiled
once into a checker that runs only the checks the schema has (the schemas are constants, so
the compiled form is kept per schema object). A failure raises ``TypeError`` (wrong JSON type)
or ``ValueError`` (wrong value) naming the argument and the path inside it, such as
``tools[0].function.name``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

Checker = Callable[[str, Any, int], None]
MAX_DEPTH = 64

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


def check_schema(name: str, value: object, schema: Any, schemas: Mapping[str, Any]) -> None:
    """``value`` (plain JSON data) satisfies ``schema``; else TypeError/ValueError naming ``name``."""
    _compiled(schema, schemas)(name, value, 0)


def is_type(value: object, kind: str) -> bool:
    """``value`` is of JSON type ``kind`` (a bool is never a number; an int never a float-typed integer)."""
    if isinstance(value, bool) and kind != "boolean":
        return False  # True is an int to Python, never to JSON
    return isinstance(value, _TYPES.get(kind, (object,)))


def _resolve(schema: Any, schemas: Mapping[str, Any]) -> Any:
    for _ in range(MAX_DEPTH):
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
        return [k for k in _TYPES if is_type(schema["const"], k)][:1]
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


# --------------------------------------------------------------------------- compiling

_COMPILED: dict[int, tuple[Any, Checker]] = {}


def _compiled(schema: Any, schemas: Mapping[str, Any]) -> Checker:
    hit = _COMPILED.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit[1]
    compiled: list[Checker] = []

    def pending(name: str, value: Any, depth: int) -> None:  # stands in while a recursive schema compiles
        compiled[0](name, value, depth)

    _COMPILED[id(schema)] = (schema, pending)
    checker = _compile(schema, schemas)
    compiled.append(checker)
    _COMPILED[id(schema)] = (schema, checker)
    return checker


def _compile(schema: Any, schemas: Mapping[str, Any]) -> Checker:
    if not isinstance(schema, dict) or not schema:
        return _accept
    if "$ref" in schema:
        target = schemas[schema["$ref"]]
        return lambda name, value, depth: _compiled(target, schemas)(name, value, depth + 1)
    steps: list[Checker] = [_compiled(member, schemas) for member in schema.get("allOf", ())]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            steps.append(_union(schema, schema[key], schemas))
    kinds = _kinds({k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}, schemas)
    if kinds:
        steps.append(_type_step(kinds))
    if "const" in schema:
        steps.append(_const_step(schema["const"]))
    if "enum" in schema:
        steps.append(_enum_step(schema["enum"], "null" in kinds))
    steps += [step for step in (_number(schema), _string(schema), _array(schema, schemas)) if step is not None]
    obj = _object(schema, schemas)
    if obj is not None:
        steps.append(obj)
    if len(steps) == 1:
        only = steps[0]

        def single(name: str, value: Any, depth: int) -> None:
            if depth > MAX_DEPTH:
                raise ValueError(f"{name} is nested too deeply")
            only(name, value, depth)

        return single

    def run(name: str, value: Any, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise ValueError(f"{name} is nested too deeply")
        for step in steps:
            step(name, value, depth)

    return run


def _accept(name: str, value: Any, depth: int) -> None:
    return None


def _type_step(kinds: list[str]) -> Checker:
    types = tuple(t for k in kinds for t in _TYPES.get(k, (object,)))
    allow_bool = "boolean" in kinds
    expected = _describe_kinds(kinds)

    def check(name: str, value: Any, depth: int) -> None:
        if not isinstance(value, types) or (not allow_bool and isinstance(value, bool)):
            raise TypeError(f"{name} must be {expected}, got {type(value).__name__}")

    return check


def _const_step(const: Any) -> Checker:
    def check(name: str, value: Any, depth: int) -> None:
        if value != const:
            raise ValueError(f"{name} must be {const!r}, got {value!r}")

    return check


def _enum_step(enum: list[Any], nullable: bool) -> Checker:
    listed = ", ".join(map(repr, enum))

    def check(name: str, value: Any, depth: int) -> None:
        if value not in enum and not (value is None and nullable):
            raise ValueError(f"{name} must be one of {listed}; got {value!r}")

    return check


def _union(schema: dict[str, Any], members: list[Any], schemas: Mapping[str, Any]) -> Checker:
    tag = schema.get("discriminator")
    by_tag: dict[Any, Checker] = {}
    if isinstance(tag, str):
        for member in members:
            target = _resolve(member, schemas)
            if isinstance(target, dict) and "const" in target.get("properties", {}).get(tag, {}):
                by_tag[target["properties"][tag]["const"]] = _compiled(member, schemas)
    checkers = [_compiled(member, schemas) for member in members]
    expected = _describe_kinds(_kinds({"anyOf": members}, schemas))

    def check(name: str, value: Any, depth: int) -> None:
        if by_tag and isinstance(value, Mapping):
            tagged = by_tag.get(value.get(tag)) if isinstance(value.get(tag), str) else None
            if tagged is not None:
                tagged(name, value, depth + 1)
                return
        errors: list[Exception] = []
        for member in checkers:
            try:
                member(name, value, depth + 1)
                return
            except (TypeError, ValueError) as exc:
                errors.append(exc)
        # No member takes the value: the complaint of a member of the right type, else the types.
        for error in errors:
            if isinstance(error, ValueError):
                raise error
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__}")

    return check


def _number(schema: dict[str, Any]) -> Checker | None:
    low, high = schema.get("minimum"), schema.get("maximum")
    xlow, xhigh = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    xlow = None if isinstance(xlow, bool) else xlow
    xhigh = None if isinstance(xhigh, bool) else xhigh
    step = schema.get("multipleOf")
    numeric = "number" in str(schema.get("type")) or "integer" in str(schema.get("type"))
    if not numeric and low is None and high is None and xlow is None and xhigh is None and not step:
        return None
    if low is not None and high is not None:
        out_of_range = f"must be between {_bound(low)} and {_bound(high)}"
    elif low is not None:
        out_of_range = f"must be at least {_bound(low)}"
    else:
        out_of_range = f"must be at most {_bound(high)}"

    def check(name: str, value: Any, depth: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"{name} {out_of_range}, got {value}")
        if xlow is not None and value <= xlow:
            raise ValueError(f"{name} must be greater than {_bound(xlow)}, got {value}")
        if xhigh is not None and value >= xhigh:
            raise ValueError(f"{name} must be less than {_bound(xhigh)}, got {value}")
        if step and (value / step) % 1:
            raise ValueError(f"{name} must be a multiple of {_bound(step)}, got {value}")

    return check


def _string(schema: dict[str, Any]) -> Checker | None:
    low, high, pattern = schema.get("minLength"), schema.get("maxLength"), schema.get("pattern")
    if low is None and high is None and pattern is None:
        return None
    compiled = re.compile(pattern) if isinstance(pattern, str) else None

    def check(name: str, value: Any, depth: int) -> None:
        if not isinstance(value, str):
            return
        if low is not None and len(value) < low:
            raise ValueError(f"{name} must be at least {low} characters long, got {len(value)}")
        if high is not None and len(value) > high:
            raise ValueError(f"{name} must be at most {high} characters long, got {len(value)}")
        if compiled is not None and not compiled.search(value):
            raise ValueError(f"{name} must match the pattern {pattern!r}, got {value!r}")

    return check


def _array(schema: dict[str, Any], schemas: Mapping[str, Any]) -> Checker | None:
    low, high, items = schema.get("minItems"), schema.get("maxItems"), schema.get("items")
    if low is None and high is None and items is None:
        return None
    item_check = _compiled(items, schemas) if items is not None else None

    def check(name: str, value: Any, depth: int) -> None:
        if not isinstance(value, list | tuple):
            return
        if low is not None and len(value) < low:
            raise ValueError(f"{name} must hold at least {low} item{'s' * (low != 1)}, got {len(value)}")
        if high is not None and len(value) > high:
            raise ValueError(f"{name} may hold at most {high} items, got {len(value)}")
        if item_check is not None:
            for index, item in enumerate(value):
                item_check(f"{name}[{index}]", item, depth + 1)

    return check


def _object(schema: dict[str, Any], schemas: Mapping[str, Any]) -> Checker | None:
    keys = ("properties", "required", "additionalProperties", "propertyNames", "minProperties", "maxProperties")
    if not any(key in schema for key in keys) and "object" not in str(schema.get("type")):
        return None
    low, high = schema.get("minProperties"), schema.get("maxProperties")
    required = list(schema.get("required", ()))
    properties = {key: _compiled(sub, schemas) for key, sub in schema.get("properties", {}).items()}
    known = ", ".join(properties)
    extra = schema.get("additionalProperties", True)
    extra_check = _compiled(extra, schemas) if isinstance(extra, dict) else None
    names = schema.get("propertyNames")
    names_check = _compiled(names, schemas) if names is not None else None

    def check(name: str, value: Any, depth: int) -> None:
        if not isinstance(value, Mapping):
            return
        for key in value:
            if not isinstance(key, str):
                raise TypeError(f"{name} keys must be str, got {type(key).__name__}")
        if low is not None and len(value) < low:
            raise ValueError(f"{name} must have at least {low} keys, got {len(value)}")
        if high is not None and len(value) > high:
            raise ValueError(f"{name} may have at most {high} keys, got {len(value)}")
        missing = [key for key in required if key not in value]
        if missing:
            raise ValueError(f"{name} lacks {' and '.join(map(repr, missing))}")
        for key, item in value.items():
            if names_check is not None:
                names_check(f"{name} key {key[:20]!r}", key, depth + 1)
            prop = properties.get(key)
            if prop is not None:
                prop(f"{name}.{key}", item, depth + 1)
            elif extra is False:
                raise ValueError(f"{name} has the unknown key {key!r} (known: {known})")
            elif extra_check is not None:
                extra_check(f"{name}[{key!r}]", item, depth + 1)

    return check
