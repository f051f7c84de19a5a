"""The client's resource layer, generated from the spec: one resource class per group of operations.

openapi-python-client writes the models and one endpoint module per operation; it has
no notion of resources, method names or client-side checks. This step parses the same
document with the same (pinned) generator, so every type name matches the models, and
renders ``templates/surface/*.jinja`` into ``threadruns_api/resources/``:

- a resource class per entry of ``resources`` in ``openapi/trim.yaml`` (sync, async and
  the ``with_raw_response`` twins), one method per operation, with openai-python's
  argument order: the last path parameter positional, then keyword-only the other path
  parameters, the required ones, the optional query parameters and the optional body
  fields (each group alphabetical), then the per-call options;
- ``params.py``: a ``TypedDict`` of every operation's query and body arguments;
- ``_operations.py``: what each operation is (verb, path, the JSON schema of every
  argument, the models it takes and returns, whether it pages or streams) as data, and
  the call of its generated ``_get_kwargs``.

Facts the spec cannot state (resource names, method names, which operations stream,
the statuses that end polling) come from ``openapi/trim.yaml``.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import decoders
import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from openapi_python_client import _get_project_for_url_or_path
from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser.openapi import Endpoint
from openapi_python_client.parser.properties import (
    AnyProperty,
    BooleanProperty,
    ConstProperty,
    DateProperty,
    DateTimeProperty,
    EnumProperty,
    FloatProperty,
    IntProperty,
    ListProperty,
    ModelProperty,
    NoneProperty,
    StringProperty,
    UnionProperty,
)

HTTP_METHODS = ("get", "put", "post", "delete", "patch")
SCHEMA_PREFIX = "#/components/schemas/"
# JSON Schema keywords the client checks arguments against; everything else (prose, x-*) is left out.
CHECKED_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "const",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        "required",
        "properties",
        "additionalProperties",
        "propertyNames",
        "items",
        "anyOf",
        "oneOf",
        "allOf",
        "$ref",
        "discriminator",
    }
)
# What the answer audit (threadruns.conformance) reads besides: defaults, and Unix times. An integer
# property whose description says Unix time holds seconds.
ANSWER_KEYWORDS = CHECKED_KEYWORDS | {"default"}
UNIX_TIME = re.compile(r"\bunix\b", re.IGNORECASE)
UNIX_SECONDS_KEYWORD = "x-unix-seconds"
# The per-call options every method takes after its API arguments: openai-python's four, then max_retries.
OPTIONS = ("extra_headers", "extra_query", "extra_body", "timeout", "max_retries")


class SurfaceError(ValueError):
    """The spec and ``openapi/trim.yaml`` do not describe a client surface that can be generated."""


@dataclass
class Param:
    name: str  # the Python argument
    wire: str  # the name on the wire (``include[]``)
    location: str  # path | query | body
    annotation: str
    required: bool
    description: str
    schema: Any
    convert: str  # the expression handing the value to the generated ``_get_kwargs``
    imports: list[str]  # the model classes that expression uses


@dataclass
class Method:
    name: str
    operation_id: str
    const: str  # the Operation constant's name in _operations.py
    endpoint: str  # the generated endpoint module
    http_method: str
    path: str
    summary: str
    description: str
    positional: Param | None
    keyword: list[Param]
    body_model: str | None
    body_required: list[str]
    response_model: str
    item_model: str | None  # set for a cursor-paged list
    stream: bool
    stream_flag: Param | None = None

    @property
    def params(self) -> list[Param]:
        return ([self.positional] if self.positional else []) + self.keyword

    @property
    def path_params(self) -> list[Param]:
        return [p for p in self.params if p.location == "path"]

    @property
    def query_params(self) -> list[Param]:
        return [p for p in self.params if p.location == "query"]

    @property
    def body_params(self) -> list[Param]:
        return [p for p in self.params if p.location == "body"]

    @property
    def params_class(self) -> str:
        return _pascal(self.operation_id) + "Params"

    @property
    def typed_dict_params(self) -> list[Param]:
        """The arguments a helper taking ``**params`` of this operation accepts (``stream`` is the helper's)."""
        return [p for p in self.params if p.location != "path" and p is not self.stream_flag]


@dataclass
class Resource:
    key: str  # dotted attribute path from the client: beta.threads.runs
    helpers: str | None
    path: str | None
    method_names: dict[str, str]
    methods: list[Method] = field(default_factory=list)
    children: list[Resource] = field(default_factory=list)

    @property
    def attr(self) -> str:
        return self.key.rsplit(".", 1)[-1]

    @property
    def class_name(self) -> str:
        return _pascal(self.attr)

    @property
    def module(self) -> str:
        return self.attr

    @property
    def is_namespace(self) -> bool:
        return self.path is None


@dataclass
class Surface:
    resources: list[Resource]  # every node, parents before children
    poll_stop_statuses: list[str]
    schemas: dict[str, Any]
    methods: list[Method]
    stream_events: tuple[tuple[str, str], ...] = ()
    request_headers: dict[str, str] = field(default_factory=dict)
    response_headers: dict[str, str] = field(default_factory=dict)
    stream_end: dict[str, str] = field(default_factory=dict)
    stream_error_event: str = "error"
    error_model: str = ""  # the schema of every error body (the operations' `default` response)
    answer_schemas: dict[str, Any] = field(default_factory=dict)  # every answer's schema, for the audit
    stream_content_type: str = ""  # the media type of a streamed answer
    decoders: decoders.Decoders | None = None  # the fast path of answer parsing

    @property
    def roots(self) -> list[Resource]:
        return [r for r in self.resources if "." not in r.key]

    def resource(self, key: str) -> Resource:
        return next(r for r in self.resources if r.key == key)


def _pascal(name: str) -> str:
    parts = re.split(r"[^0-9A-Za-z]+", name)
    return "".join(p[:1].upper() + p[1:] for p in parts if p)


def _snake(name: str) -> str:
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    name = re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_").lower()
    return name + "_" if keyword.iskeyword(name) else name


def _one_line(text: object) -> str:
    return " ".join(str(text or "").split())


# --------------------------------------------------------------------------- annotations


class _Annotator:
    """The public annotation of an argument, from the generator's parsed property."""

    def __init__(self) -> None:
        self.models: set[str] = set()

    def __call__(self, prop: Any) -> str:
        parts = list(dict.fromkeys(self._parts(prop)))
        if "str" in parts:  # a union with any string: Literal members add nothing
            parts = [p for p in parts if not p.startswith("Literal[")]
        # Models first, then the plain mappings that may stand for them, then None.
        parts = sorted(parts, key=lambda p: (p == "None", p.startswith("Mapping[")))
        return " | ".join(parts)

    def _parts(self, prop: Any) -> Iterator[str]:
        if isinstance(prop, UnionProperty):
            for inner in prop.inner_properties:
                yield from self._parts(inner)
        elif isinstance(prop, NoneProperty):
            yield "None"
        elif isinstance(prop, BooleanProperty):
            yield "bool"
        elif isinstance(prop, IntProperty):
            yield "int"
        elif isinstance(prop, FloatProperty):
            yield "float"
        elif isinstance(prop, StringProperty | DateTimeProperty | DateProperty):
            yield "str"
        elif isinstance(prop, ConstProperty):
            yield f"Literal[{prop.value.python_code.as_unembedded_code()}]"
        elif isinstance(prop, EnumProperty):
            yield "Literal[" + ", ".join(repr(v) for v in prop.values.values()) + "]"
        elif isinstance(prop, ListProperty):
            yield f"Sequence[{self(prop.inner_property)}]"
        elif isinstance(prop, ModelProperty):
            yield from self._model(prop)
        elif isinstance(prop, AnyProperty):
            yield "Any"
        else:
            raise SurfaceError(f"no argument annotation for a {type(prop).__name__} ({prop.name})")

    def _model(self, prop: ModelProperty) -> Iterator[str]:
        fields = (prop.required_properties or []) + (prop.optional_properties or [])
        extra = prop.additional_properties
        if not fields and isinstance(extra, StringProperty):
            yield "Mapping[str, str]"  # a string map (metadata): a plain dict, as openai-python takes it
            return
        self.models.add(prop.class_info.name)
        yield prop.class_info.name
        yield "Mapping[str, Any]"


def _conversion(prop: Any, expr: str) -> str:
    """The expression turning an argument's JSON value into what the generated ``_get_kwargs`` takes."""
    if isinstance(prop, EnumProperty):
        return f"_enum({prop.class_info.name}, {expr})"
    if isinstance(prop, ListProperty) and isinstance(prop.inner_property, EnumProperty):
        return f"_enum_list({prop.inner_property.class_info.name}, {expr})"
    return expr


def _conversion_imports(prop: Any) -> set[str]:
    if isinstance(prop, EnumProperty):
        return {prop.class_info.name}
    if isinstance(prop, ListProperty) and isinstance(prop.inner_property, EnumProperty):
        return {prop.inner_property.class_info.name}
    return set()


# --------------------------------------------------------------------------- the raw document


class _Document:
    def __init__(
        self, doc: dict[str, Any], keywords: frozenset[str] = CHECKED_KEYWORDS, *, times: bool = False
    ) -> None:
        self.keywords = keywords
        self.times = times  # mark Unix-time integers (UNIX_SECONDS_KEYWORD)
        self.doc = doc
        self.components = doc.get("components", {}).get("schemas", {})
        self.used: dict[str, Any] = {}

    def resolve(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith(SCHEMA_PREFIX):
                raise SurfaceError(f"unsupported $ref {ref!r}")
            node = self.components[ref[len(SCHEMA_PREFIX) :]]
            seen += 1
            if seen > 50:
                raise SurfaceError(f"$ref cycle at {ref!r}")
        return node

    def facts(self, node: Any) -> Any:
        """``node`` with only the checked keywords, collecting every component schema it refers to."""
        if isinstance(node, list):
            return [self.facts(item) for item in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        kinds = node.get("type")
        integer = "integer" in (kinds if isinstance(kinds, list) else [kinds])
        if self.times and integer and UNIX_TIME.search(str(node.get("description", ""))):
            out[UNIX_SECONDS_KEYWORD] = True
        for key, value in node.items():
            if key not in self.keywords:
                continue
            if key == "$ref":
                name = value[len(SCHEMA_PREFIX) :]
                if name not in self.used:
                    self.used[name] = None  # placeholder: cycles end here
                    self.used[name] = self.facts(self.components[name])
                out[key] = name
            elif key == "properties":
                out[key] = {prop: self.facts(schema) for prop, schema in value.items()}
            elif key == "discriminator":
                out[key] = value.get("propertyName")
            elif key in ("items", "additionalProperties", "propertyNames", "anyOf", "oneOf", "allOf"):
                out[key] = self.facts(value)
            else:
                out[key] = value
        return out

    def operations(self) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
        for path, item in self.doc.get("paths", {}).items():
            for method in HTTP_METHODS:
                if method in item:
                    yield path, method, item, item[method]


# --------------------------------------------------------------------------- building the surface


def _load_generator_data(spec: Path, config_path: Path, templates: Path) -> tuple[dict[str, Endpoint], list[Any]]:
    """The generator's endpoints by name, and its processed models."""
    config_file = ConfigFile.load_from_path(config_path)
    config = Config.from_sources(config_file, MetaType.NONE, spec, "utf-8", False, None)
    project = _get_project_for_url_or_path(config, custom_template_path=templates)
    if not hasattr(project, "openapi"):
        raise SurfaceError(f"the generator could not read {spec}: {project}")
    endpoints = {e.name: e for c in project.openapi.endpoint_collections_by_tag.values() for e in c.endpoints}
    return endpoints, list(project.openapi.models)


def _resources(trim: dict[str, Any]) -> list[Resource]:
    declared = trim.get("resources") or {}
    if not declared:
        raise SurfaceError("openapi/trim.yaml has no `resources`")
    nodes: dict[str, Resource] = {}
    for key, entry in declared.items():
        parts = key.split(".")
        for depth in range(1, len(parts)):  # namespaces on the way (beta, beta.threads)
            nodes.setdefault(".".join(parts[:depth]), Resource(".".join(parts[:depth]), None, None, {}))
        nodes[key] = Resource(key, entry.get("helpers"), entry["path"], dict(entry.get("methods") or {}))
    ordered = sorted(nodes.values(), key=lambda r: (r.key.count("."), r.key))
    modules = [node.module for node in ordered]
    clashes = sorted({m for m in modules if modules.count(m) > 1})
    if clashes:
        raise SurfaceError(f"resources {clashes} would share a module name: give them distinct last names")
    for node in ordered:
        if "." in node.key:
            nodes[node.key.rsplit(".", 1)[0]].children.append(node)
    return ordered


def _owner(resources: list[Resource], op_id: str, path: str) -> Resource:
    for resource in resources:
        if op_id in resource.method_names:
            return resource
    candidates = [r for r in resources if r.path and (path == r.path or path.startswith(r.path + "/"))]
    if not candidates:
        raise SurfaceError(f"operation {op_id} ({path}) is under no resource path of openapi/trim.yaml")
    return max(candidates, key=lambda r: len(r.path or ""))


def _item_model(response: ModelProperty, raw: dict[str, Any], query: set[str]) -> str | None:
    """The item class of a cursor-paged list (``data``, ``has_more``, ``after``), else None."""
    props = raw.get("properties", {})
    if not {"data", "has_more"} <= props.keys() or "after" not in query:
        return None
    for prop in (response.required_properties or []) + (response.optional_properties or []):
        if prop.name == "data" and isinstance(prop, ListProperty) and isinstance(prop.inner_property, ModelProperty):
            return str(prop.inner_property.class_info.name)
    return None


def build_surface(spec: Path, config: Path, templates: Path, trim: dict[str, Any]) -> tuple[Surface, set[str]]:
    """The resources, their methods and the argument schemas; and the model classes annotations use."""
    doc = _Document(yaml.safe_load(spec.read_text(encoding="utf-8")))
    endpoints, generated_models = _load_generator_data(spec, config, templates)
    resources = _resources(trim)
    stream_ops = set(trim.get("stream_operations") or [])
    annotate = _Annotator()
    methods: list[Method] = []
    for path, http_method, item, op in doc.operations():
        op_id = op["operationId"]
        endpoint = endpoints.get(_snake(op_id))
        if endpoint is None:
            raise SurfaceError(f"the generator made no endpoint for {op_id}")
        owner = _owner(resources, op_id, path)
        name = owner.method_names.get(op_id, _snake(op_id))
        method = _method(doc, endpoint, path, http_method, item, op, name, annotate, op_id in stream_ops)
        if any(m.name == name for m in owner.methods):
            raise SurfaceError(f"two operations of {owner.key} are both named {name!r}")
        owner.methods.append(method)
        methods.append(method)
    for resource in resources:
        for op_id in resource.method_names:
            if not any(m.operation_id == op_id for m in resource.methods):
                raise SurfaceError(f"openapi/trim.yaml maps {op_id} to {resource.key}, but the spec has no {op_id}")
    statuses = list(trim.get("poll_stop_statuses") or [])
    run = doc.components.get("RunObject", {})
    known = doc.resolve(run.get("properties", {}).get("status", {})).get("enum", [])
    unknown = [s for s in statuses if s not in known]
    if unknown:
        raise SurfaceError(f"poll_stop_statuses names {unknown}, which RunObject.status does not list")
    events = [(str(name), str(model)) for name, model in (trim.get("stream_events") or {}).items()]
    missing = [model for _, model in events if model not in doc.components]
    if missing:
        raise SurfaceError(f"stream_events names {missing}, which the spec does not define")
    headers = {str(k): str(v) for k, v in (trim.get("request_headers") or {}).items()}
    errors = {
        str(op["responses"]["default"]["content"]["application/json"]["schema"].get("$ref", ""))
        for _, _, _, op in doc.operations()
        if "default" in op.get("responses", {})
    }
    if len(errors) > 1:
        raise SurfaceError(f"the operations' error responses use different schemas: {sorted(errors)}")
    error_model = next(iter(errors), "").removeprefix(SCHEMA_PREFIX)
    schemas = {name: doc.used[name] for name in sorted(doc.used)}
    shapes = _Document(doc.doc, ANSWER_KEYWORDS, times=True)  # every answer's schema, for the audit
    for model in [m.response_model for m in methods] + [model for _, model in events] + [error_model]:
        if model:
            shapes.facts({"$ref": SCHEMA_PREFIX + model})
    answer_schemas = {name: shapes.used[name] for name in sorted(shapes.used)}
    answers = {str(k): str(v) for k, v in (trim.get("response_headers") or {}).items()}
    missing_headers = sorted({"request_id", "poll_after_ms"} - answers.keys())
    if missing_headers:
        raise SurfaceError(f"response_headers lacks {missing_headers}")
    end = {str(k): str(v) for k, v in (trim.get("stream_end") or {}).items()}
    if stream_ops and set(end) != {"event", "data"}:
        raise SurfaceError("stream_end must give the closing event's name and data line")
    error_event = str(trim.get("stream_error_event", "error"))
    stream_types = {
        media
        for _, _, _, op in doc.operations()
        if op["operationId"] in stream_ops
        for media in op.get("responses", {}).get("200", {}).get("content", {})
        if media != "application/json"
    }
    if len(stream_types) > 1:
        raise SurfaceError(f"the stream operations answer in different media types: {sorted(stream_types)}")
    if stream_ops and not stream_types:
        raise SurfaceError("stream_operations names operations whose 200 answer has no event-stream media type")
    roots = [m.response_model for m in methods] + [model for _, model in events]
    fast = decoders.build(generated_models, roots)
    surface = Surface(
        resources,
        statuses,
        schemas,
        methods,
        tuple(events),
        headers,
        answers,
        end,
        error_event,
        error_model,
        answer_schemas,
        next(iter(stream_types), ""),
        fast,
    )
    return surface, annotate.models


def _method(
    doc: _Document,
    endpoint: Endpoint,
    path: str,
    http_method: str,
    item: dict[str, Any],
    op: dict[str, Any],
    name: str,
    annotate: _Annotator,
    stream: bool,
) -> Method:
    raw_params = {(p["in"], p["name"]): p for p in [*item.get("parameters", []), *op.get("parameters", [])]}

    def param(prop: Any, location: str, required: bool, raw_schema: Any, description: object) -> Param:
        py = str(prop.python_name)
        return Param(
            name=py,
            wire=str(prop.name) if isinstance(prop.name, str) else prop.name.get_untrusted_value(),
            location=location,
            annotation=annotate(prop),
            required=required,
            description=_one_line(description),
            schema=doc.facts(raw_schema),
            convert=_conversion(prop, f"{location}.get({py!r}, UNSET)"),
            imports=sorted(_conversion_imports(prop)),
        )

    path_params: list[Param] = []
    for prop in endpoint.path_parameters:
        raw = raw_params[("path", _wire(prop))]
        path_params.append(param(prop, "path", True, raw.get("schema", {}), raw.get("description")))
    query: list[Param] = []
    for prop in endpoint.query_parameters:
        raw = raw_params[("query", _wire(prop))]
        query.append(param(prop, "query", bool(raw.get("required")), raw.get("schema", {}), raw.get("description")))
    body: list[Param] = []
    body_model = None
    body_required: list[str] = []
    if endpoint.bodies:
        if len(endpoint.bodies) > 1 or not isinstance(endpoint.bodies[0].prop, ModelProperty):
            raise SurfaceError(f"{op['operationId']}: only one JSON object body is supported")
        model = endpoint.bodies[0].prop
        body_model = str(model.class_info.name)
        raw_body = doc.resolve(op["requestBody"]["content"]["application/json"]["schema"])
        body_required = list(raw_body.get("required", []))
        for prop in (model.required_properties or []) + (model.optional_properties or []):
            raw = raw_body.get("properties", {}).get(_wire(prop), {})
            described = doc.resolve(raw).get("description") if "$ref" in raw else raw.get("description")
            body.append(param(prop, "body", _wire(prop) in body_required, raw, described))
    ok = next((r for r in endpoint.responses.patterns if str(r.status_code.pattern) == "200"), None)
    if ok is None or not isinstance(ok.prop, ModelProperty):
        raise SurfaceError(f"{op['operationId']}: no JSON object answer for 200")
    raw_ok = doc.resolve(op["responses"]["200"]["content"]["application/json"]["schema"])
    item_model = _item_model(ok.prop, raw_ok, {p.name for p in query})
    positional = path_params[-1] if path_params else None
    others = path_params[:-1]
    required = sorted((p for p in query + body if p.required), key=lambda p: p.name)
    optional_query = sorted((p for p in query if not p.required), key=lambda p: p.name)
    optional_body = sorted((p for p in body if not p.required), key=lambda p: p.name)
    flag = next((p for p in body if p.wire == "stream"), None) if stream else None
    if stream and flag is None:
        raise SurfaceError(f"stream_operations names {op['operationId']}, whose body has no `stream` field")
    return Method(
        name=name,
        operation_id=op["operationId"],
        const=_snake(op["operationId"]).upper(),
        endpoint=str(endpoint.name),
        http_method=http_method.upper(),
        path=path,
        summary=_one_line(op.get("summary")) or op["operationId"],
        description=_one_line(op.get("description")),
        positional=positional,
        keyword=others + required + optional_query + optional_body,
        body_model=body_model,
        body_required=body_required,
        response_model=str(ok.prop.class_info.name),
        item_model=item_model,
        stream=stream,
        stream_flag=flag,
    )


def _wire(prop: Any) -> str:
    name = prop.name
    return name if isinstance(name, str) else str(name.get_untrusted_value())


# --------------------------------------------------------------------------- rendering


def render(surface: Surface, models: set[str], templates: Path, out: Path) -> list[Path]:
    """Write ``out/resources/*.py``; return the files written."""
    env = Environment(
        loader=FileSystemLoader(str(templates / "surface")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pyrepr"] = repr
    env.filters["replace_v"] = lambda expr, value: re.sub(r"\bv\b", value, expr)
    target = out / "resources"
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def write(name: str, template: str, **context: Any) -> None:
        path = target / name
        path.write_text(env.get_template(template).render(surface=surface, **context), encoding="utf-8")
        written.append(path)

    write("__init__.py", "init.py.jinja")
    write("_operations.py", "operations.py.jinja")
    write("_answers.py", "answers.py.jinja", unix_seconds=UNIX_SECONDS_KEYWORD)
    write("params.py", "params.py.jinja", models=sorted(models))
    if surface.decoders is not None:
        fast = surface.decoders
        used = {s.model for s in fast.structs} | fast.enums
        write("_decode.py", "decode.py.jinja", decoders=fast, models=sorted(used))
    for resource in surface.resources:
        used = sorted({m for method in resource.methods for m in _models_of(method)})
        write(f"{resource.module}.py", "resource.py.jinja", resource=resource, models=used)
    return written


def _models_of(method: Method) -> set[str]:
    names = {method.response_model}
    if method.item_model:
        names.add(method.item_model)
    for param in method.params:
        names.update(re.findall(r"\b([A-Z]\w+)\b", param.annotation))
    return names - {"Literal", "Sequence", "Mapping", "Any", "None"}


def main(argv: list[str] | None = None) -> int:
    """``surface.py SPEC CONFIG TEMPLATES TRIM OUT``: render the resources of SPEC into OUT (a package folder).

    The pipeline runs this in its own interpreter, as it runs the generator: parsing and template
    compilation never share a process with whatever called the pipeline.
    """
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 5:
        print(main.__doc__, file=sys.stderr)
        return 2
    spec, config, templates, trim_path, out = map(Path, args)
    try:
        surface, models = build_surface(spec, config, templates, yaml.safe_load(trim_path.read_text(encoding="utf-8")))
    except SurfaceError as exc:
        print(f"the client surface cannot be generated: {exc}", file=sys.stderr)
        return 1
    render(surface, models, templates, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
