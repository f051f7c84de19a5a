"""The OpenAPI document the server implements, read from the installed ``threadruns_api`` package."""

from __future__ import annotations

import functools
import importlib.resources
from typing import Any

import yaml

Json = dict[str, Any]


@functools.cache
def _load_text() -> str:
    return (importlib.resources.files("threadruns_api") / "openapi.yaml").read_text(encoding="utf-8")


def load_spec() -> Json:
    """A fresh copy of the spec shipped as ``threadruns_api/openapi.yaml`` (works from a wheel)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(_load_text(), Loader=loader)  # a safe loader either way
    if not isinstance(document, dict):
        raise RuntimeError("threadruns_api/openapi.yaml is not an OpenAPI document")
    return document
