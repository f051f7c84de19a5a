"""Response bodies the benchmark server sends, built once from the spec's own example.

Every run is ``components.schemas.RunObject.examples[0]`` of ``openapi/threads-runs.yaml``
with a distinct id, so the payloads are what a real server sends and every
client parses exactly the same bytes.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "threads-runs.yaml"

THREAD_ID = "thread_bench"
ASSISTANT_ID = "asst_0001"
RUNS_PATH = f"/v1/threads/{THREAD_ID}/runs"
WALK_TOTAL = 1000  # runs in the thread walked page by page
WALK_PAGE = 100  # limit of each page of the walk
SMALL_PAGE = 20  # limit of the single-page GET case
PARSE_PAGE = 100  # runs in the page the in-process parse case decodes
SSE_DELTAS = 1000  # thread.message.delta events in the streamed run


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


@cache
def run_example() -> dict[str, Any]:
    import yaml  # only the fixtures need it; never timed

    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    example: dict[str, Any] = spec["components"]["schemas"]["RunObject"]["examples"][0]
    return example


def run(index: int) -> dict[str, Any]:
    """The spec example with a distinct id (and this benchmark's thread)."""
    item = copy.deepcopy(run_example())
    item["id"] = f"run_{index:06d}"
    item["thread_id"] = THREAD_ID
    return item


@cache
def all_runs() -> list[dict[str, Any]]:
    return [run(index) for index in range(WALK_TOTAL)]


def page(runs: list[dict[str, Any]], has_more: bool) -> bytes:
    body = {
        "object": "list",
        "data": runs,
        "first_id": runs[0]["id"] if runs else None,
        "last_id": runs[-1]["id"] if runs else None,
        "has_more": has_more,
    }
    return _dumps(body).encode()


def list_pages() -> dict[tuple[int, str | None], bytes]:
    """Bodies of GET .../runs keyed by (limit, after): the 20-run page and the 1000-run walk in pages of 100."""
    runs = all_runs()
    pages: dict[tuple[int, str | None], bytes] = {(SMALL_PAGE, None): page(runs[:SMALL_PAGE], True)}
    for start in range(0, WALK_TOTAL, WALK_PAGE):
        after = None if start == 0 else runs[start - 1]["id"]
        chunk = runs[start : start + WALK_PAGE]
        pages[(WALK_PAGE, after)] = page(chunk, start + WALK_PAGE < WALK_TOTAL)
    return pages


@cache
def parse_page() -> bytes:
    """The 100-run page the in-process parse case decodes."""
    return page(all_runs()[:PARSE_PAGE], True)


def created_run() -> bytes:
    """Body of POST .../runs: one RunObject (queued, as a fresh run is)."""
    item = run(WALK_TOTAL)
    item["status"] = "queued"
    return _dumps(item).encode()


def sse_events() -> list[bytes]:
    """The streamed run: SSE_DELTAS message deltas, then thread.run.completed and [DONE]; one bytes per event."""
    events = []
    for index in range(SSE_DELTAS):
        delta = {
            "id": "msg_0001",
            "object": "thread.message.delta",
            "delta": {"content": [{"index": 0, "type": "text", "text": {"value": f"token{index} "}}]},
        }
        events.append(f"event: thread.message.delta\ndata: {_dumps(delta)}\n\n".encode())
    events.append(f"event: thread.run.completed\ndata: {_dumps(run(WALK_TOTAL + 1))}\n\n".encode())
    events.append(b"event: done\ndata: [DONE]\n\n")
    return events
