"""Seed files: threads and assistants to create at start-up, as YAML or JSON.

::

    threads:
      - id: thread_demo
        messages: ["What is the weather in Oslo?"]
    assistants:
      - id: asst_weather
        model: gpt-4o
        instructions: Answer in one sentence.
        tools: [{type: function, function: {name: get_weather}}]
        script: {call_tools: [{name: get_weather, arguments: {city: Oslo}}], then: {reply: "It is {outputs}."}}
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ._script import Script
from ._state import RunStore

SeedSource = str | os.PathLike[str] | Mapping[str, Any]
"""A seed: a path to a YAML/JSON file, or the already-loaded mapping."""


def read_seed(source: SeedSource) -> Mapping[str, Any]:
    """Load a seed file (``.json`` as JSON, anything else as YAML), or pass a mapping through."""
    if isinstance(source, Mapping):
        return source
    path = Path(source)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    if not isinstance(data, Mapping):
        raise ValueError(f"{path}: a seed file holds a mapping with 'threads' and/or 'assistants'")
    return data


def apply_seed(store: RunStore, source: SeedSource) -> None:
    """Create the seed's threads and assistants in ``store``."""
    data = read_seed(source)
    unknown = set(data) - {"threads", "assistants"}
    if unknown:
        raise ValueError(f"unknown seed keys {sorted(unknown)}; expected 'threads' and 'assistants'")
    for thread in data.get("threads") or ():
        store.add_thread(thread.get("id"), messages=list(thread.get("messages") or ()))
    for assistant in data.get("assistants") or ():
        script = assistant.get("script")
        store.add_assistant(
            assistant.get("id"),
            model=assistant.get("model", "gpt-4o"),
            instructions=assistant.get("instructions"),
            tools=assistant.get("tools"),
            script=Script.from_dict(script) if isinstance(script, Mapping) else None,
        )
