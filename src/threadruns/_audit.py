"""Field-by-field audit of an answer's JSON against its schema in the spec (for ``threadruns.conformance``).

Where the client's parse stops at the first value it cannot type, the audit walks the whole body and
lists every difference from the spec: a missing key (and the default the spec gives, if any), a key
the schema does not have, a wrong JSON type, null where the spec does not allow it, a wrong constant,
and a Unix-time integer that is not plausible seconds or that lies before the object's ``created_at``.
What the spec tolerates (an unknown enum value or union tag) is not a finding; a key the schema does
not list is one, but ``allowed`` (OpenAPI objects are open), so it is noted rather than a deviation. The schemas are the
spec's, generated into ``threadruns_api.resources._operations``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from threadruns_api.resources._answers import ANSWER_SCHEMAS as SCHEMAS
from threadruns_api.resources._answers import UNIX_SECONDS

from ._schema_check import is_type

Kind = Literal["missing key", "extra key", "wrong type", "null", "wrong value", "not unix seconds", "out of order"]

# Unix seconds are after 2000-01-01 and at most a year ahead of this machine's clock; a millisecond value
# (about 1.7e12 today) is far outside that.
EARLIEST = 946_684_800
AHEAD = 366 * 86_400
MAX_DEPTH = 64

_JSON_NAMES = ("null", "boolean", "integer", "number", "string", "array", "object")


@dataclass(frozen=True)
class Finding:
    """One difference between an answer and the spec, at a JSON path such as ``RunObject.usage``.

    ``nullable``: the key's schema allows null (both clients then read a missing key as None)."""

    path: str
    kind: Kind
    detail: str
    nullable: bool = False

    def __str__(self) -> str:
        return f"{self.path}: {self.kind}{', ' + self.detail if self.detail else ''}"

    @property
    def allowed(self) -> bool:
        """A key the schema does not list: the spec's objects are open to more keys, so it is noted only."""
        return self.kind == "extra key"

    @property
    def clients_see(self) -> str:
        """What threadruns and openai-python make of it, in one line."""
        name = self.path.split(".", 1)[-1]
        if self.kind == "extra key":
            return f"threadruns keeps it in additional_properties (obj[{name!r}]); openai-python as an attribute"
        if self.kind == "missing key" and self.detail.startswith("spec default"):
            return f"threadruns fills in the {self.detail}; openai-python gives None"
        if self.kind == "missing key" and self.nullable:
            return "both clients give None, as if the server had sent null"
        if self.kind == "missing key":
            return f"threadruns raises APIResponseValidationError naming `{name}`; openai-python gives None"
        if self.kind == "not unix seconds":
            return "both clients pass the number on; datetime.fromtimestamp() of it raises or is off by years"
        if self.kind == "out of order":
            return "both clients pass the numbers on; durations computed from them are negative"
        return f"threadruns raises APIResponseValidationError naming `{name}`; openai-python passes the value on"


def audit(body: Any, model: str, *, now: float | None = None) -> list[Finding]:
    """Every finding for ``body`` as an answer of schema ``model`` (a component name of the spec)."""
    walker = _Walker(time.time() if now is None else now)
    return list(walker.walk({"$ref": model}, body, model, 0))


def _resolved(schema: Any) -> Any:
    depth = 0
    while isinstance(schema, dict) and "$ref" in schema and "default" not in schema and depth < MAX_DEPTH:
        schema, depth = SCHEMAS[schema["$ref"]], depth + 1
    return schema if isinstance(schema, dict) else {}


def _allows_null(schema: Any, depth: int = 0) -> bool:
    """Whether a schema accepts null: by its type, or by a member of its union."""
    schema = _resolved(schema)
    if depth > MAX_DEPTH or not isinstance(schema, dict):
        return False
    if "null" in _kinds(schema):
        return True
    members = [*schema.get("anyOf", ()), *schema.get("oneOf", ())]
    return any(_allows_null(member, depth + 1) for member in members)


def _kinds(schema: Mapping[str, Any]) -> list[str]:
    kind = schema.get("type")
    if kind is None:
        return []
    return list(kind) if isinstance(kind, list) else [kind]


def _type_name(value: Any) -> str:
    return next((name for name in _JSON_NAMES if _is(value, name)), type(value).__name__)


_is = is_type  # the argument checks' test of a JSON type, so that the audit and the client agree


class _Walker:
    def __init__(self, now: float) -> None:
        self.now = now

    def walk(self, schema: Any, value: Any, path: str, depth: int) -> Iterator[Finding]:
        if depth > MAX_DEPTH or not isinstance(schema, dict):
            return
        while "$ref" in schema:
            schema = SCHEMAS[schema["$ref"]]
        for member in schema.get("allOf", ()):
            yield from self.walk(member, value, path, depth + 1)
        members = schema.get("oneOf") or schema.get("anyOf")
        if members:
            yield from self._union(schema, members, value, path, depth)
            return
        kinds = _kinds(schema)
        if value is None:
            if kinds and "null" not in kinds:
                yield Finding(path, "null", f"the spec allows {' or '.join(kinds)}")
            return
        if kinds and not any(_is(value, kind) for kind in kinds):
            yield Finding(path, "wrong type", f"expected {' or '.join(kinds)}, got {_type_name(value)}")
            return
        if "const" in schema and value != schema["const"]:
            yield Finding(path, "wrong value", f"expected {json.dumps(schema['const'])}, got {json.dumps(value)}")
        if schema.get(UNIX_SECONDS) and _is(value, "integer") and not EARLIEST <= value <= self.now + AHEAD:
            unit = "milliseconds?" if value > self.now * 100 else "not a plausible time"
            yield Finding(path, "not unix seconds", f"{value} ({unit})")
        if isinstance(value, list) and "items" in schema:
            for index, item in enumerate(value):
                yield from self.walk(schema["items"], item, f"{path}[{index}]", depth + 1)
        if isinstance(value, dict):
            yield from self._object(schema, value, path, depth)

    def _object(self, schema: Mapping[str, Any], value: dict[str, Any], path: str, depth: int) -> Iterator[Finding]:
        properties: Mapping[str, Any] = schema.get("properties", {})
        for key in schema.get("required", ()):
            if key not in value:
                prop = _resolved(properties.get(key, {}))
                default = prop.get("default", _NO_DEFAULT)
                detail = "" if default is _NO_DEFAULT else f"spec default {json.dumps(default)}"
                yield Finding(f"{path}.{key}", "missing key", detail, nullable=_allows_null(prop))
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in properties:
                yield from self.walk(properties[key], item, f"{path}.{key}", depth + 1)
            elif isinstance(extra, dict):
                yield from self.walk(extra, item, f"{path}[{key!r}]", depth + 1)
            elif extra is None and properties:
                yield Finding(f"{path}.{key}", "extra key", "not in the spec's schema")
        yield from self._order(properties, value, path)

    def _order(self, properties: Mapping[str, Any], value: dict[str, Any], path: str) -> Iterator[Finding]:
        """Every Unix time of an object is at or after its ``created_at`` (both plausible seconds)."""
        created: Any = value.get("created_at")
        if not (properties.get("created_at", {}).get(UNIX_SECONDS) and self._plausible(created)):
            return
        for key, schema in properties.items():
            later: Any = value.get(key)
            if key != "created_at" and schema.get(UNIX_SECONDS) and self._plausible(later) and later < created:
                yield Finding(f"{path}.{key}", "out of order", f"{later} is before created_at {created}")

    def _plausible(self, value: Any) -> bool:
        return _is(value, "integer") and EARLIEST <= value <= self.now + AHEAD

    def _union(
        self, schema: Mapping[str, Any], members: list[Any], value: Any, path: str, depth: int
    ) -> Iterator[Finding]:
        tag = schema.get("discriminator")
        if tag and isinstance(value, dict) and isinstance(value.get(tag), str):
            for member in members:
                if _resolved(member).get("properties", {}).get(tag, {}).get("const") == value[tag]:
                    yield from self.walk(member, value, path, depth + 1)
                    return
            return  # an unknown tag: the spec's union is open to new members
        best: list[Finding] | None = None
        for member in members:
            found = list(self.walk(member, value, path, depth + 1))
            if not found:
                return
            if best is None or len(found) < len(best):
                best = found
        yield from best or ()


_NO_DEFAULT = object()

__all__ = ["Finding", "audit"]
