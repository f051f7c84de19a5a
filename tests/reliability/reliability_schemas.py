"""Hypothesis strategies for values valid against the spec's JSON schemas (the subset the spec uses).

hypothesis-jsonschema is not installed and schemathesis' generator is internal, so this is a small
generator over what ``openapi/threads-runs.yaml`` uses: ``$ref``, ``const``, ``enum``, ``anyOf``/``oneOf``,
``type`` (one or a list), ``properties``/``required``/``additionalProperties``/``maxProperties``/
``propertyNames``, ``items`` with ``minItems``/``maxItems``, ``minimum``/``maximum``, ``maxLength`` and
``format: uri``. Anything else fails loudly, so a
spec change that needs more support is noticed. Objects that allow extra keys get some (prefixed ``x_``),
to exercise the models' ``additional_properties``.

``schema_for_model`` maps each generated model class to its schema: a component schema of the same name,
or the inline schema the generator named after its parent (``RunObject`` + ``required_action`` ->
``RunObjectRequiredAction``; array items as ``...Item`` or the singular).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from hypothesis import strategies as st

Json = Any
_HANDLED = {
    "$ref",
    "const",
    "enum",
    "anyOf",
    "oneOf",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "maxProperties",
    "propertyNames",
    "maxLength",
    "items",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "format",
    "discriminator",
    "description",
    "title",
    "examples",
    "example",
    "default",
    "x-default",
    "deprecated",
}

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**31), 2**31), st.floats(allow_nan=False, allow_infinity=False)
)
ANY_JSON: st.SearchStrategy[Json] = st.recursive(
    SCALARS | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)
TEXT = st.text(max_size=10)
EXTRA_KEY = st.text(alphabet="abcdefghij_", min_size=1, max_size=6).map(lambda s: "x_" + s)


class SchemaStrategies:
    """Strategies for the component schemas of one spec (``$ref`` resolved lazily, so cycles are fine)."""

    def __init__(self, components: Mapping[str, Json]) -> None:
        self.components = components
        self._refs: dict[str, st.SearchStrategy[Json]] = {}

    def component(self, name: str) -> st.SearchStrategy[Json]:
        if name not in self._refs:
            self._refs[name] = st.deferred(lambda: self.build(self.components[name]))
        return self._refs[name]

    def build(self, schema: Json) -> st.SearchStrategy[Json]:
        if schema is True or schema == {}:
            return ANY_JSON
        unknown = set(schema) - _HANDLED
        if unknown:
            raise NotImplementedError(f"schema keywords not supported by this generator: {sorted(unknown)}")
        if "$ref" in schema:
            return self.component(schema["$ref"].rsplit("/", 1)[-1])
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return st.one_of([self.build(branch) for branch in schema[key]])
        kind = schema.get("type")
        if isinstance(kind, list):
            return st.one_of([self.build({**schema, "type": one}) for one in kind])
        if kind is None and "properties" in schema:
            kind = "object"
        if kind == "null":
            return st.none()
        if kind == "boolean":
            return st.booleans()
        if kind == "integer":
            return st.integers(schema.get("minimum", -(2**31)), schema.get("maximum", 2**31))
        if kind == "number":
            return st.floats(
                schema.get("minimum"), schema.get("maximum"), allow_nan=False, allow_infinity=False
            ) | st.integers(int(schema.get("minimum", -1000)), int(schema.get("maximum", 1000)))
        if kind == "string":
            if schema.get("format") == "uri":
                return st.sampled_from(["https://example.com/a.png", "https://files.example/x?y=1"])
            return st.text(max_size=min(10, schema.get("maxLength", 10)))
        if kind == "array":
            low = schema.get("minItems", 0)
            return st.lists(self.build(schema.get("items", True)), min_size=low, max_size=max(low, 3))
        if kind == "object":
            return self._object(schema)
        if kind is None:
            return ANY_JSON
        raise NotImplementedError(f"type {kind!r}")

    def _object(self, schema: Json) -> st.SearchStrategy[Json]:
        properties: Mapping[str, Json] = schema.get("properties", {})
        required = set(schema.get("required", ()))
        fixed = st.fixed_dictionaries(
            {name: self.build(sub) for name, sub in properties.items() if name in required},
            optional={name: self.build(sub) for name, sub in properties.items() if name not in required},
        )
        extra_schema = schema.get("additionalProperties", True)
        if extra_schema is False:
            return fixed
        values = ANY_JSON if extra_schema is True else self.build(extra_schema)
        keys = EXTRA_KEY if properties else TEXT.filter(lambda key: key not in properties)
        longest = schema.get("propertyNames", {}).get("maxLength")
        if longest is not None:
            keys = keys.filter(lambda key: len(key) <= longest)
        most = min(2 if properties else 4, schema.get("maxProperties", 4))
        extras = st.dictionaries(keys, values, max_size=most)
        return st.tuples(fixed, extras).map(lambda pair: {**pair[1], **pair[0]})


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _inline(prefix: str, schema: Json, components: Mapping[str, Json]) -> Iterator[tuple[str, Json]]:
    """(generated class name, schema) for the inline object schemas under ``schema``."""
    if not isinstance(schema, dict) or "$ref" in schema:
        return
    for branch in [*schema.get("anyOf", ()), *schema.get("oneOf", ())]:
        yield from _inline(prefix, branch, components)
    for name, sub in schema.get("properties", {}).items():
        yield from _named(prefix + _camel(name), sub, components, plural=name)


def _has_type(schema: Json, kind: str) -> bool:
    declared = schema.get("type")
    return declared == kind or (isinstance(declared, list) and kind in declared)


def _narrow(schema: Json, kind: str) -> Json:
    """``schema`` with a nullable ``type: [kind, "null"]`` narrowed to ``kind`` (a model is never null)."""
    return {**schema, "type": kind} if isinstance(schema.get("type"), list) else schema


def _named(name: str, schema: Json, components: Mapping[str, Json], *, plural: str) -> Iterator[tuple[str, Json]]:
    if not isinstance(schema, dict) or "$ref" in schema:
        return
    for branch in [schema, *schema.get("anyOf", ())]:
        if not isinstance(branch, dict) or "$ref" in branch:
            continue
        if _has_type(branch, "object") or ("properties" in branch and "type" not in branch):
            yield name, _narrow(branch, "object")
            yield from _inline(name, branch, components)
        if _has_type(branch, "array") and isinstance(branch.get("items"), dict):
            items = branch["items"]
            for candidate in (name + "Item", name[:-1] if name.endswith("s") else name):
                yield from _named(candidate, items, components, plural=plural)


def model_schemas(components: Mapping[str, Json]) -> dict[str, Json]:
    """Every schema a generated model class could come from, by the class name the generator gives it."""
    found: dict[str, Json] = {}
    for name, schema in components.items():
        found.setdefault(name, _narrow(schema, "object") if _has_type(schema, "object") else schema)
        for inline_name, inline_schema in _inline(name, schema, components):
            found.setdefault(inline_name, inline_schema)
    return found
