"""A semantic diff of two OpenAPI documents: operation by operation, field by field.

Every schema is first brought to one canonical shape (``$ref`` resolved, ``anyOf: [X, null]``,
``type: [x, null]`` and ``nullable: true`` all read as "X, nullable", prose and ``x-*`` left
out, union members keyed by their tag), so a document that only reshapes a schema shows
no change. What is compared, per field: the JSON types, nullability, enum values, ``const``,
the constraints, and whether it is required. Request fields (path, query, body) and answer
fields (the 200 JSON body) follow opposite rules for what breaks a caller: a tighter request
or a looser answer breaks; a new optional argument or a new answer field does not.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

Json = Any
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
SCHEMA_PREFIX = "#/components/schemas/"
CONSTRAINTS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
)
# Which way a constraint tightens: a larger value of a "min", a smaller value of a "max".
_TIGHTER_WHEN_LARGER = {"minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"}
_TIGHTER_WHEN_SMALLER = {"maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"}
MAX_DEPTH = 8


class _Canon:
    """Canonical schemas of one document."""

    def __init__(self, doc: Json) -> None:
        self.schemas = (doc or {}).get("components", {}).get("schemas", {})

    def node(self, schema: Json, stack: tuple[str, ...] = ()) -> dict[str, Any]:
        if not isinstance(schema, dict):
            return {"types": [], "nullable": False}
        if "$ref" in schema:
            name = str(schema["$ref"]).rsplit("/", 1)[-1]
            if name in stack or len(stack) >= MAX_DEPTH or name not in self.schemas:
                return {"types": [], "nullable": False, "ref": name}
            return self.node(self.schemas[name], (*stack, name))
        nullable = schema.get("nullable") is True
        kind = schema.get("type")
        types = set(kind if isinstance(kind, list) else [kind] if isinstance(kind, str) else [])
        if "null" in types:
            types.discard("null")
            nullable = True
        out: dict[str, Any] = {}
        members = [m for key in ("anyOf", "oneOf") for m in schema.get(key, [])]
        if members:
            rest = []
            for member in members:
                if isinstance(member, dict) and member.get("type") == "null" and len(member) == 1:
                    nullable = True
                else:
                    rest.append(self.node(member, stack))
            if len(rest) == 1 and not types:
                inner = rest[0]
                inner["nullable"] = inner.get("nullable", False) or nullable
                return inner
            out["variants"] = {_label(v, i): v for i, v in enumerate(rest)}
        for member in schema.get("allOf", []):
            merged = self.node(member, stack)
            types |= set(merged.get("types", []))
            out.setdefault("properties", {}).update(merged.get("properties", {}))
            out["required"] = sorted({*out.get("required", []), *merged.get("required", [])})
        out["types"] = sorted(types)
        out["nullable"] = nullable
        if "enum" in schema:
            values = [v for v in schema["enum"] if v is not None]
            out["nullable"] = out["nullable"] or None in schema["enum"]
            out["enum"] = sorted(values, key=json.dumps)
        if "const" in schema:
            out["const"] = schema["const"]
        for key in CONSTRAINTS:
            if (key in schema and not isinstance(schema[key], bool | type(None))) or (
                key == "uniqueItems" and key in schema
            ):
                out.setdefault("constraints", {})[key] = schema[key]
        if "properties" in schema:
            out["properties"] = {
                **out.get("properties", {}),
                **{name: self.node(sub, stack) for name, sub in schema["properties"].items()},
            }
            out["required"] = sorted({*out.get("required", []), *schema.get("required", [])})
        if isinstance(schema.get("items"), dict):
            out["items"] = self.node(schema["items"], stack)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            out["values"] = self.node(extra, stack)
        elif extra is False:
            out["closed"] = True
        return out


def _label(node: dict[str, Any], index: int) -> str:
    """A union member's key: its tag (a ``const`` property), else its types, else its position."""
    for name, prop in node.get("properties", {}).items():
        if "const" in prop:
            return f"{name}={prop['const']}"
    if "const" in node:
        return f"={node['const']}"
    if node.get("enum"):
        return "enum"
    return "|".join(node.get("types", [])) or node.get("ref", f"#{index}")


def _leaves(node: dict[str, Any], path: str, required: bool) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every field of a canonical schema, flattened to ``path -> facts``."""
    facts = {key: node[key] for key in ("types", "nullable", "enum", "const", "constraints", "closed") if key in node}
    facts["required"] = required
    yield path, facts
    for name, prop in node.get("properties", {}).items():
        yield from _leaves(prop, f"{path}.{name}", name in node.get("required", []))
    if "items" in node:
        yield from _leaves(node["items"], f"{path}[]", True)
    if "values" in node:
        yield from _leaves(node["values"], f"{path}{{}}", True)
    for label, member in node.get("variants", {}).items():
        yield from _leaves(member, f"{path}<{label}>", True)


def _operations(doc: Json) -> dict[str, tuple[str, Json]]:
    ops: dict[str, tuple[str, Json]] = {}
    for path, item in (doc or {}).get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in item:
                op = item[method]
                ops[op.get("operationId", f"{method} {path}")] = (f"{method.upper()} {path}", op)
    return ops


def operation_fields(doc: Json, op: Json, path_item: Json | None = None) -> dict[str, dict[str, Any]]:
    """``where.name -> facts`` of one operation's arguments (``path.``, ``query.``, ``body.``)."""
    canon = _Canon(doc)
    fields: dict[str, dict[str, Any]] = {}
    for param in [*(path_item or {}).get("parameters", []), *op.get("parameters", [])]:
        if "$ref" in param:
            param = _component(doc, param["$ref"])
        if not isinstance(param, dict) or param.get("in") not in ("path", "query"):
            continue
        node = canon.node(param.get("schema", {}))
        fields.update(
            _leaves(node, f"{param['in']}.{param['name']}", param.get("in") == "path" or bool(param.get("required")))
        )
    body = op.get("requestBody", {})
    if "$ref" in body:
        body = _component(doc, body["$ref"])
    schema = body.get("content", {}).get("application/json", {}).get("schema")
    if schema is not None:
        node = canon.node(schema)
        for name, prop in node.get("properties", {}).items():
            fields.update(_leaves(prop, f"body.{name}", name in node.get("required", [])))
    return fields


def answer_fields(doc: Json, op: Json) -> tuple[str, dict[str, dict[str, Any]]]:
    """The 200 JSON answer: its schema's name, and ``field -> facts``."""
    response = op.get("responses", {}).get("200", {})
    if "$ref" in response:
        response = _component(doc, response["$ref"])
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    name = str(schema.get("$ref", "")).rsplit("/", 1)[-1] or "answer"
    node = _Canon(doc).node(schema)
    return name, {path: facts for path, facts in _leaves(node, name, True) if path != name}


def _component(doc: Json, ref: str) -> Json:
    node = doc
    for part in ref.lstrip("#/").split("/"):
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return node


def _compare(where: str, old: dict[str, Any], new: dict[str, Any], *, request: bool) -> Iterator[tuple[bool, str]]:
    if old.get("types") != new.get("types"):
        yield (
            True,
            f"{where}: type {'|'.join(old.get('types', [])) or 'any'} -> {'|'.join(new.get('types', [])) or 'any'}",
        )
    if old.get("nullable") != new.get("nullable"):
        now = "nullable" if new.get("nullable") else "not nullable"
        # An argument that may no longer be null breaks its callers; an answer that may now be null breaks readers.
        yield (not new.get("nullable")) if request else bool(new.get("nullable")), f"{where}: now {now}"
    if old.get("required") != new.get("required"):
        now = "required" if new.get("required") else "optional"
        yield bool(new.get("required")) if request else not new.get("required"), f"{where}: now {now}"
    old_enum, new_enum = old.get("enum"), new.get("enum")
    if old_enum != new_enum:
        added = [v for v in new_enum or [] if v not in (old_enum or [])]
        removed = [v for v in old_enum or [] if v not in (new_enum or [])]
        if old_enum is None or new_enum is None:
            yield request and new_enum is not None, f"{where}: enum {old_enum} -> {new_enum}"
        else:
            parts = [f"+ {v}" for v in added] + [f"- {v}" for v in removed]
            yield (bool(removed) if request else False), f"{where}: enum {', '.join(parts)}"
    if old.get("const") != new.get("const"):
        yield True, f"{where}: const {old.get('const')!r} -> {new.get('const')!r}"
    before, after = old.get("constraints", {}), new.get("constraints", {})
    for key in sorted(before.keys() | after.keys()):
        a, b = before.get(key), after.get(key)
        if a == b:
            continue
        yield (request and _tighter(key, a, b)), f"{where}: {key} {a} -> {b}"
    if old.get("closed") != new.get("closed"):
        yield bool(request and new.get("closed")), f"{where}: {'no' if new.get('closed') else 'any'} other keys"


def _tighter(key: str, old: Any, new: Any) -> bool:
    if new is None:
        return False
    if old is None:
        return True
    if key in _TIGHTER_WHEN_LARGER:
        return bool(new > old)
    if key in _TIGHTER_WHEN_SMALLER:
        return bool(new < old)
    return True  # pattern, format, multipleOf, uniqueItems: any change may refuse what was accepted


def _fields_diff(
    label: str, old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]], *, request: bool
) -> Iterator[tuple[bool, str]]:
    gone = old.keys() - new.keys()
    fresh = new.keys() - old.keys()
    for path in sorted(gone):
        if not _under(path, gone):
            yield True, f"{label} {path}: removed"
    for path in sorted(fresh):
        if not _under(path, fresh):
            required = new[path].get("required", False)
            yield (
                (request and required and "." not in path.split(".", 1)[-1]),
                f"{label} {path}: added" + (" (required)" if required else ""),
            )
    for path in sorted(old.keys() & new.keys()):
        yield from _compare(f"{label} {path}", old[path], new[path], request=request)


def _under(path: str, paths: set[str]) -> bool:
    return any(path != p and path.startswith(p) and path[len(p)] in ".[{<" for p in paths)


def diff(old: Json | None, new: Json) -> list[str]:
    """The semantic changes from ``old`` to ``new``, ``BREAKING`` first on those that break callers."""
    lines: list[tuple[bool, str]] = []
    old_ops, new_ops = _operations(old), _operations(new)
    for op_id in sorted(new_ops.keys() - old_ops.keys()):
        lines.append((False, f"{op_id}: new operation ({new_ops[op_id][0]})"))
    for op_id in sorted(old_ops.keys() - new_ops.keys()):
        lines.append((True, f"{op_id}: operation removed ({old_ops[op_id][0]})"))
    answers_old: dict[str, dict[str, dict[str, Any]]] = {}
    answers_new: dict[str, dict[str, dict[str, Any]]] = {}
    for op_id in sorted(old_ops.keys() & new_ops.keys()):
        (where_old, op_old), (where_new, op_new) = old_ops[op_id], new_ops[op_id]
        if where_old != where_new:
            lines.append((True, f"{op_id}: moved from {where_old} to {where_new}"))
        lines.extend(
            _fields_diff(
                op_id,
                operation_fields(old, op_old, _item(old, where_old)),
                operation_fields(new, op_new, _item(new, where_new)),
                request=True,
            )
        )
        for doc, op, answers in ((old, op_old, answers_old), (new, op_new, answers_new)):
            name, fields = answer_fields(doc, op)
            answers.setdefault(name, {}).update(fields)
    for name in sorted(answers_old.keys() | answers_new.keys()):
        lines.extend(_fields_diff("answer", answers_old.get(name, {}), answers_new.get(name, {}), request=False))
    return [("BREAKING " if breaking else "         ") + text for breaking, text in dict.fromkeys(lines)]


def _item(doc: Json, where: str) -> Json:
    return (doc or {}).get("paths", {}).get(where.split(" ", 1)[1], {})
