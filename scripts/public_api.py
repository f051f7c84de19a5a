"""The public surface of ``threadruns``, as data, and what changed in it.

griffe reads the packages statically (nothing is imported) and this module keeps what a
user can reach: every name in ``threadruns.__all__`` and ``threadruns.types``, every
public member of those classes, and every resource reached from ``Client``/``AsyncClient``
by attribute (``Client.beta.threads.runs.retrieve``), each with its signature. The
snapshot is ``generated/public-api.json``, rewritten by ``make regenerate`` and compared
by ``make check-generated``, so no change to the surface, generated or hand-written,
goes unnoticed. ``diff`` marks the changes that break callers, after griffe's kinds of
breakage (object removed, parameter removed, moved, made required or changed kind,
return type changed).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import griffe

Surface = dict[str, dict[str, Any]]
_ROOTS = ("Client", "AsyncClient")


def _str(expr: object) -> str | None:
    return None if expr is None else str(expr)


def _function(fn: griffe.Function) -> dict[str, Any]:
    params = [
        [p.name, p.kind.value, _str(p.annotation), _str(p.default)]
        for p in fn.parameters
        if p.name not in ("self", "cls")
    ]
    return {"kind": "function", "params": params, "returns": _str(fn.returns)}


def _target(obj: Any) -> Any:
    while isinstance(obj, griffe.Alias):
        obj = obj.final_target
    return obj


def _public(name: str) -> bool:
    return not name.startswith("_")


def _class_of(annotation: object, loader: griffe.GriffeLoader) -> griffe.Class | None:
    """The class an annotation names, when it is one of the two packages'."""
    path = getattr(annotation, "canonical_path", None)
    if not isinstance(path, str) or not path.startswith(("threadruns.", "threadruns_api.")):
        return None
    try:
        found = _target(loader.modules_collection.get_member(path))
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None
    return found if isinstance(found, griffe.Class) else None


def _members(cls: griffe.Class) -> Iterator[tuple[str, Any]]:
    for name, member in sorted(cls.all_members.items()):
        if _public(name) or name in ("__init__", "__iter__", "__aiter__", "__enter__", "__aenter__"):
            try:
                yield name, _target(member)
            except (griffe.AliasResolutionError, griffe.CyclicAliasError):
                continue


def _describe(obj: Any) -> dict[str, Any]:
    if isinstance(obj, griffe.Function):
        if "property" in obj.labels or "cached_property" in {str(d.value) for d in obj.decorators}:
            return {"kind": "property", "type": _str(obj.returns)}
        return _function(obj)
    if isinstance(obj, griffe.Class):
        return {"kind": "class", "bases": [str(b) for b in obj.bases]}
    if isinstance(obj, griffe.Attribute):
        return {"kind": "attribute", "type": _str(obj.annotation)}
    return {"kind": type(obj).__name__.lower()}


def _add_class(surface: Surface, path: str, cls: griffe.Class, loader: griffe.GriffeLoader, depth: int = 0) -> None:
    surface[path] = _describe(cls)
    for name, member in _members(cls):
        entry = _describe(member)
        surface[f"{path}.{name}"] = entry
        if depth < 6 and entry["kind"] in ("property", "attribute"):
            annotation = member.returns if isinstance(member, griffe.Function) else getattr(member, "annotation", None)
            child = _class_of(annotation, loader)
            if child is not None and child.path.startswith(("threadruns_api.resources.", "threadruns._resources.")):
                _add_class(surface, f"{path}.{name}", child, loader, depth + 1)


def collect(src: Path, generated: Path) -> Surface:
    """The public surface of the packages under ``src`` and ``generated``."""
    loader = griffe.GriffeLoader(search_paths=[str(src), str(generated)])
    package = loader.load("threadruns")
    models = loader.load("threadruns_api.models")
    loader.load("threadruns_api.resources")
    loader.resolve_aliases(implicit=True, external=False)
    surface: Surface = {}
    for name in sorted(package.exports or ()):
        if name in ("types", "__version__"):
            continue
        obj = _target(package[name])
        if isinstance(obj, griffe.Class):
            _add_class(surface, f"threadruns.{name}", obj, loader)
        else:
            surface[f"threadruns.{name}"] = _describe(obj)
    for name in sorted(models.exports or ()):
        obj = _target(models[name])
        surface[f"threadruns.types.{name}"] = _describe(obj)
        if isinstance(obj, griffe.Class):
            for field, member in _members(obj):
                if isinstance(member, griffe.Attribute):
                    surface[f"threadruns.types.{name}.{field}"] = _describe(member)
    return dict(sorted(surface.items()))


def dumps(surface: Surface) -> str:
    return json.dumps(surface, indent=1, sort_keys=True) + "\n"


def _param_changes(path: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[tuple[bool, str]]:
    before = {p[0]: (i, p) for i, p in enumerate(old["params"])}
    after = {p[0]: (i, p) for i, p in enumerate(new["params"])}
    positional = ("positional-only", "positional or keyword")
    for name, (index, param) in before.items():
        if name not in after:
            yield True, f"{path}: parameter {name!r} removed"
            continue
        new_index, new_param = after[name]
        if param[1] != new_param[1]:
            yield True, f"{path}: parameter {name!r} changed kind ({param[1]} -> {new_param[1]})"
        elif param[1] in positional and index != new_index:
            yield True, f"{path}: parameter {name!r} moved (position {index} -> {new_index})"
        if param[3] is not None and new_param[3] is None:
            yield True, f"{path}: parameter {name!r} became required"
        elif param[3] != new_param[3]:
            yield False, f"{path}: parameter {name!r} default {param[3]} -> {new_param[3]}"
        if param[2] != new_param[2]:
            yield False, f"{path}: parameter {name!r} type {param[2]} -> {new_param[2]}"
    for name, (_, param) in after.items():
        if name not in before:
            required = param[3] is None and param[1] not in ("variadic positional", "variadic keyword")
            yield required, f"{path}: parameter {name!r} added" + (" (required)" if required else "")
    if old.get("returns") != new.get("returns"):
        yield True, f"{path}: returns {old.get('returns')} -> {new.get('returns')}"


def diff(old: Surface, new: Surface) -> list[str]:
    """One line per change, ``BREAKING`` first on those that break existing callers."""
    lines: list[tuple[bool, str]] = []
    for path in sorted(old.keys() - new.keys()):
        if not any(path.startswith(p + ".") for p in old.keys() - new.keys()):
            lines.append((True, f"{path}: removed"))
    for path in sorted(new.keys() - old.keys()):
        if not any(path.startswith(p + ".") for p in new.keys() - old.keys()):
            lines.append((False, f"{path}: added ({new[path]['kind']})"))
    for path in sorted(old.keys() & new.keys()):
        before, after = old[path], new[path]
        if before == after:
            continue
        if before["kind"] != after["kind"]:
            lines.append((True, f"{path}: {before['kind']} -> {after['kind']}"))
        elif before["kind"] == "function":
            lines.extend(_param_changes(path, before, after))
        elif before["kind"] in ("attribute", "property"):
            # What a reader gets changed type (a widening such as "| None" breaks code that relied on it).
            lines.append((True, f"{path}: type {before.get('type')} -> {after.get('type')}"))
        else:
            lines.append((False, f"{path}: {before} -> {after}"))
    return [("BREAKING " if breaking else "         ") + text for breaking, text in lines]


def collect_isolated(src: Path, generated: Path) -> Surface:
    """``collect`` in a fresh interpreter (parsing never shares a process with its caller's state)."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, __file__, str(src), str(generated)], capture_output=True, text=True, check=False, timeout=300
    )
    if proc.returncode != 0:
        raise RuntimeError(f"reading the public API failed:\n{proc.stderr}")
    surface: Surface = json.loads(proc.stdout)
    return surface


if __name__ == "__main__":
    import sys

    print(dumps(collect(Path(sys.argv[1]), Path(sys.argv[2]))), end="")
