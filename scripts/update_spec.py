"""Trim a full upstream OpenAPI document to the Runs subtree and normalise it.

Usage: ``python scripts/update_spec.py UPSTREAM [--out openapi/threads-runs.yaml]``

The upstream document (OpenAPI 3.0 or 3.1, YAML or JSON) is cut down to the
paths named in ``openapi/trim.yaml`` plus every schema they reach through
``$ref``, then rewritten so that openapi-python-client generates it with zero
warnings and so that the generated client never sends a value the caller did
not give. Upstream prose is dropped; the descriptions of the previous
``openapi/`` document (written by this project) are carried over by location.
Finally a semantic API diff against the previous document is printed (``scripts/spec_diff.py``),
and ``openapi/update-spec.lock.json`` records a digest of the facts written: a later run that finds
the document's facts changed by hand refuses to overwrite them unless told to (``--discard-edits``).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import spec_diff

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "openapi" / "threads-runs.yaml"
DEFAULT_CONFIG = ROOT / "openapi" / "trim.yaml"
# What the last update-spec wrote (a digest of its facts) and read (the upstream's digest and version).
LOCK_NAME = "update-spec.lock.json"

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Keys that carry upstream prose or vendor extensions; never kept.
PROSE_KEYS = {"description", "summary", "title", "example", "examples", "externalDocs"}
SCHEMA_PREFIX = "#/components/schemas/"
# Facts an upstream schema wrote beside a $ref, which the generator cannot honour (reported by main).
DROPPED_BESIDE_REF: list[str] = []

Json = Any


def load_document(path: Path) -> Json:
    """Read a YAML or JSON document (JSON is YAML, so one loader reads both)."""
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


class _Dumper(yaml.SafeDumper):
    """Writes shared objects out in full: no ``&id``/``*id`` aliases in a document people read."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_document(doc: Json) -> str:
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


# --------------------------------------------------------------------------- closure


def iter_refs(node: Json) -> Iterator[str]:
    """Yield every ``$ref`` string inside ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from iter_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from iter_refs(item)


def schema_closure(components: dict[str, Json], roots: Json) -> list[str]:
    """Names of all component schemas reachable from ``roots``, in discovery order."""
    seen: dict[str, None] = {}
    stack = list(iter_refs(roots))
    while stack:
        ref = stack.pop(0)
        if not ref.startswith(SCHEMA_PREFIX):
            raise ValueError(f"unsupported $ref {ref!r}: only {SCHEMA_PREFIX}* is handled")
        name = ref[len(SCHEMA_PREFIX) :]
        if name in seen:
            continue
        if name not in components:
            raise ValueError(f"$ref {ref!r} points at a schema the document does not define")
        seen[name] = None
        stack.extend(iter_refs(components[name]))
    return list(seen)


def selections(config: Json) -> list[tuple[str, frozenset[str] | None]]:
    """The ``paths`` entries of trim.yaml: a path prefix each, and the HTTP methods kept (None: all)."""
    entries = config.get("paths")
    if entries is None:
        return [(config["path_prefix"], None)]
    out = []
    for entry in entries:
        methods = entry.get("methods")
        out.append((entry["prefix"], None if methods is None else frozenset(m.lower() for m in methods)))
    return out


def _select(path: str, item: Json, chosen: list[tuple[str, frozenset[str] | None]]) -> Json | None:
    """The path item with only the selected methods, or None when no selection takes the path."""
    methods: set[str] = set()
    for prefix, allowed in chosen:
        if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
            methods |= set(HTTP_METHODS) if allowed is None else set(allowed)
    kept = {key: copy.deepcopy(value) for key, value in item.items() if key not in HTTP_METHODS or key in methods}
    return kept if any(key in HTTP_METHODS for key in kept) else None


# Component sections whose ``$ref``s are replaced by a copy of what they point at: the trimmed
# document keeps only ``components/schemas`` (and its security scheme).
INLINED_SECTIONS = ("responses", "parameters", "requestBodies", "headers", "examples", "pathItems", "links")


def inline_component_refs(node: Json, components: Json, trail: tuple[str, ...] = ()) -> Json:
    """``node`` with every ``$ref`` into a non-schema component section replaced by its target.

    Facts written beside such a ``$ref`` (3.1 allows them) override the target's; a reference cycle
    through those sections is an error, not a hang.
    """
    if isinstance(node, list):
        return [inline_component_refs(item, components, trail) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/") and not ref.startswith(SCHEMA_PREFIX):
        section, _, name = ref[len("#/components/") :].partition("/")
        if section not in INLINED_SECTIONS:
            raise ValueError(f"unsupported $ref {ref!r}: components/{section} is not a section update-spec knows")
        if ref in trail:
            raise ValueError(f"$ref cycle through {' -> '.join((*trail, ref))}")
        target = components.get(section, {}).get(name)
        if target is None:
            raise ValueError(f"$ref {ref!r} points at a component the document does not define")
        resolved = inline_component_refs(copy.deepcopy(target), components, (*trail, ref))
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        return {**resolved, **inline_component_refs(siblings, components, trail)}
    return {key: inline_component_refs(value, components, trail) for key, value in node.items()}


def trim(upstream: Json, config: Json) -> Json:
    """The configured paths (and methods) plus the transitive closure of the schemas they use."""
    chosen = selections(config)
    components = upstream.get("components", {})
    paths = {}
    for path, raw_item in upstream.get("paths", {}).items():
        if not any(path == prefix or path.startswith(prefix.rstrip("/") + "/") for prefix, _ in chosen):
            continue  # only the selected paths are read: the rest of upstream may use what this does not know
        item = inline_component_refs(raw_item, components)
        kept = _select(path, item, chosen)
        if kept is not None:
            paths[path] = kept
    for prefix, _ in chosen:
        if not any(p == prefix or p.startswith(prefix.rstrip("/") + "/") for p in paths):
            raise ValueError(f"the upstream document has no path under {prefix!r}")
    all_schemas = upstream.get("components", {}).get("schemas", {})
    extra = [{"$ref": SCHEMA_PREFIX + name} for name in config.get("extra_schemas", []) if name in all_schemas]
    names = schema_closure(all_schemas, [paths, extra])
    schemas = {name: copy.deepcopy(all_schemas[name]) for name in sorted(names)}
    return {
        "openapi": "3.1.0",
        "info": {"title": "threadruns: OpenAI-style Assistants Runs API", "version": str(upstream["info"]["version"])},
        "servers": [{"url": "https://api.openai.com/v1"}, {"url": "http://127.0.0.1:8000/v1"}],
        "security": [{"ApiKeyAuth": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"ApiKeyAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


# --------------------------------------------------------------------------- normalisation


def strip_prose(node: Json, *, in_properties: bool = False) -> Json:
    """Drop upstream prose and vendor extensions (``x-*``), keeping facts."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            # Inside ``properties`` the keys are field names, never prose.
            if not in_properties and (key in PROSE_KEYS or key.startswith("x-")):
                continue
            out[key] = strip_prose(value, in_properties=(key == "properties" and not in_properties))
        return out
    if isinstance(node, list):
        return [strip_prose(item) for item in node]
    return node


def _null_union(schema: Json) -> Json:
    return {"anyOf": [schema, {"type": "null"}]}


def normalise_schema(node: Json, *, tag_position: bool = False) -> Json:
    """Rewrite one schema (recursively) into the 3.1 shapes the generator handles.

    ``tag_position`` is true for a schema that is the value of an object property:
    a one-value enum there is a union tag and becomes ``const``.
    """
    if isinstance(node, list):
        return [normalise_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = dict(node)
    nullable = node.pop("nullable", False) is True
    all_of = node.get("allOf")
    if isinstance(all_of, list):
        # Upstream spells "nullable reference" as ``allOf: [$ref, {nullable: true}]``.
        flags = [s for s in all_of if isinstance(s, dict) and s and set(s) <= {"nullable"}]
        if flags:
            nullable = nullable or any(s["nullable"] is True for s in flags)
            node["allOf"] = [s for s in all_of if s not in flags]
    # 3.0 -> 3.1 numeric bounds.
    for bound, flag in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if node.get(flag) is True:
            node[flag] = node.pop(bound)
        elif node.get(flag) is False:
            del node[flag]
    out: dict[str, Json] = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {name: normalise_schema(prop, tag_position=True) for name, prop in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = normalise_schema(value)
        elif key in ("anyOf", "oneOf", "allOf"):
            out[key] = [normalise_schema(item) for item in value]
        else:
            out[key] = value
    if "properties" in out and "type" not in out and not any(k in out for k in ("anyOf", "oneOf", "allOf")):
        out["type"] = "object"  # upstream leaves some objects untyped; the generator and validators need it
    if tag_position and isinstance(out.get("enum"), list) and len(out["enum"]) == 1:
        # A one-value enum property tags a union member; as ``const`` it rejects other members.
        out["const"] = out.pop("enum")[0]
        out.pop("default", None)
    elif "default" in out:
        # Generated code would send a default the caller never gave: keep it as data only.
        out["x-default"] = out.pop("default")
    # allOf with a single $ref (upstream pairs it with nullable) is just that $ref.
    all_of = out.get("allOf")
    if isinstance(all_of, list):
        refs = [s for s in all_of if isinstance(s, dict) and "$ref" in s]
        rest = [s for s in all_of if s not in refs and s != {}]
        if len(refs) == 1 and not rest:
            del out["allOf"]
            out.update(refs[0])
    if "$ref" in out and len(out) > 1:
        # Siblings of $ref are ignored by the generator; keep only the reference, and say what was dropped.
        facts = sorted(key for key in out if key not in ("$ref", "x-default"))
        if facts:
            DROPPED_BESIDE_REF.append(f"{out['$ref'].rsplit('/', 1)[-1]}: {', '.join(facts)}")
        out = {"$ref": out["$ref"]}
    if nullable:
        out = _make_nullable(out)
    return out


def _make_nullable(schema: Json) -> Json:
    if "$ref" in schema or "anyOf" in schema or "oneOf" in schema or "allOf" in schema:
        members = schema.get("anyOf") if list(schema) == ["anyOf"] else None
        if members is not None:
            if {"type": "null"} not in members:
                members.append({"type": "null"})
            return schema
        return _null_union(schema)
    kind = schema.get("type")
    if "enum" in schema:
        # A nullable enum as a type list generates one class per use; as a union, one class.
        return _null_union(schema)
    if isinstance(kind, str):
        schema["type"] = [kind, "null"]
        return schema
    if isinstance(kind, list) and "null" not in kind:
        schema["type"] = [*kind, "null"]
        return schema
    return _null_union(schema)


def normalise_parameter(param: Json) -> Json:
    param = dict(param)
    if "schema" in param:
        param["schema"] = normalise_schema(param["schema"])
    return param


def normalise(doc: Json, config: Json) -> Json:
    """Apply every rewrite the generator and the wire contract need."""
    doc["paths"] = strip_prose(doc["paths"])
    doc["components"]["schemas"] = strip_prose(doc["components"]["schemas"])
    renames = config.get("operation_ids", {})
    for item in doc["paths"].values():
        if "parameters" in item:
            item["parameters"] = [normalise_parameter(p) for p in item["parameters"]]
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            op.pop("tags", None)
            op["operationId"] = renames.get(op["operationId"], op["operationId"])
            op["parameters"] = [normalise_parameter(p) for p in op.get("parameters", [])]
            body = op.get("requestBody")
            if body:
                for media in body.get("content", {}).values():
                    media["schema"] = normalise_schema(media["schema"])
            for response in op.get("responses", {}).values():
                for media in response.get("content", {}).values():
                    media["schema"] = normalise_schema(media["schema"])
            _declare_responses(op, stream=op["operationId"] in config.get("stream_operations", []))
    schemas = doc["components"]["schemas"]
    for name in list(schemas):
        schemas[name] = normalise_schema(schemas[name])
    _share_include_enum(doc)
    return doc


# One server-sent event as parsed from the stream: its name and its (JSON-encoded) data line.
STREAM_EVENT = {
    "type": "object",
    "properties": {"event": {"type": "string"}, "data": {"type": "string"}},
    "required": ["event", "data"],
}
ERROR_RESPONSE = {
    "content": {"application/json": {"schema": {"$ref": SCHEMA_PREFIX + "ErrorResponse"}}},
}


def _declare_responses(op: Json, *, stream: bool) -> None:
    responses = op.setdefault("responses", {})
    if stream:
        responses.setdefault("200", {}).setdefault("content", {})["text/event-stream"] = {
            "schema": copy.deepcopy(STREAM_EVENT)
        }
    responses["default"] = copy.deepcopy(ERROR_RESPONSE)


def fill_response_descriptions(doc: Json) -> None:
    """OpenAPI requires a description on every response: a plain one where this project wrote none."""
    for item in doc["paths"].values():
        for method in HTTP_METHODS:
            for status, response in item.get(method, {}).get("responses", {}).items():
                response.setdefault("description", "Error" if status == "default" else "OK")


def _share_include_enum(doc: Json) -> None:
    """Give every ``include[]`` parameter one shared enum component (one class, not one per operation)."""
    schemas = doc["components"]["schemas"]
    for item in doc["paths"].values():
        for method in HTTP_METHODS:
            for param in item.get(method, {}).get("parameters", []):
                if param.get("name") != "include[]":
                    continue
                items = param["schema"].get("items", {})
                if "enum" in items:
                    schemas.setdefault("RunStepInclude", {"type": "string", "enum": items["enum"]})
                    param["schema"]["items"] = {"$ref": SCHEMA_PREFIX + "RunStepInclude"}


def check_error_schemas(doc: Json) -> None:
    schemas = doc["components"]["schemas"]
    if "ErrorResponse" not in schemas or "Error" not in schemas:
        raise ValueError("the upstream document lacks the Error/ErrorResponse schemas")


# --------------------------------------------------------------------------- our prose


def iter_prose(node: Json, pointer: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str, Json]]:
    """Yield ``(location, key, value)`` for every prose entry of a document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "summary", "example", "examples") and not (
                len(pointer) and pointer[-1] == "properties"
            ):
                yield pointer, key, value
            else:
                yield from iter_prose(value, (*pointer, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from iter_prose(item, (*pointer, str(index)))


def _resolve(node: Json, pointer: tuple[str, ...]) -> Json:
    for part in pointer:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def carry_over_prose(doc: Json, previous: Json | None) -> int:
    """Copy this project's descriptions from the previous document where the location still exists."""
    if previous is None:
        return 0
    count = 0
    for pointer, key, value in iter_prose(previous):
        target = _resolve(doc, pointer)
        if isinstance(target, dict) and key not in target:
            target[key] = copy.deepcopy(value)
            count += 1
    return count


# --------------------------------------------------------------------------- diff and hand edits


def _operations(doc: Json) -> dict[str, Json]:
    ops = {}
    for path, item in (doc or {}).get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in item:
                ops[item[method].get("operationId", f"{method} {path}")] = (method.upper(), path, item[method])
    return ops


def api_diff(old: Json | None, new: Json) -> list[str]:
    """The semantic API diff (``scripts/spec_diff.py``): per operation and field, breaking changes marked."""
    return spec_diff.diff(old, new)


def facts_sha256(doc: Json) -> str:
    """A digest of the document's facts only: rewording a description does not change it."""
    return hashlib.sha256(json.dumps(strip_prose(doc), sort_keys=True).encode()).hexdigest()


def hand_edits(current: Json | None, lock: Path) -> bool:
    """Whether ``current`` differs in its facts from what the last ``update-spec`` wrote."""
    if current is None or not lock.is_file():
        return False
    recorded = json.loads(lock.read_text(encoding="utf-8")).get("facts_sha256")
    return bool(recorded) and recorded != facts_sha256(current)


# --------------------------------------------------------------------------- entry point


def hoist_named_schemas(doc: Json, config: Json) -> None:
    """Give the schemas named in ``schema_names`` their component, wherever upstream writes them inline.

    A public model's class name must not depend on upstream's shape: one document has a ``RunStatus``
    component, another spells the same enum inline in ``RunObject.status`` (which would make it
    ``RunObjectStatus``).
    """
    schemas = doc["components"]["schemas"]
    for name, where in (config.get("schema_names") or {}).items():
        owner, _, field = where.partition(".")
        properties = schemas.get(owner, {}).get("properties", {})
        if field not in properties:
            raise ValueError(f"schema_names: {name} lives at {where}, which the document does not define")
        if name in schemas:
            continue
        inline = properties[field]
        if "$ref" in inline:
            schemas[name] = copy.deepcopy(schemas[inline["$ref"][len(SCHEMA_PREFIX) :]])
        else:
            schemas[name] = inline
        properties[field] = {"$ref": SCHEMA_PREFIX + name}
    doc["components"]["schemas"] = dict(sorted(schemas.items()))


def _request_schemas(doc: Json) -> set[str]:
    """Component schemas a request can carry (bodies and parameters, transitively)."""
    roots = []
    for item in doc["paths"].values():
        roots.append(item.get("parameters", []))
        for method in HTTP_METHODS:
            op = item.get(method, {})
            roots += [op.get("parameters", []), op.get("requestBody", {})]
    return set(schema_closure(doc["components"]["schemas"], roots))


def keep_answer_defaults(doc: Json) -> None:
    """In schemas only answers use, a field's spec default stays ``default``: a missing key reads as it.

    Elsewhere ``normalise`` keeps defaults as ``x-default`` data so that no request sends a value the
    caller did not give. A field that refers to a shared scalar schema with a default gets that schema
    inline, so the default applies to the answer alone.
    """
    schemas = doc["components"]["schemas"]
    requests = _request_schemas(doc)
    for name, schema in schemas.items():
        if name in requests or not isinstance(schema, dict):
            continue
        for field, prop in (schema.get("properties") or {}).items():
            if not isinstance(prop, dict):
                continue
            target = prop
            ref = prop.get("$ref", "")
            if ref.startswith(SCHEMA_PREFIX) and len(prop) == 1:
                shared = schemas.get(ref[len(SCHEMA_PREFIX) :], {})
                scalar = shared.get("type") in ("boolean", "string", "integer", "number") and "enum" not in shared
                if not (scalar and "x-default" in shared):
                    continue
                target = {key: copy.deepcopy(value) for key, value in shared.items() if key != "description"}
                schema["properties"][field] = target
            if "x-default" in target:
                target["default"] = target.pop("x-default")


def build(upstream: Json, config: Json, previous: Json | None = None) -> Json:
    DROPPED_BESIDE_REF.clear()
    doc = trim(upstream, config)
    hoist_named_schemas(doc, config)
    doc = normalise(doc, config)
    add_known_facts(doc, config)
    keep_answer_defaults(doc)
    map_discriminators(doc)
    check_error_schemas(doc)
    if previous is not None:
        # The document's own frame (title, description, servers) is this project's, not upstream's.
        doc["info"] = {**previous.get("info", {}), "version": doc["info"]["version"]}
        doc["servers"] = copy.deepcopy(previous.get("servers", doc["servers"]))
    carry_over_prose(doc, previous)
    fill_response_descriptions(doc)
    return doc


def map_discriminators(doc: Json) -> None:
    """Give every discriminator an explicit ``mapping`` (tag value -> member), read from each member's ``const`` tag.

    Without one, strict tools read a tag such as ``function`` as a schema name; a discriminator
    whose members cannot all be mapped is dropped (the members' ``const`` tags still tell them apart).
    """
    schemas = doc["components"]["schemas"]

    def visit(node: Json) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict):
            return
        for value in node.values():
            visit(value)
        discriminator = node.get("discriminator")
        if not isinstance(discriminator, dict):
            return
        members = node.get("oneOf") or node.get("anyOf") or []
        prop = discriminator.get("propertyName")
        mapping: dict[str, str] = {}
        for member in members:
            ref = member.get("$ref", "") if isinstance(member, dict) else ""
            target = schemas.get(ref[len(SCHEMA_PREFIX) :], {}) if ref.startswith(SCHEMA_PREFIX) else {}
            tag = target.get("properties", {}).get(prop, {}).get("const")
            if not isinstance(tag, str):
                del node["discriminator"]
                return
            mapping[tag] = ref
        discriminator["mapping"] = mapping

    visit(doc["components"]["schemas"])
    visit(doc["paths"])


def add_known_facts(doc: Json, config: Json) -> None:
    """Facts upstream states only in prose (page size bounds) or lacks (newer enum values)."""
    low, high = config.get("page_limit", [1, 100])
    for item in doc["paths"].values():
        for method in HTTP_METHODS:
            for param in item.get(method, {}).get("parameters", []):
                if param.get("in") == "query" and param.get("name") == "limit":
                    param["schema"].setdefault("minimum", low)
                    param["schema"].setdefault("maximum", high)
    schemas = doc["components"]["schemas"]
    for name, fields in config.get("nullable_fields", {}).items():
        properties = schemas.get(name, {}).get("properties", {})
        for field in fields:
            if field not in properties:
                raise ValueError(f"nullable_fields names {name}.{field}, which the document does not define")
            properties[field] = _make_nullable(properties[field])
    for name, facts in config.get("schema_facts", {}).items():
        if name not in schemas:
            raise ValueError(f"schema_facts names {name!r}, which the document does not define")
        _merge(schemas[name], facts, name)
    for name, values in config.get("enum_additions", {}).items():
        enum = _find_enum(schemas.get(name))
        if enum is None:
            raise ValueError(f"enum_additions names {name!r}, which is not an enum schema of the document")
        enum.extend(value for value in values if value not in enum)


def _merge(target: Json, facts: Json, where: str) -> None:
    """Merge ``facts`` into a schema; a nested key that is not there is an error (a stale fact), not a new field."""
    for key, value in facts.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value, f"{where}.{key}")
        elif isinstance(value, dict) and key in ("properties",):
            raise ValueError(f"schema_facts: {where} has no {key}")
        else:
            target[key] = copy.deepcopy(value)


def _find_enum(schema: Json) -> list[Json] | None:
    if not isinstance(schema, dict):
        return None
    if isinstance(schema.get("enum"), list):
        enum: list[Json] = schema["enum"]
        return enum
    for member in schema.get("anyOf", []):
        found = _find_enum(member)
        if found is not None:
            return found
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("upstream", type=Path, help="full upstream OpenAPI document (3.0/3.1, YAML/JSON)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument(
        "--discard-edits", action="store_true", help="overwrite facts edited by hand since the last update-spec"
    )
    args = parser.parse_args(argv)
    if not args.upstream.is_file():
        parser.error(f"UPSTREAM {args.upstream} is not a file")
    config = load_document(args.config)
    previous = load_document(args.out) if args.out.exists() else None
    upstream = load_document(args.upstream)
    doc = build(upstream, config, previous)
    diff = api_diff(previous, doc)
    lock = args.out.parent / LOCK_NAME
    if hand_edits(previous, lock) and diff and not args.discard_edits:
        print(
            f"{args.out} was edited by hand since the last update-spec, and this update would replace facts of it.\n"
            "State such facts in openapi/trim.yaml (schema_facts, enum_additions, nullable_fields, ...) so that\n"
            "every update keeps them, or pass --discard-edits. Nothing was written. The update would change:",
            file=sys.stderr,
        )
        for line in diff:
            print("  " + line, file=sys.stderr)
        return 3
    args.out.write_text(dump_document(doc), encoding="utf-8")
    record = {
        "facts_sha256": facts_sha256(doc),
        "upstream_sha256": hashlib.sha256(args.upstream.read_bytes()).hexdigest(),
        "upstream_version": str(upstream.get("info", {}).get("version")),
    }
    lock.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(_operations(doc))} operations, {len(doc['components']['schemas'])} schemas)")
    for note in dict.fromkeys(DROPPED_BESIDE_REF):
        print(f"note: facts beside a $ref to {note} were dropped (state them in trim.yaml schema_facts)")
    print("API diff against the previous document:" if diff else "API diff: no changes")
    for line in diff:
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
