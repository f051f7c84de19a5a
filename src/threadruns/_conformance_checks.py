"""The checks of ``threadruns.conformance``: drive a server through the Runs API and judge each answer.

Every JSON answer is audited field by field against its schema in the spec (``_audit``) and then parsed
by a client in ``warn`` mode, so that one flaw shows as that flaw and the checks after it still run. The
client never retries, so a status is the server's first answer. Each run this creates is waited on until
it ends before the next is created (servers allow one active run per thread), and every wait is bounded.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
from threadruns_api.models import RunStatus
from threadruns_api.resources import _operations as _ops
from threadruns_api.resources._answers import ERROR_MODEL
from threadruns_api.resources._operations import (
    POLL_AFTER_MS_HEADER,
    POLL_STOP_STATUSES,
    REQUEST_ID_HEADER,
    STREAM_CONTENT_TYPE,
    STREAM_END_DATA,
    STREAM_END_EVENT,
    STREAM_ERROR_EVENT,
    STREAM_EVENTS,
)

from ._audit import Finding, audit
from ._client import Client
from ._conformance_report import CheckResult, Outcome, Report
from ._events import TERMINAL_RUN_EVENTS, event_kind
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    NotFoundError,
    PollTimeoutError,
    ThreadRunsError,
)
from ._operation import Operation
from ._sse import SSEDecoder
from ._tools import pending_calls

MAX_EVENTS = 10_000  # a stream longer than this is not read to its end
UNSUPPORTED = (404, 405, 501)  # what a server answers for an operation it does not have
PROBE_TOOL = {
    "type": "function",
    "function": {
        "name": "conformance_probe",
        "description": "Not meant to be called: it checks that the run keeps the tools it was given.",
        "parameters": {"type": "object", "properties": {}},
    },
}
# The events whose payload is a run, by the spec's event patterns ("thread.run.*"); a new run's stream
# starts with the one that says it was created.
_RUN_MODEL = _ops.GET_RUN.response_model
_RUN_EVENT = next(pattern.removesuffix("*") for pattern, model in STREAM_EVENTS if model == _RUN_MODEL)
_CREATED = _RUN_EVENT + "created"


def _is_run_event(name: str) -> bool:
    kind = event_kind(name)
    return kind is not None and kind.model.__name__ == _RUN_MODEL


class _QuietTolerance(logging.Filter):
    """Drops the warn client's one-line warnings in the checking thread: here they are findings, reported
    in the table instead. Other threads, and every other log line, are left alone."""

    def __init__(self) -> None:
        super().__init__()
        self.thread = threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.module == "_tolerance" and record.thread == self.thread)


@contextlib.contextmanager
def _quiet_tolerance() -> Iterator[None]:
    log = logging.getLogger("threadruns")
    quiet = _QuietTolerance()
    log.addFilter(quiet)
    try:
        yield
    finally:
        log.removeFilter(quiet)


_INDEX = re.compile(r"\[\d+\]")


def _collapsed(findings: list[Finding]) -> list[tuple[Finding, int]]:
    """The findings with list indexes as ``[*]`` and repeats counted (a page repeats its items' flaws)."""
    counts: dict[Finding, int] = {}
    for f in findings:
        key = Finding(_INDEX.sub("[*]", f.path), f.kind, f.detail if f.kind != "not unix seconds" else "", f.nullable)
        counts[key] = counts.get(key, 0) + 1
    return list(counts.items())


def _listing(findings: list[Finding], limit: int = 4) -> str:
    collapsed = _collapsed(findings)
    shown = "; ".join(str(f) + (f" (x{n})" if n > 1 else "") for f, n in collapsed[:limit])
    return shown + (f"; and {len(collapsed) - limit} more" if len(collapsed) > limit else "")


def _error_fields(exc: APIStatusError) -> Any:
    try:
        return exc.response.json()
    except ValueError:
        return exc.response.text


def _at_most(value: float | None, bound: float) -> float:
    return bound if value is None else min(value, bound)


class _SetupError(ThreadRunsError):
    """The check cannot start (an unknown thread or assistant): raised to the caller, not reported."""


class Driver:
    """One conformance run against one server (see ``threadruns.conformance.check``)."""

    def __init__(
        self,
        client: Client,
        *,
        assistant_id: str,
        thread_id: str,
        tool_assistant_id: str | None,
        poll_timeout: float,
    ) -> None:
        # No retries (a status is the server's first answer), and no single request waits longer than a run may.
        given = client.timeout
        timeout = httpx.Timeout(
            connect=_at_most(given.connect, poll_timeout),
            read=_at_most(given.read, poll_timeout),
            write=_at_most(given.write, poll_timeout),
            pool=_at_most(given.pool, poll_timeout),
        )
        self.client = client.with_options(max_retries=0, response_validation="warn", timeout=timeout)
        self.runs = self.client.beta.threads.runs
        self.messages = self.client.beta.threads.messages
        self.assistant_id = assistant_id
        self.thread_id = thread_id
        self.tool_assistant_id = tool_assistant_id
        self.poll_timeout = poll_timeout
        self.report = Report(base_url=str(client.base_url))
        self.tag = secrets.token_hex(4)

    # Recording ---------------------------------------------------------------------------------------

    def record(self, operation: str, check: str, ok: bool, detail: str, clients_see: str, note: str = "") -> None:
        """One check's outcome; for a deviation, what was found and what clients will see."""
        outcome: Outcome = "pass" if ok else "deviation"
        self.report.results.append(
            CheckResult(operation, check, outcome, "" if ok else detail, "" if ok else clients_see, note)
        )

    def unsupported(self, operation: str, check: str, detail: str) -> None:
        self.report.results.append(CheckResult(operation, check, "not supported", detail))

    def fields(self, operation: str, findings: list[Finding], check: str = "fields match the spec") -> None:
        """The audit's findings as one check: a deviation for each flaw; keys the spec does not list, a note."""
        flaws = [f for f in findings if not f.allowed]
        extra = [f for f in findings if f.allowed]
        seen = list(dict.fromkeys(f.clients_see for f, _ in _collapsed(flaws)))
        note = f"keys the spec does not list (allowed): {_listing(extra)}" if extra else ""
        self.record(operation, check, not flaws, _listing(flaws), "; ".join(seen[:2]), note)

    def failed(self, operation: str, exc: Exception) -> None:
        """An operation that did not answer as the spec says it does."""
        if isinstance(exc, APIStatusError) and exc.status_code in UNSUPPORTED:
            self.unsupported(operation, "the operation answers", f"{exc.status_code}: {exc.message}")
        elif isinstance(exc, APIStatusError):
            self.record(
                operation,
                "the operation answers",
                False,
                f"{exc.status_code}: {exc.message}",
                f"both clients raise {type(exc).__name__}",
            )
        elif isinstance(exc, PollTimeoutError):
            self.record(
                operation,
                "the run reaches a final status",
                False,
                str(exc),
                "threadruns' poll() raises PollTimeoutError; openai-python's poll() waits forever",
            )
        else:
            self.record(operation, "the operation answers", False, str(exc), f"both clients raise {type(exc).__name__}")

    def answer(self, operation: str, op: Operation, send: Callable[[], Any]) -> tuple[Any, Any]:
        """``send()`` (a raw-response call of ``op``), its JSON audited against op's answer schema, then parsed.

        Returns (parsed or None, the raw response or None); a failure is recorded.
        """
        try:
            raw = send()
        except (APIStatusError, APIConnectionError) as exc:
            self.failed(operation, exc)
            return None, None
        try:
            body = raw.http_response.json()
        except ValueError:
            ctype = raw.headers.get("content-type", "")
            self.record(
                operation,
                "the answer is JSON",
                False,
                f"not JSON ({ctype}): {raw.http_response.text[:80]!r}",
                "threadruns raises APIResponseValidationError; openai-python returns the text",
            )
            return None, raw
        self.fields(operation, audit(body, op.response_model))
        try:
            return raw.parse(), raw
        except APIResponseValidationError as exc:  # the strict client cannot read it at all
            self.record(
                operation,
                "the answer parses",
                False,
                str(exc).split(" (to read", 1)[0],
                "threadruns raises APIResponseValidationError, even with response_validation='warn'",
            )
            return None, raw

    def settle(self, run_id: str, operation: str) -> Any:
        """Wait for a run to end (answering any tool calls), so that the thread can take the next run."""
        try:
            run = self.runs.poll(run_id, self.thread_id, poll_interval_ms=100, poll_timeout=self.poll_timeout)
            for _ in range(5):  # a model may call a function it was offered: answer it, boundedly
                calls = pending_calls(run) if run.status == RunStatus.REQUIRES_ACTION else []
                if not calls:
                    break
                outputs = [{"tool_call_id": call.id, "output": "conformance"} for call in calls]
                run = self.runs.submit_tool_outputs_and_poll(
                    tool_outputs=outputs,
                    run_id=run_id,
                    thread_id=self.thread_id,
                    poll_interval_ms=100,
                    poll_timeout=self.poll_timeout,
                )
            return run
        except (APIStatusError, APIConnectionError, PollTimeoutError) as exc:
            self.failed(operation, exc)
            return None

    # The checks --------------------------------------------------------------------------------------

    def run(self) -> Report:
        started = time.perf_counter()
        with _quiet_tolerance():
            if self._guarded("create", self._create_and_read):
                for name, part in (
                    ("create (tools)", self._create_with_tools),
                    ("stream", self._stream),
                    ("cancel", self._cancel),
                    ("submit_tool_outputs", self._tools),
                    ("list", self._list),
                    ("errors", self._errors),
                ):
                    self._guarded(name, part)
            else:
                self.unsupported("create", "the other checks", "not run: creating a run gave no run to check")
        self.report.seconds = time.perf_counter() - started
        return self.report

    def _guarded(self, operation: str, part: Callable[[], Any]) -> Any:
        """``part()``; an answer so far off the spec that a check could not go on is a deviation, not a crash."""
        try:
            return part()
        except _SetupError:
            raise
        except Exception as exc:
            self.record(
                operation,
                "the checks run to their end",
                False,
                f"stopped by {type(exc).__name__}: {str(exc)[:200]}",
                f"a client doing the same meets {type(exc).__name__}",
            )
            return None

    def _create_and_read(self) -> bool:
        runs = self.runs
        metadata = {"conformance": self.tag}

        def create() -> Any:
            try:
                return runs.with_raw_response.create(self.thread_id, assistant_id=self.assistant_id, metadata=metadata)
            except NotFoundError as exc:  # nothing can be checked: say what to give instead
                raise _SetupError(
                    f"the server does not know thread {self.thread_id!r} or assistant {self.assistant_id!r} "
                    f"({exc.message}): give an existing assistant, and --thread or --new-thread-command "
                    "(thread_id=) for a server that does not create threads on first use"
                ) from exc

        run, raw = self.answer("create", _ops.CREATE_RUN, create)
        if raw is not None:
            self.record(
                "create",
                f"{REQUEST_ID_HEADER} header",
                bool(raw.request_id),
                f"no {REQUEST_ID_HEADER} header",
                "errors and logs carry request_id=None: support cannot find the request",
            )
        if run is None:
            return False
        self.record(
            "create",
            "metadata kept",
            run.metadata == metadata,
            f"sent {metadata}, got {run.metadata!r}",
            "code that tags runs with metadata, and finds them by it, loses them",
        )
        _, raw = self.answer(
            "poll", _ops.GET_RUN, lambda: runs.with_raw_response.retrieve(run.id, thread_id=self.thread_id)
        )
        if raw is not None:
            interval = raw.headers.get(POLL_AFTER_MS_HEADER)
            self.record(
                "poll",
                f"{POLL_AFTER_MS_HEADER} header",
                interval is not None and interval.strip().isdigit(),
                f"no {POLL_AFTER_MS_HEADER} header" if interval is None else f"not a number of ms: {interval!r}",
                "both clients poll at their own interval, not at the server's pace"
                if interval is None
                else "openai-python's poll() raises ValueError; threadruns' poll() uses its own interval",
            )
        final = self.settle(run.id, "poll")
        if final is None:
            return True
        # settle() returns only a run at a stop status; a run that never gets there is its deviation
        self.record("poll", "the run reaches a final status", final.status in POLL_STOP_STATUSES, "", "")
        got, _ = self.answer(
            "retrieve", _ops.GET_RUN, lambda: runs.with_raw_response.retrieve(run.id, thread_id=self.thread_id)
        )
        if got is not None:
            self.record(
                "retrieve",
                "the same run",
                got.id == run.id,
                f"asked for {run.id}, got {got.id}",
                "both clients hand back another run than the one asked for",
            )
        changed = {"conformance": self.tag, "updated": "1"}
        updated, _ = self.answer(
            "update",
            _ops.MODIFY_RUN,
            lambda: runs.with_raw_response.update(run.id, thread_id=self.thread_id, metadata=changed),
        )
        if updated is not None:
            self.record(
                "update",
                "metadata replaced",
                updated.metadata == changed,
                f"got {updated.metadata!r}",
                "runs.update(metadata=...) does not change what later reads return",
            )
        self._steps(run.id)
        self._messages(run.id)
        return True

    def _steps(self, run_id: str) -> None:
        steps = self.runs.steps
        self._children(
            "steps",
            "step",
            run_id,
            (_ops.LIST_RUN_STEPS, lambda: steps.with_raw_response.list(run_id, thread_id=self.thread_id, limit=100)),
            (
                _ops.GET_RUN_STEP,
                lambda item: steps.with_raw_response.retrieve(item, thread_id=self.thread_id, run_id=run_id),
            ),
        )

    def _messages(self, run_id: str) -> None:
        messages = self.messages
        self._children(
            "messages",
            "message",
            run_id,
            (
                _ops.LIST_MESSAGES,
                lambda: messages.with_raw_response.list(self.thread_id, run_id=run_id, limit=100),
            ),
            (_ops.GET_MESSAGE, lambda item: messages.with_raw_response.retrieve(item, thread_id=self.thread_id)),
        )

    def _children(
        self,
        resource: str,
        noun: str,
        run_id: str,
        listing: tuple[Operation, Callable[[], Any]],
        fetch: tuple[Operation, Callable[[str], Any]],
    ) -> None:
        """A finished run's steps or messages: listed (all the run's own), and the first one retrieved."""
        page, _ = self.answer(f"{resource}.list", *listing)
        if page is None:
            return
        owners = sorted({str(item.run_id) for item in page.data})
        self.record(
            f"{resource}.list",
            f"the {noun}s belong to the run",
            owners in ([], [run_id]),
            f"run_ids {owners}",
            f"code that shows a run's {noun}s shows other runs' too",
        )
        self.record(
            f"{resource}.list",
            f"the finished run has a {noun}",
            bool(page.data),
            f"no {noun} for the run",
            f"code that reads a run's {noun}s (its answer, its tool calls) finds none",
        )
        if not page.data:
            return
        wanted = page.data[0].id
        op, retrieve = fetch
        item, _ = self.answer(f"{resource}.retrieve", op, lambda: retrieve(wanted))
        if item is not None:
            self.record(
                f"{resource}.retrieve",
                f"the same {noun}",
                item.id == wanted,
                f"asked {wanted}, got {item.id}",
                f"both clients hand back another {noun} than the one asked for",
            )

    def _create_with_tools(self) -> None:
        run, _ = self.answer(
            "create (tools)",
            _ops.CREATE_RUN,
            lambda: self.runs.with_raw_response.create(
                self.thread_id, assistant_id=self.assistant_id, tools=[PROBE_TOOL]
            ),
        )
        if run is None:
            return
        names = [getattr(getattr(tool, "function", None), "name", None) for tool in run.tools]
        self.record(
            "create (tools)",
            "the run keeps the tools given",
            "conformance_probe" in names,
            f"run.tools names {names}",
            "the run cannot call the functions the request gave it",
        )
        self.settle(run.id, "create (tools)")

    # Streams -----------------------------------------------------------------------------------------

    def _stream(self) -> None:
        run_id = self.open_stream(
            "stream",
            lambda: self.runs.create(self.thread_id, assistant_id=self.assistant_id, stream=True),
            first=_CREATED,
        )
        if run_id:
            self.settle(run_id, "stream")

    def open_stream(self, operation: str, start: Callable[[], Any], first: str | None = None) -> str | None:
        """Start a stream and check it (see ``stream_checks``); the id of its run, if it says."""
        try:
            stream = start()
        except APIResponseValidationError as exc:  # the answer is not an event stream (and is closed)
            self._content_type(operation, exc.response)
            newest = self._ids(limit=1, order="desc")
            return newest[0] if newest else None
        except (APIStatusError, APIConnectionError) as exc:
            self.failed(operation, exc)
            return None
        with stream:
            return self.stream_checks(operation, stream.response, first)

    def _content_type(self, operation: str, response: httpx.Response) -> bool:
        ctype = str(response.headers.get("content-type", ""))
        is_stream = ctype.split(";")[0].strip() == STREAM_CONTENT_TYPE
        self.record(
            operation,
            f"content type {STREAM_CONTENT_TYPE}",
            is_stream,
            f"got {ctype or 'none'}" + (": stream: true was ignored" if "json" in ctype else ""),
            "threadruns raises APIResponseValidationError (not an event stream); openai-python yields no events",
        )
        return is_stream

    def stream_checks(self, operation: str, response: httpx.Response, first: str | None = None) -> str | None:
        """Content type, event names, payloads, order and end marker of one stream; the run's id.

        ``first``: the event the stream must start with (a new run's stream starts with its creation)."""
        if not self._content_type(operation, response):
            return None
        events, cut = self._read_events(response)
        ends = {STREAM_END_EVENT, STREAM_ERROR_EVENT}
        foreign = [
            (name, data)
            for name, data in events
            if name not in ends and data != STREAM_END_DATA and event_kind(name) is None
        ]
        unknown = sorted({name for name, _ in foreign})
        known = any(event_kind(name) is not None for name, _ in events)
        self.record(
            operation,
            "event names are Assistants events",
            known and not unknown,
            f"unknown events {unknown}, the first with data {foreign[0][1][:60]!r}"
            if foreign
            else "no Assistants events at all",
            "threadruns yields UnknownEvent; openai-python reads them as its first event type (ThreadCreated); "
            "event handlers see no text, no run, no tool calls",
        )
        findings: list[Finding] = []
        run_id = None
        for name, data in events:
            kind = event_kind(name)
            if kind is None:
                continue
            try:
                payload = json.loads(data)
            except ValueError:
                findings.append(Finding(name, "wrong type", "data is not JSON"))
                continue
            findings += audit(payload, kind.model.__name__)
            if _is_run_event(name) and isinstance(payload, dict) and run_id is None:
                found = payload.get("id")
                run_id = found if isinstance(found, str) and found else None
        if known and not unknown:
            self.fields(operation, findings, "payloads match the spec")
            self._order(operation, events, first)
        last = events[-1] if events else ("", "")
        self.record(
            operation,
            f"ends with event: {STREAM_END_EVENT} / data: {STREAM_END_DATA}",
            cut is None and (last[0] == STREAM_END_EVENT or last[1] == STREAM_END_DATA),
            cut or f"last event {last[0]!r} {last[1][:40]!r}",
            "both clients wait for the connection to close; a proxy that keeps it open hangs them"
            if cut is None
            else "both clients raise the transport's error in the middle of the stream",
        )
        return run_id

    def _read_events(self, response: httpx.Response) -> tuple[list[tuple[str, str]], str | None]:
        """The stream's events, read for at most ``poll_timeout`` and ``MAX_EVENTS``; and why it broke off."""
        decoder = SSEDecoder()
        events: list[tuple[str, str]] = []
        deadline = time.monotonic() + self.poll_timeout
        try:
            for chunk in response.iter_bytes():
                events += [(e.event, e.data) for e in decoder.feed(chunk)]
                if len(events) > MAX_EVENTS:
                    return events, f"more than {MAX_EVENTS} events: not read to the end"
                if time.monotonic() > deadline:
                    return events, f"still open after {self.poll_timeout:g} s (poll_timeout)"
        except httpx.HTTPError as exc:
            return events, f"the stream broke off: {type(exc).__name__}: {exc}"
        return events + [(e.event, e.data) for e in decoder.flush()], None

    def _order(self, operation: str, events: list[tuple[str, str]], first: str | None) -> None:
        names = [name for name, _ in events if name not in (STREAM_END_EVENT, STREAM_ERROR_EVENT)]
        if first is not None:
            self.record(
                operation,
                f"starts with {first}",
                names[:1] == [first],
                f"starts with {names[:1]}",
                "clients learn the run's id late, or never",
            )
        run_events = [name for name in names if _is_run_event(name)]
        self.record(
            operation,
            "the last run event is a final status",
            bool(run_events) and run_events[-1] in TERMINAL_RUN_EVENTS,
            f"last run event {run_events[-1:]}",
            "get_final_run() gives a run still under way, or raises RuntimeError when the stream has none",
        )

    # Cancel, tools -----------------------------------------------------------------------------------

    def _cancel(self) -> None:
        run, _ = self.answer(
            "create (to cancel)",
            _ops.CREATE_RUN,
            lambda: self.runs.with_raw_response.create(self.thread_id, assistant_id=self.assistant_id),
        )
        if run is None:
            return
        try:
            raw = self.runs.with_raw_response.cancel(run.id, thread_id=self.thread_id)
        except APIStatusError as exc:
            final = self.settle(run.id, "cancel")
            if exc.status_code in UNSUPPORTED:
                self.unsupported("cancel", "an active run can be cancelled", f"{exc.status_code}: {exc.message}")
            elif exc.status_code == 400 and final is not None and final.status != RunStatus.CANCELLED:
                self.unsupported("cancel", "an active run can be cancelled", "the run ended before the cancel")
            else:
                self.failed("cancel", exc)
            return
        except APIConnectionError as exc:
            self.failed("cancel", exc)
            return
        self.fields("cancel", audit(raw.http_response.json(), _ops.CANCEL_RUN.response_model))
        cancelled = raw.parse()
        self.record(
            "cancel",
            "the answer is cancelling or cancelled",
            cancelled.status in (RunStatus.CANCELLING, RunStatus.CANCELLED),
            f"status {cancelled.status}",
            "code that waits for a cancel to take effect sees the run go on",
        )
        final = self.settle(run.id, "cancel")
        if final is not None:
            self.record(
                "cancel",
                "the run ends cancelled",
                final.status == RunStatus.CANCELLED,
                f"ended {final.status}",
                "a cancelled run still does its work: cancel() returns, and the run completes anyway",
            )

    def _tool_run(self, operation: str) -> Any:
        """A tool assistant's run, waited on until it stops; None (recorded) unless it waits for outputs."""
        assert self.tool_assistant_id is not None
        assistant = self.tool_assistant_id
        run, _ = self.answer(
            f"create (for {operation})",
            _ops.CREATE_RUN,
            lambda: self.runs.with_raw_response.create(self.thread_id, assistant_id=assistant),
        )
        if run is None:
            return None
        try:
            run = self.runs.poll(run.id, self.thread_id, poll_interval_ms=100, poll_timeout=self.poll_timeout)
        except (APIStatusError, APIConnectionError, PollTimeoutError) as exc:
            self.failed(operation, exc)
            return None
        waiting = run.status == RunStatus.REQUIRES_ACTION
        self.record(
            operation,
            "a tool assistant's run requires action",
            waiting,
            f"ended {run.status} without asking for tool outputs",
            "the tool loop (create_and_run_tools, on_tool_call_*) never runs a function",
        )
        if not waiting:
            return None
        calls = pending_calls(run)
        self.record(
            operation,
            "the waiting run lists its tool calls",
            bool(calls),
            "required_action lists no tool calls",
            "create_and_run_tools raises ToolLoopError",
        )
        if not calls:
            self._release(run.id)
        return run if calls else None

    def _release(self, run_id: str) -> None:
        """Cancel a run left waiting for outputs no one can give, so that the thread takes the next run."""
        with contextlib.suppress(APIStatusError, APIConnectionError, APIResponseValidationError, PollTimeoutError):
            self.runs.cancel(run_id, thread_id=self.thread_id)
            self.runs.poll(run_id, self.thread_id, poll_interval_ms=100, poll_timeout=self.poll_timeout)

    def _tools(self) -> None:
        if self.tool_assistant_id is None:
            self.unsupported("submit_tool_outputs", "the tool path", "not checked: no tool assistant given")
            return
        run = self._tool_run("submit_tool_outputs")
        if run is not None:
            outputs = [{"tool_call_id": call.id, "output": "conformance"} for call in pending_calls(run)]
            answered, _ = self.answer(
                "submit_tool_outputs",
                _ops.SUBMIT_TOOL_OUTPUTS_TO_RUN,
                lambda: self.runs.with_raw_response.submit_tool_outputs(
                    run.id, thread_id=self.thread_id, tool_outputs=outputs
                ),
            )
            if answered is None:
                self._release(run.id)
            else:
                final = self.settle(run.id, "submit_tool_outputs")
                if final is not None:
                    self.record(
                        "submit_tool_outputs",
                        "the run completes after the outputs",
                        final.status == RunStatus.COMPLETED,
                        f"ended {final.status}",
                        "submit_tool_outputs_and_poll and the tool loop end without the assistant's answer",
                    )
        run = self._tool_run("submit_tool_outputs (stream)")
        if run is None:
            return
        outputs = [{"tool_call_id": call.id, "output": "conformance"} for call in pending_calls(run)]
        self.open_stream(
            "submit_tool_outputs (stream)",
            lambda: self.runs.submit_tool_outputs(run.id, thread_id=self.thread_id, tool_outputs=outputs, stream=True),
        )
        self.settle(run.id, "submit_tool_outputs (stream)")

    # Lists and errors --------------------------------------------------------------------------------

    def _ids(self, **query: Any) -> list[str] | None:
        try:
            return [run.id for run in self.runs.list(self.thread_id, **query).data]
        except (APIStatusError, APIConnectionError) as exc:
            self.failed("list", exc)
            return None

    def _list(self) -> None:
        runs = self.runs
        page, _ = self.answer(
            "list",
            _ops.LIST_RUNS,
            lambda: runs.with_raw_response.list(self.thread_id, limit=100, order="asc"),
        )
        if page is None:
            return
        ids = [run.id for run in page.data]
        if len(ids) < 3 or page.has_more is True:
            found = f"found {len(ids)}" if len(ids) < 3 else "found more than 100: give a new thread"
            self.unsupported("list", "cursors and pages", f"needs 3 to 100 runs on the thread, {found}")
            return
        self.record(
            "list",
            "first_id/last_id are the page's ends",
            page.first_id == ids[0] and page.last_id == ids[-1],
            f"first_id={page.first_id}, last_id={page.last_id}, ends {ids[0]}, {ids[-1]}",
            "code that pages by last_id skips or repeats runs",
        )
        first, _ = self.answer(
            "list (limit=2)",
            _ops.LIST_RUNS,
            lambda: runs.with_raw_response.list(self.thread_id, limit=2, order="asc"),
        )
        if first is not None:
            got = [run.id for run in first.data]
            self.record(
                "list (limit=2)",
                "limit honoured",
                got == ids[:2],
                f"limit=2 gave {got}",
                "pages are not the size asked for; code that reads one page gets too many or too few",
            )
            self.record(
                "list (limit=2)",
                "has_more on a partial page",
                first.has_more is True,
                f"has_more={first.has_more} with {len(ids)} runs and limit=2",
                "both clients stop after the first page: for run in client...list() sees 2 runs",
            )
        try:
            walked = [run.id for run in runs.list(self.thread_id, limit=2, order="asc")]
        except (APIStatusError, APIConnectionError) as exc:
            self.failed("list", exc)
            walked = None
        if walked is not None:
            self.record(
                "list",
                "a walk with limit=2 reaches every run once",
                walked == ids,
                f"walked {len(walked)} of {len(ids)} runs: {len(set(ids) - set(walked))} missing, "
                f"{len(walked) - len(set(walked))} twice",
                "auto-pagination stops early or repeats runs",
            )
        desc = self._ids(limit=100, order="desc")
        if desc is not None:
            self.record(
                "list",
                "order=desc is order=asc reversed",
                desc == ids[::-1],
                f"desc gave {desc}",
                "'the latest run' read from list(order='desc') is not the latest",
            )
        cursors = [
            ("asc", "after", ids, 1),
            ("asc", "before", ids, -1),
            ("desc", "after", ids[::-1], 1),
            ("desc", "before", ids[::-1], -1),
        ]
        for order, cursor, ordered, at in cursors:
            expected = ordered[at + 1 :] if cursor == "after" else ordered[:at]
            page_ids = self._ids(limit=100, order=order, **{cursor: ordered[at]})
            if page_ids is not None:
                self.record(
                    "list",
                    f"order={order}, {cursor}= gives the runs {cursor} the cursor",
                    page_ids == expected,
                    f"{cursor}={ordered[at]} gave {page_ids}, expected {expected}",
                    "pages in that direction skip or repeat runs",
                )

    def _error(
        self, operation: str, check: str, status: int, send: Callable[[], Any], param: str | None = None
    ) -> None:
        """An answer that must be an error of ``status`` in the spec's error shape (naming ``param``)."""
        try:
            send()
        except APIStatusError as exc:
            self.record(
                operation,
                check,
                exc.status_code == status,
                f"got {exc.status_code}",
                f"both clients raise {type(exc).__name__} where the API gives a {status}"
                + (" (retried first, as a server error)" if exc.status_code >= 500 else ""),
            )
            body = _error_fields(exc)
            findings = [f for f in audit(body, ERROR_MODEL) if not f.allowed]
            enveloped = isinstance(body, dict) and isinstance(body.get("error"), dict)
            self.record(
                operation,
                "the error body matches the spec",
                not findings,
                _listing(findings),
                "both clients still raise the class of the status, but some of exc.code/param/type are missing"
                if enveloped
                else "exc.code, exc.param and exc.type are None; exc.message holds the raw body",
            )
            if param is not None and not findings:
                got = exc.param
                self.record(
                    operation,
                    f"the error names param {param!r}",
                    got == param,
                    f"param={got!r}",
                    "exc.param does not say which argument was wrong",
                )
            return
        except APIConnectionError as exc:
            self.failed(operation, exc)
            return
        self.record(operation, check, False, "the server answered 2xx", "no error at all")

    def _errors(self) -> None:
        runs = self.runs
        missing = "run_" + secrets.token_hex(8)
        self._error(
            "retrieve (unknown id)",
            "an unknown run id is a 404",
            404,
            lambda: runs.retrieve(missing, thread_id=self.thread_id),
        )
        too_many = int(_ops.LIST_RUNS.by_name["limit"].schema["maximum"]) + 1  # the spec's maximum, plus one
        self._error(
            "list (bad limit)",
            "a limit over the maximum is a 400",
            400,
            lambda: runs.list(self.thread_id, extra_query={"limit": too_many}),
            param="limit",
        )
        self._error(
            "list (no API key)",
            "a request without an API key is a 401",
            401,
            lambda: runs.list(self.thread_id, limit=1, extra_headers={"Authorization": ""}),
        )


__all__ = ["Driver"]
