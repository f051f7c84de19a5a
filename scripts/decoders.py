"""The fast path of answer parsing: msgspec Structs that mirror the response models exactly.

For each model an answer can hold, this builds a msgspec ``Struct`` with the same fields, JSON
names, types, defaults and tags, closed to unknown keys, and a function that turns a decoded
Struct into the public attrs model. ``templates/surface/decode.py.jinja`` renders them into
``threadruns_api/resources/_decode.py``.

The Structs accept a body only when it matches the known schema exactly; anything else (an
unknown key, enum value or union tag, a wrong type) fails the decode, and the client falls back
to the generated ``from_dict``, which decides between "forward compatible" and "error". So the
fast path never loosens a check: it takes a subset of what ``from_dict`` takes, builds the same
objects, and leaves every other body to it. A model this module cannot mirror (a type msgspec
cannot express the same way) has no fast path, nor has any model that holds it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from openapi_python_client.parser.properties import (
    AnyProperty,
    BooleanProperty,
    ConstProperty,
    EnumProperty,
    FloatProperty,
    IntProperty,
    ListProperty,
    ModelProperty,
    NoneProperty,
    StringProperty,
    UnionProperty,
)

# A field built by one call to a Struct's builder, nullable or not: what _emit can build inline instead.
_INLINE = re.compile(r"(\(None if v is None else )?_to(_\w+)\(v\)\)?")

_V = re.compile(r"\bv\b")  # the value a conversion expression converts

SCALARS = {StringProperty: "str", IntProperty: "int", BooleanProperty: "bool", FloatProperty: "int | float"}


def _name(prop: Any) -> str:
    """A property's JSON key (the generator wraps the spec's strings; written out with repr only)."""
    name = prop.name
    return name if isinstance(name, str) else str(name.get_untrusted_value())


def _code(value: Any) -> str:
    """Python source the generator made (a const, a default): as its templates write it out."""
    return str(value.as_unembedded_code()) if hasattr(value, "as_unembedded_code") else str(value)


class Unmirrored(Exception):
    """A property the fast path cannot mirror exactly."""


@dataclass
class StructField:
    attr: str  # the attrs attribute (python_name)
    wire: str  # the JSON key
    annotation: str
    default: str | None  # Python source of the default, None when required
    convert: str  # expression turning the Struct's value `v` into the model's


@dataclass
class Struct:
    model: str  # the public model class
    name: str  # the Struct class
    fields: list[StructField]
    tag: tuple[str, str] | None = None  # (tag key, tag value repr) when a tagged union member
    tag_attr: str = ""  # the model attribute that holds the tag
    mapping: str = ""  # for a model of no fields but a typed map (metadata): the map annotation
    extra: bool = False  # the model has additional_properties
    body: list[str] = field(default_factory=list)  # the lines of its builder, `_to<name>(s)`


@dataclass
class Decoders:
    structs: list[Struct]
    roots: dict[str, str]  # public model -> Struct of the fast path
    enums: set[str]
    helpers: list[str]
    tables: list[str]  # the dispatch tables of tagged unions, as "{...}" entries
    skipped: dict[str, str]  # model -> why it has no fast path


def _members_key(union: UnionProperty, models: dict[str, ModelProperty]) -> str:
    """The key every model member of ``union`` tags itself with, or "" (as union_property.py.jinja decides)."""
    members = [p for p in union.inner_properties if isinstance(p, ModelProperty)]
    if len(members) < 2:
        return ""
    others = [p for p in union.inner_properties if not isinstance(p, ModelProperty | NoneProperty | EnumProperty)]
    if others:
        return ""
    first = models[str(members[0].class_info.name)]
    for candidate in first.required_properties or []:
        if not isinstance(candidate, ConstProperty):
            continue
        values = []
        for member in members:
            model = models[str(member.class_info.name)]
            found = [
                p
                for p in model.required_properties or []
                if isinstance(p, ConstProperty) and _name(p) == _name(candidate)
            ]
            if not found:
                break
            values.append(_code(found[0].value.python_code))
        else:
            if len(set(values)) == len(values):
                return _name(candidate)
    return ""


class _Builder:
    def __init__(self, models: list[ModelProperty]) -> None:
        self.models = {str(m.class_info.name): m for m in models}
        self.structs: dict[str, Struct] = {}
        self.failed: dict[str, str] = {}
        self.enums: set[str] = set()
        self.helpers: list[str] = []
        self.tables: list[str] = []  # "{Struct: builder, ...}" dispatch tables of tagged unions

    # ------------------------------------------------------------------ models

    def struct(self, model_name: str, tag_key: str = "") -> str:
        """The Struct class for ``model_name`` (tagged on ``tag_key`` when a union member)."""
        name = f"_{model_name}Tagged" if tag_key else f"_{model_name}"
        if name in self.structs:
            return name
        if name in self.failed:
            raise Unmirrored(self.failed[name])
        model = self.models[model_name]
        struct = Struct(model=model_name, name=name, fields=[], extra=bool(model.additional_properties))
        self.structs[name] = struct  # before the fields: a model may hold itself
        try:
            self._fill(struct, model, tag_key)
        except Unmirrored as exc:
            del self.structs[name]
            self.failed[name] = str(exc)
            raise
        return name

    def _fill(self, struct: Struct, model: ModelProperty, tag_key: str) -> None:
        props = (model.required_properties or []) + (model.optional_properties or [])
        extra = model.additional_properties
        if not props:
            if isinstance(extra, StringProperty):
                struct.mapping = "dict[str, str]"
                return
            if extra is True or isinstance(extra, AnyProperty):
                struct.mapping = "dict[str, Any]"
                return
            raise Unmirrored(f"{struct.model}: a map of {type(extra).__name__}")
        if extra not in (None, False, True) and not isinstance(extra, AnyProperty):
            raise Unmirrored(f"{struct.model}: typed additional properties beside fields")
        for prop in props:
            if tag_key and _name(prop) == tag_key:
                assert isinstance(prop, ConstProperty)
                struct.tag = (tag_key, _code(prop.value.python_code))
                struct.tag_attr = str(prop.python_name)
                continue
            annotation, convert = self.annotate(prop, f"{struct.model}.{_name(prop)}")
            default = self._default(model, prop, annotation)
            if default == "_UNSET" and convert != "v":
                convert = f"(UNSET if v is _UNSET else {convert})"  # a key the body left out stays UNSET
            struct.fields.append(StructField(str(prop.python_name), _name(prop), annotation, default, convert))

    @staticmethod
    def _default(model: ModelProperty, prop: Any, annotation: str) -> str | None:
        """As the generated from_dict reads a missing key (model.py.jinja)."""
        if prop.required and "None" in annotation.split(" | "):
            return "None"
        if prop.required and prop.default is not None:
            return _code(prop.default.python_code)
        if prop.required and isinstance(prop, ListProperty):
            raw = (model.data.properties or {}).get(_name(prop)) if model.data else None
            if raw is not None and getattr(raw, "default", None) == []:
                return "FACTORY"  # a new [] for each object, as from_dict makes
        if prop.required:
            return None
        return "_UNSET"

    # ------------------------------------------------------------------ properties

    def annotate(self, prop: Any, where: str) -> tuple[str, str]:
        """The Struct annotation of ``prop`` and the expression converting its value ``v``."""
        for kind, annotation in SCALARS.items():
            if type(prop) is kind:
                return annotation, "v"
        if isinstance(prop, ConstProperty):
            return f"Literal[{_code(prop.value.python_code)}]", "v"
        if isinstance(prop, NoneProperty):
            return "None", "v"
        if isinstance(prop, AnyProperty):
            return "Any", "v"
        if isinstance(prop, EnumProperty):
            if prop.value_type is not str:
                raise Unmirrored(f"{where}: a {prop.value_type.__name__} enum")
            self.enums.add(str(prop.class_info.name))
            return str(prop.class_info.name), "v"
        if isinstance(prop, ModelProperty):
            name = self.struct(str(prop.class_info.name))
            return self.structs[name].mapping or name, f"_to{name}(v)"
        if isinstance(prop, ListProperty):
            inner, convert = self.annotate(prop.inner_property, f"{where}[]")
            if convert == "v":
                return f"list[{inner}]", "v"
            return f"list[{inner}]", f"[{convert.replace('(v)', '(i)')} for i in v]" if convert.endswith(
                "(v)"
            ) else f"[{self._helper(convert)}(i) for i in v]"
        if isinstance(prop, UnionProperty):
            return self._union(prop, where)
        raise Unmirrored(f"{where}: a {type(prop).__name__}")

    def _union(self, prop: UnionProperty, where: str) -> tuple[str, str]:
        key = _members_key(prop, self.models)
        parts: list[tuple[str, str]] = []
        kinds: dict[str, int] = {}
        for inner in prop.inner_properties:
            if isinstance(inner, ModelProperty) and key:
                name = self.struct(str(inner.class_info.name), key)
                parts.append((name, f"_to{name}(v)"))
                continue
            annotation, convert = self.annotate(inner, where)
            parts.append((annotation, convert))
            kind = _json_kind(inner, self.models)
            kinds[kind] = kinds.get(kind, 0) + 1
        # msgspec (like from_dict) must tell the members apart by JSON type alone, or by the tag.
        if any(count > 1 for count in kinds.values()):
            raise Unmirrored(f"{where}: members that share a JSON type: {kinds}")
        annotation = " | ".join(dict.fromkeys(a for a, _ in parts))
        converting = [(a, c) for a, c in parts if c != "v"]
        if not converting:
            return annotation, "v"
        if len(converting) == 1:  # inline, without a call: most unions are `Model | None`
            convert, plain = converting[0][1], [a for a, c in parts if c == "v"]
            if plain == ["None"]:
                return annotation, f"(None if v is None else {convert})"
        if len(converting) == len(parts) and all(a.startswith("_") for a, _ in parts):
            # Only tagged Structs: one dict lookup by the Struct's type finds its builder.
            table = ", ".join(f"{a}: _to{a}" for a, _ in parts)
            return annotation, f"{self._table(table)}[type(v)](v)"
        lines = ["def {name}(v: Any) -> Any:"]
        for annotation_of, convert in converting:
            if annotation_of.startswith("list["):
                test = "list"
            elif annotation_of.startswith("dict["):
                test = "dict"
            elif annotation_of.startswith("_"):
                test = annotation_of
            else:
                raise Unmirrored(f"{where}: a member {annotation_of} that converts by {convert}")
            lines.append(f"    if type(v) is {test}:\n        return {convert}")
        lines.append("    return v")
        return annotation, f"{self._define(lines)}(v)"

    def _define(self, lines: list[str]) -> str:
        body = "\n".join(lines[1:])
        name = f"_union{len(self.helpers)}"
        for index, existing in enumerate(self.helpers):
            if existing.split("\n", 1)[1] == body:
                return f"_union{index}"
        self.helpers.append(lines[0].format(name=name) + "\n" + body)
        return name

    def _table(self, entries: str) -> str:
        if entries not in self.tables:
            self.tables.append(entries)
        return f"_BUILD{self.tables.index(entries)}"

    # ------------------------------------------------------------------ conversion functions

    def body(self, struct: Struct) -> list[str]:
        """The lines of ``_to<Struct>(s)``: nested single models built inline, without a call each."""
        lines: list[str] = []
        self._emit(struct, "s", "o", "    ", lines, [struct.name], iter(range(1_000)))
        return [*lines, "    return o"]

    def _emit(
        self, struct: Struct, src: str, dst: str, ind: str, lines: list[str], stack: list[str], names: Any
    ) -> None:
        lines.append(f"{ind}{dst} = _new({struct.model})")
        if struct.mapping:
            lines.append(f"{ind}{dst}.additional_properties = {src}")
            return
        if struct.tag:
            lines.append(f"{ind}{dst}.{struct.tag_attr} = {struct.tag[1]}")
        for f in struct.fields:
            value = f"{src}.{f.attr}"
            found = _INLINE.fullmatch(f.convert)
            target = self.structs.get(found.group(2)) if found else None
            if found is None or target is None or target.name in stack or len(stack) > 3:
                lines.append(f"{ind}{dst}.{f.attr} = {_V.sub(value, f.convert)}")
                continue
            number = next(names)
            var, built = f"v{number}", f"d{number}"
            lines.append(f"{ind}{var} = {value}")
            inner = ind
            if found.group(1):  # nullable: `(None if v is None else _to_X(v))`
                lines += [f"{ind}if {var} is None:", f"{ind}    {dst}.{f.attr} = None", f"{ind}else:"]
                inner = ind + "    "
            self._emit(target, var, built, inner, lines, [*stack, target.name], names)
            lines.append(f"{inner}{dst}.{f.attr} = {built}")
        if struct.extra:
            lines.append(f"{ind}{dst}.additional_properties = {{}}")

    def _helper(self, convert: str) -> str:
        return self._define(["def {name}(v: Any) -> Any:", f"    return {convert}"])


def _json_kind(prop: Any, models: dict[str, ModelProperty]) -> str:
    if isinstance(prop, StringProperty | EnumProperty | ConstProperty):
        return "str"
    if isinstance(prop, IntProperty | FloatProperty):
        return "number"
    if isinstance(prop, ModelProperty | AnyProperty):
        return "object"
    if isinstance(prop, ListProperty):
        return "array"
    if isinstance(prop, BooleanProperty):
        return "bool"
    if isinstance(prop, NoneProperty):
        return "null"
    return type(prop).__name__


def build(models: list[ModelProperty], roots: list[str]) -> Decoders:
    """The Structs for every model of ``roots`` (the response and stream payload models) that can be mirrored."""
    builder = _Builder(models)
    found: dict[str, str] = {}
    skipped: dict[str, str] = {}
    for root in sorted(set(roots)):
        try:
            found[root] = builder.struct(root)
        except Unmirrored as exc:
            skipped[root] = str(exc)
    kept = {name: s for name, s in builder.structs.items() if name not in builder.failed}
    for struct in kept.values():
        struct.body = builder.body(struct)
    return Decoders(list(kept.values()), found, builder.enums, builder.helpers, builder.tables, skipped)
