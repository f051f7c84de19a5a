"""How far an Assistants-compatible server is from the Runs API: ``check(client, assistant_id=...)``.

It drives the server through the operations of the spec with the strict response contract (every
answer parsed as typed or error) and reports each check as ``pass``, ``deviation`` or ``not supported``,
with what clients will see for each deviation. It only creates runs on the thread it is given (or on a
new one the server auto-creates), and says so up front (``PLAN``).

This is the first set of checks: create, retrieve, update, cancel, the tool path, list and its
cursors in both orders, steps, a streamed run, an unknown id, a bad limit, and the headers the API
sends (request id, poll interval).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from threadruns_api.models import RunStatus
from threadruns_api.resources import _operations as _ops
from threadruns_api.resources._operations import POLL_AFTER_MS_HEADER, REQUEST_ID_HEADER

from ._client import Client
from ._exceptions import APIConnectionError, APIResponseValidationError, APIStatusError, NotFoundError
from ._tools import pending_calls

Outcome = Literal["pass", "deviation", "not supported"]

PLAN = (
    "creates up to 5 runs (one streamed, one cancelled, one answered with tool outputs) on the thread it is "
    "given, or on a new thread id if none is"
)


@dataclass(frozen=True)
class CheckResult:
    """One check: the operation, what was checked, the outcome, and for a deviation what clients see."""

    operation: str
    check: str
    outcome: Outcome
    detail: str = ""
    clients_see: str = ""


@dataclass
class Report:
    """Every check of one run of ``check``; ``ok`` when nothing deviates."""

    results: list[CheckResult] = field(default_factory=list)

    @property
    def deviations(self) -> list[CheckResult]:
        return [r for r in self.results if r.outcome == "deviation"]

    @property
    def unsupported(self) -> list[CheckResult]:
        return [r for r in self.results if r.outcome == "not supported"]

    @property
    def ok(self) -> bool:
        return not self.deviations

    def summary(self) -> str:
        return f"{len(self.results)} checks, {len(self.deviations)} deviations, {len(self.unsupported)} not supported"

    def to_json(self) -> str:
        return json.dumps({"summary": self.summary(), "results": [asdict(r) for r in self.results]}, indent=2)

    def table(self) -> str:
        """The report as text: one line per check, then the summary."""
        width = max([len(r.operation) for r in self.results] + [9])
        lines = []
        for r in self.results:
            line = f"{r.operation:<{width}}  {r.outcome:<13}  {r.check}"
            if r.outcome != "pass" and r.detail:
                line += f": {r.detail}"
            if r.clients_see:
                line += f" [clients: {r.clients_see}]"
            lines.append(line)
        return "\n".join([*lines, self.summary()])


class _Checks:
    def __init__(self, client: Client, assistant_id: str, thread_id: str, tool_assistant_id: str | None) -> None:
        self.client = client
        self.assistant_id = assistant_id
        self.tool_assistant_id = tool_assistant_id
        self.thread_id = thread_id
        self.report = Report()

    def add(self, operation: str, check: str, ok: bool, detail: str = "", clients_see: str = "") -> None:
        outcome: Outcome = "pass" if ok else "deviation"
        self.report.results.append(
            CheckResult(operation, check, outcome, "" if ok else detail, "" if ok else clients_see)
        )

    def call(self, operation: str, fn: Callable[[], Any]) -> Any:
        """``fn()``, with a typed-or-error failure recorded as the deviation it is (None then)."""
        try:
            return fn()
        except APIResponseValidationError as exc:
            self.add(
                operation,
                "answer matches the spec",
                False,
                str(exc).split(" (to read", 1)[0],
                "threadruns raises APIResponseValidationError; openai-python passes the value on",
            )
        except NotFoundError as exc:
            self.report.results.append(CheckResult(operation, "operation answers", "not supported", str(exc)))
        except APIStatusError as exc:
            self.add(
                operation,
                "operation answers",
                False,
                f"{exc.status_code}: {exc.message}",
                f"both clients raise {type(exc).__name__}",
            )
        except APIConnectionError as exc:
            self.add(operation, "operation answers", False, str(exc), "both clients raise APIConnectionError")
        return None

    def run(self) -> Report:
        runs = self.client.beta.threads.runs
        answer = self.call(
            "create",
            lambda: runs.with_raw_response.create(
                self.thread_id, assistant_id=self.assistant_id, metadata={"conformance": "1"}
            ),
        )
        run = None
        if answer is not None:
            run = self.call("create", answer.parse)
            self.add(
                "create",
                f"{REQUEST_ID_HEADER} header",
                bool(answer.request_id),
                f"no {REQUEST_ID_HEADER}",
                "errors carry request_id=None",
            )
        if run is not None:
            self.add("create", "answer matches the spec", True)
            self.add("create", "metadata kept", run.metadata == {"conformance": "1"}, f"got {run.metadata!r}")
            polled = self.call("poll", lambda: runs.with_raw_response.retrieve(run.id, thread_id=self.thread_id))
            if polled is not None:
                self.add(
                    "poll",
                    f"{POLL_AFTER_MS_HEADER} header",
                    POLL_AFTER_MS_HEADER in polled.headers,
                    f"no {POLL_AFTER_MS_HEADER}",
                    "poll falls back to poll_interval_ms",
                )
            final = self.call("poll", lambda: runs.poll(run.id, self.thread_id, poll_interval_ms=100, poll_timeout=60))
            if final is not None:
                self.add("poll", "the run reaches a final status", True)
                got = self.call("retrieve", lambda: runs.retrieve(run.id, thread_id=self.thread_id))
                if got is not None:
                    self.add("retrieve", "answer matches the spec", True)
                    self.add("retrieve", "the same run", got.id == run.id, f"asked {run.id}, got {got.id}")
                updated = self.call(
                    "update", lambda: runs.update(run.id, thread_id=self.thread_id, metadata={"conformance": "2"})
                )
                if updated is not None:
                    self.add(
                        "update",
                        "metadata replaced",
                        updated.metadata == {"conformance": "2"},
                        f"got {updated.metadata!r}",
                    )
                steps = self.call("steps.list", lambda: runs.steps.list(run.id, thread_id=self.thread_id))
                if steps is not None:
                    self.add("steps.list", "answer matches the spec", True)
                    self.add(
                        "steps.list",
                        "steps belong to the run",
                        all(s.run_id == run.id for s in steps.data),
                        "a step of another run",
                    )
        self._stream()
        self._cancel()
        self._tools()
        self._list()
        missing = "run_" + secrets.token_hex(8)
        try:
            runs.retrieve(missing, thread_id=self.thread_id)
            self.add("retrieve", "an unknown id is a 404", False, "the server answered 200", "no error at all")
        except NotFoundError as exc:
            self.add("retrieve", "an unknown id is a 404", True)
            self.add(
                "retrieve",
                "the 404 body is {error: {...}}",
                isinstance(exc.body, dict) and "error" in exc.body,
                f"got {exc.body!r}",
                "error.code/param/type are None",
            )
        except APIStatusError as exc:
            self.add(
                "retrieve",
                "an unknown id is a 404",
                False,
                f"got {exc.status_code}",
                f"both clients raise {type(exc).__name__} instead of NotFoundError",
            )
        return self.report

    def _stream(self) -> None:
        runs = self.client.beta.threads.runs

        def events() -> list[Any]:
            with runs.stream(thread_id=self.thread_id, assistant_id=self.assistant_id) as stream:
                seen = list(stream)
                self.add("stream", "content-type text/event-stream", True)
                self.add("stream", "ends with a final run", stream.final_run() is not None)
                return seen

        seen = self.call("stream", events)
        if seen is not None:
            names = [e.event for e in seen]
            self.add("stream", "events parse as the spec's models", True)
            self.add(
                "stream",
                "starts with thread.run.created",
                names[:1] == ["thread.run.created"],
                f"starts with {names[:1]}",
            )

    def _cancel(self) -> None:
        runs = self.client.beta.threads.runs
        run = self.call("cancel", lambda: runs.create(self.thread_id, assistant_id=self.assistant_id))
        if run is None:
            return
        try:
            cancelled = runs.cancel(run.id, thread_id=self.thread_id)
        except APIStatusError as exc:
            final = self.call(
                "cancel", lambda: runs.poll(run.id, self.thread_id, poll_interval_ms=100, poll_timeout=60)
            )
            if exc.status_code == 400 and final is not None and final.status != RunStatus.CANCELLED:
                return  # the run ended before the cancel reached it: nothing to judge
            outcome: Outcome = "not supported" if exc.status_code in (404, 405, 501) else "deviation"
            self.report.results.append(
                CheckResult(
                    "cancel",
                    "an active run can be cancelled",
                    outcome,
                    f"{exc.status_code}: {exc.message}",
                    f"both clients raise {type(exc).__name__}" if outcome == "deviation" else "",
                )
            )
            return
        self.add(
            "cancel",
            "the answer is cancelling or cancelled",
            cancelled.status in (RunStatus.CANCELLING, RunStatus.CANCELLED),
            f"status {cancelled.status}",
        )
        final = self.call("cancel", lambda: runs.poll(run.id, self.thread_id, poll_interval_ms=100, poll_timeout=60))
        if final is not None:
            self.add("cancel", "the run ends cancelled", final.status == RunStatus.CANCELLED, f"ended {final.status}")

    def _tools(self) -> None:
        runs = self.client.beta.threads.runs
        tool_assistant = self.tool_assistant_id
        if tool_assistant is None:
            self.report.results.append(
                CheckResult("submit_tool_outputs", "the tool path", "not supported", "no tool assistant given")
            )
            return
        run = self.call(
            "submit_tool_outputs",
            lambda: runs.create_and_poll(
                thread_id=self.thread_id, assistant_id=tool_assistant, poll_interval_ms=100, poll_timeout=60
            ),
        )
        if run is None:
            return
        waiting = run.status == RunStatus.REQUIRES_ACTION
        self.add(
            "submit_tool_outputs",
            "a tool assistant's run requires action",
            waiting,
            f"ended {run.status}",
            "the tool loop has nothing to answer",
        )
        if not waiting:
            return
        calls = pending_calls(run)
        self.add(
            "submit_tool_outputs",
            "the waiting run lists its tool calls",
            bool(calls),
            "no tool calls listed",
            "create_and_run_tools raises ToolLoopError",
        )
        if not calls:
            return
        outputs = [{"tool_call_id": call.id, "output": "conformance"} for call in calls]
        done = self.call(
            "submit_tool_outputs",
            lambda: runs.submit_tool_outputs_and_poll(
                tool_outputs=outputs, run_id=run.id, thread_id=self.thread_id, poll_interval_ms=100, poll_timeout=60
            ),
        )
        if done is not None:
            self.add(
                "submit_tool_outputs",
                "the run completes after the outputs",
                done.status == RunStatus.COMPLETED,
                f"ended {done.status}",
            )

    def _list(self) -> None:
        runs = self.client.beta.threads.runs
        page = self.call("list", lambda: runs.list(self.thread_id, limit=1, order="asc"))
        if page is None:
            return
        self.add("list", "answer matches the spec", True)
        self.add("list", "limit honoured", len(page.data) <= 1, f"{len(page.data)} items for limit=1")
        self.add(
            "list",
            "first_id/last_id are the page's ends",
            not page.data or (page.first_id == page.data[0].id and page.last_id == page.data[-1].id),
            f"first_id={page.first_id}, last_id={page.last_id}",
        )
        walked = self.call("list", lambda: [r.id for r in runs.list(self.thread_id, limit=1, order="asc")])
        if walked is not None:
            self.add(
                "list",
                "a walk with limit=1 reaches every run (has_more, after)",
                len(walked) >= 2,
                f"walked {len(walked)} runs",
                "clients stop after the first page",
            )
            self.add("list", "no run twice in the walk", len(walked) == len(set(walked)), "duplicates")
            backwards = self.call("list", lambda: [r.id for r in runs.list(self.thread_id, limit=1, order="desc")])
            if backwards is not None:
                self.add(
                    "list",
                    "order=desc is the walk reversed",
                    backwards == walked[::-1],
                    f"asc {walked}, desc {backwards}",
                    "pages in the wrong order",
                )
            if len(walked) >= 2:
                before = self.call("list", lambda: runs.list(self.thread_id, order="asc", before=walked[-1]).data)
                if before is not None:
                    self.add(
                        "list",
                        "before= gives the runs before the cursor",
                        [r.id for r in before] == walked[:-1],
                        f"got {[r.id for r in before]}",
                        "backward pages skip or repeat runs",
                    )
        try:
            too_many = int(_ops.LIST_RUNS.by_name["limit"].schema["maximum"]) + 1  # the spec's maximum, plus one
            runs.list(self.thread_id, extra_query={"limit": too_many})
            self.add("list", "a limit over the maximum is a 400", False, "the server answered 200", "no error at all")
        except APIStatusError as exc:
            self.add("list", "a limit over the maximum is a 400", exc.status_code == 400, f"got {exc.status_code}")


def check(
    client: Client, *, assistant_id: str, thread_id: str | None = None, tool_assistant_id: str | None = None
) -> Report:
    """Drive the server behind ``client`` through the Runs API and report how it conforms (see ``PLAN``).

    ``tool_assistant_id``: an assistant whose runs call a function, for the tool path (else "not supported").
    """
    thread = thread_id or "thread_conformance_" + secrets.token_hex(6)
    return _Checks(client, assistant_id, thread, tool_assistant_id).run()


__all__ = ["PLAN", "CheckResult", "Report", "check"]
