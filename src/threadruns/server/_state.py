"""In-memory store of threads, assistants, runs and steps, and the operations the routes call.

Every method takes the store lock, so the HTTP server thread and a test thread (seeding data, calling
``server.step()``) can use it at once. Before a run is read or changed it is brought up to date with the
clock (:meth:`RunStore._sync`): expired if past ``expires_at`` and, in realtime mode, moved through every
transition that fell due since it was last looked at.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ._clock import Clock
from ._errors import SEED_HINT, ApiError, not_found
from ._ids import IdFactory
from ._lifecycle import Emit, Lifecycle, ignore_events
from ._objects import ACTIVE_STATUSES, TERMINAL_STATUSES, Assistant, Json, Message, Run, Thread, text_part
from ._pagination import Order, paginate
from ._script import Script, compile_script

MessageSeed = str | Mapping[str, Any]
"""A seeded message: plain text (a user message) or ``{"role", "content", ...}`` like CreateMessageRequest."""

DEFAULT_TRUNCATION: Json = {"type": "auto", "last_messages": None}
STREAM_STOP = TERMINAL_STATUSES | {"requires_action"}


class RunStore:
    """All server state, guarded by one re-entrant lock."""

    def __init__(
        self,
        clock: Clock,
        ids: IdFactory,
        *,
        auto_create: bool = False,
        expires_after: float = 600.0,
        default_script: Script | None = None,
        concurrent_runs: bool = False,
        ignore_tools: bool = False,
    ) -> None:
        self.clock = clock
        self.ignore_tools = ignore_tools
        self.lock = threading.RLock()
        self.auto_create = auto_create
        self.expires_after = expires_after
        self.concurrent_runs = concurrent_runs
        self.default_script = default_script or Script.echo()
        self._ids = ids
        self._lifecycle = Lifecycle(ids)
        self._threads: dict[str, Thread] = {}
        self._assistants: dict[str, Assistant] = {}
        self._seq = 0
        clock.subscribe(self._on_tick)

    # Seeding -------------------------------------------------------------------------------------------

    def add_thread(self, thread_id: str | None = None, messages: Sequence[MessageSeed] = ()) -> str:
        """Create a thread (or add messages to an existing one) and return its ID."""
        with self.lock:
            thread = self._threads.get(thread_id) if thread_id else None
            if thread is None:
                thread = Thread(id=thread_id or self._ids.new("thread"), created_at=self.clock.now())
                self._threads[thread.id] = thread
            for seed in messages:
                thread.messages.append(self._message_from_seed(thread, seed))
            return thread.id

    def add_assistant(
        self,
        assistant_id: str | None = None,
        *,
        model: str = "gpt-4o",
        instructions: str | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        script: Script | None = None,
    ) -> str:
        """Create or replace an assistant; ``script`` decides what its runs do (default: echo)."""
        with self.lock:
            assistant = Assistant(
                id=assistant_id or self._ids.new("asst"),
                model=model,
                instructions=instructions,
                tools=[dict(tool) for tool in tools or ()],
                script=script or self.default_script,
            )
            self._assistants[assistant.id] = assistant
            return assistant.id

    def reset(self) -> None:
        """Forget every thread, assistant and run."""
        with self.lock:
            self._threads.clear()
            self._assistants.clear()

    # Reads for tests -----------------------------------------------------------------------------------

    def messages(self, thread_id: str) -> list[Json]:
        """The thread's messages as MessageObjects, oldest first."""
        with self.lock:
            return [message.to_json() for message in self._thread(thread_id, create=False).messages]

    # Operations ----------------------------------------------------------------------------------------

    def create_run(
        self, thread_id: str, body: Mapping[str, Any], emit: Emit = ignore_events, *, stream: bool = False
    ) -> Run:
        """createRun: add ``additional_messages`` to the thread and queue a run of the assistant.

        With ``stream`` the run belongs to its stream from the start (no poll or tick moves it before the
        stream does); :meth:`end_stream` gives it back.
        """
        with self.lock:
            thread = self._thread(thread_id)
            if not self.concurrent_runs:  # as the API: one run at a time per thread
                for earlier in thread.runs:
                    self._sync(earlier)
                    if earlier.status not in TERMINAL_STATUSES:  # queued, in_progress, requires_action, cancelling
                        raise ApiError(400, f"Thread {thread.id} already has an active run {earlier.id}.")
            assistant = self._assistant(str(body["assistant_id"]))  # after the check: a refused create adds nothing
            now = self.clock.now()
            if thread.runs:
                now = max(now, thread.runs[-1].created_at)
            for seed in body.get("additional_messages") or ():
                thread.messages.append(self._message_from_seed(thread, seed))
            instructions = body.get("instructions")
            if instructions is None:
                instructions = assistant.instructions or ""
            additional = body.get("additional_instructions")
            if additional:
                instructions = f"{instructions}\n{additional}" if instructions else str(additional)
            truncation = body.get("truncation_strategy")
            if truncation is not None:
                truncation = {"last_messages": None, **truncation}
            self._seq += 1
            run = Run(
                id=self._ids.new("run"),
                thread_id=thread.id,
                assistant_id=assistant.id,
                seq=self._seq,
                created_at=now,
                expires_at=now + self.expires_after,
                model=_or(body.get("model"), assistant.model),
                instructions=str(instructions),
                tools=list(_or(body.get("tools"), assistant.tools)),
                metadata=dict(body.get("metadata") or {}),
                temperature=_or(body.get("temperature"), 1.0),
                top_p=_or(body.get("top_p"), 1.0),
                max_prompt_tokens=body.get("max_prompt_tokens"),
                max_completion_tokens=body.get("max_completion_tokens"),
                truncation_strategy=_or(truncation, dict(DEFAULT_TRUNCATION)),
                tool_choice=_or(body.get("tool_choice"), "auto"),
                parallel_tool_calls=bool(_or(body.get("parallel_tool_calls"), True)),
                response_format=_or(body.get("response_format"), "auto"),
                reasoning_effort=body.get("reasoning_effort"),
                phases=compile_script(assistant.script.without_tool_calls() if self.ignore_tools else assistant.script),
                state_since=now,
                streaming=stream,
            )
            bisect.insort(thread.runs, run, key=lambda item: item.sort_key)
            thread.run_index[run.id] = run
            emit("thread.run.created", run.to_json())
            emit("thread.run.queued", run.to_json())
            return run

    def list_runs(self, thread_id: str, *, limit: int, order: Order, after: str | None, before: str | None) -> Json:
        """listRuns: one page of the thread's runs."""
        with self.lock:
            thread = self._thread(thread_id)
            for run in thread.runs:
                self._sync(run)
            return paginate(
                thread.runs,
                item_id=lambda run: run.id,
                to_json=lambda run: run.to_json(),
                kind="run",
                limit=limit,
                order=order,
                after=after,
                before=before,
            )

    def get_run(self, thread_id: str, run_id: str, *, advance: bool = False) -> Json:
        """getRun; with ``advance`` the run first takes one step (manual mode's advance-on-read)."""
        with self.lock:
            thread, run = self._run(thread_id, run_id)
            if advance and not run.streaming:
                self._lifecycle.tick(run, thread, self.clock.now())
            return run.to_json()

    def modify_run(self, thread_id: str, run_id: str, body: Mapping[str, Any]) -> Json:
        """modifyRun: replace the run's metadata (null clears it); nothing else can change."""
        with self.lock:
            _, run = self._run(thread_id, run_id)
            if "metadata" in body:
                run.metadata = dict(body["metadata"] or {})
            return run.to_json()

    def cancel_run(self, thread_id: str, run_id: str, emit: Emit = ignore_events) -> Json:
        """cancelRun: an active run moves to ``cancelling``; anything else is a 400."""
        with self.lock:
            _, run = self._run(thread_id, run_id)
            if run.status not in ACTIVE_STATUSES:
                raise ApiError(400, f"Cannot cancel run with status '{run.status}'.")
            self._lifecycle.cancel(run, self.clock.now(), emit)
            return run.to_json()

    def submit_tool_outputs(
        self,
        thread_id: str,
        run_id: str,
        tool_outputs: Sequence[Mapping[str, Any]],
        emit: Emit = ignore_events,
        *,
        stream: bool = False,
    ) -> Run:
        """submitToolOutputsToRun: exactly one output for every pending tool call, or a 400 (``stream``: as
        in :meth:`create_run`)."""
        with self.lock:
            thread, run = self._run(thread_id, run_id)
            if run.status != "requires_action" or run.required_action is None:
                raise ApiError(400, f'Runs in status "{run.status}" do not accept tool outputs.')
            pending = [call["id"] for call in run.required_action["submit_tool_outputs"]["tool_calls"]]
            outputs: dict[str, str] = {}
            for index, item in enumerate(tool_outputs):
                call_id = item.get("tool_call_id")
                if not isinstance(call_id, str):
                    raise ApiError(400, "Missing required parameter: 'tool_call_id'.", param=f"tool_outputs[{index}]")
                if call_id not in pending:
                    raise ApiError(
                        400, f"No tool call with id '{call_id}' is waiting for output.", param="tool_outputs"
                    )
                if call_id in outputs:
                    raise ApiError(400, f"Tool call '{call_id}' was given more than one output.", param="tool_outputs")
                outputs[call_id] = str(item.get("output", ""))
            missing = [call_id for call_id in pending if call_id not in outputs]
            if missing:
                raise ApiError(
                    400,
                    f"Expected tool outputs for call_ids {pending}, got values for {list(outputs)}.",
                    param="tool_outputs",
                )
            self._lifecycle.submit_tool_outputs(run, thread, outputs, self.clock.now(), emit)
            run.streaming = stream
            return run

    def list_steps(
        self, thread_id: str, run_id: str, *, limit: int, order: Order, after: str | None, before: str | None
    ) -> Json:
        """listRunSteps: one page of the run's steps."""
        with self.lock:
            _, run = self._run(thread_id, run_id)
            return paginate(
                run.steps,
                item_id=lambda step: step.id,
                to_json=lambda step: step.to_json(),
                kind="run step",
                limit=limit,
                order=order,
                after=after,
                before=before,
            )

    def list_messages(
        self,
        thread_id: str,
        *,
        limit: int,
        order: Order,
        after: str | None,
        before: str | None,
        run_id: str | None = None,
    ) -> Json:
        """listMessages: one page of the thread's messages (only those ``run_id`` wrote, when given)."""
        with self.lock:
            thread = self._thread(thread_id)
            for run in thread.runs:
                self._sync(run)
            messages = [m for m in thread.messages if run_id is None or m.run_id == run_id]
            return paginate(
                messages,
                item_id=lambda message: message.id,
                to_json=lambda message: message.to_json(),
                kind="message",
                limit=limit,
                order=order,
                after=after,
                before=before,
            )

    def get_message(self, thread_id: str, message_id: str) -> Json:
        """getMessage."""
        with self.lock:
            thread = self._thread(thread_id)
            for run in thread.runs:
                self._sync(run)
            for message in thread.messages:
                if message.id == message_id:
                    return message.to_json()
            raise not_found("message", message_id)

    def get_step(self, thread_id: str, run_id: str, step_id: str) -> Json:
        """getRunStep."""
        with self.lock:
            _, run = self._run(thread_id, run_id)
            step = run.step_by_id(step_id)
            if step is None:
                raise not_found("run step", step_id)
            return step.to_json()

    def run_json(self, thread_id: str, run_id: str) -> Json:
        """The run as the API would show it now (without advancing it)."""
        with self.lock:
            return self._run(thread_id, run_id)[1].to_json()

    # Streaming -----------------------------------------------------------------------------------------

    def end_stream(self, run: Run) -> None:
        """The stream of ``run`` is over (finished, cut or abandoned): ticks and polls move it again."""
        with self.lock:
            run.streaming = False

    def drive(self, run: Run) -> Iterator[tuple[str, Json]]:
        """Run ``run`` until it finishes or needs tool outputs, yielding every event on the way.

        Each tick happens under the lock when the next event is asked for, so a slow reader sees the
        run progress at its own pace, and requests from other clients interleave between ticks.
        """
        with self.lock:
            run.streaming = True
        try:
            while True:
                events: list[tuple[str, Json]] = []
                with self.lock:
                    thread = self._threads.get(run.thread_id)
                    if thread is None or run.status in STREAM_STOP:
                        return
                    progressed = self._lifecycle.tick(run, thread, self.clock.now(), _collector(events))
                yield from events
                if not progressed:
                    return
        finally:
            with self.lock:
                run.streaming = False

    # Internals -----------------------------------------------------------------------------------------

    def _on_tick(self) -> None:
        """One explicit clock tick: every active run not being streamed takes one step."""
        with self.lock:
            for thread in list(self._threads.values()):
                for run in thread.runs:
                    if run.streaming:
                        continue
                    self._sync(run)
                    self._lifecycle.tick(run, thread, self.clock.now())

    def _sync(self, run: Run) -> None:
        """Bring ``run`` up to the clock: realtime transitions that fell due, then expiry."""
        if run.streaming or run.status in TERMINAL_STATUSES:
            return
        thread = self._threads.get(run.thread_id)
        if thread is None:
            return
        now = self.clock.now()
        realtime = self.clock.mode == "realtime"
        tick = self.clock.tick_seconds
        while run.status not in TERMINAL_STATUSES:
            expiry = run.expires_at if run.status in ACTIVE_STATUSES else None
            due = run.state_since + tick if realtime and run.status != "requires_action" else None
            if expiry is not None and expiry <= now and (due is None or expiry <= due):
                self._lifecycle.expire(run)
            elif due is not None and due <= now:
                self._lifecycle.tick(run, thread, due)
            else:
                return

    def _thread(self, thread_id: str, *, create: bool | None = None) -> Thread:
        thread = self._threads.get(thread_id)
        if thread is None:
            if not (self.auto_create if create is None else create):
                raise not_found("thread", thread_id, hint=SEED_HINT)
            thread = Thread(id=thread_id, created_at=self.clock.now())
            self._threads[thread_id] = thread
        return thread

    def _assistant(self, assistant_id: str) -> Assistant:
        assistant = self._assistants.get(assistant_id)
        if assistant is None:
            if not self.auto_create or not assistant_id:
                raise not_found("assistant", assistant_id, hint=SEED_HINT if assistant_id else "")
            assistant = Assistant(
                id=assistant_id, model="gpt-4o", instructions=None, tools=[], script=self.default_script
            )
            self._assistants[assistant_id] = assistant
        return assistant

    def _run(self, thread_id: str, run_id: str) -> tuple[Thread, Run]:
        thread = self._thread(thread_id)
        run = thread.run_by_id(run_id)
        if run is None:
            raise not_found("run", run_id)
        self._sync(run)
        return thread, run

    def _message_from_seed(self, thread: Thread, seed: MessageSeed) -> Message:
        now = self.clock.now()
        if isinstance(seed, str):
            return Message(
                id=self._ids.new("msg"),
                thread_id=thread.id,
                created_at=now,
                role="user",
                content=[text_part(seed)],
                status="completed",
            )
        content = seed.get("content", "")
        parts: list[Json] = []
        if isinstance(content, str):
            parts.append(text_part(content))
        else:
            for part in content:
                if part.get("type") == "text" and isinstance(part.get("text"), str):
                    parts.append(text_part(part["text"]))
                else:
                    parts.append(dict(part))
        return Message(
            id=self._ids.new("msg"),
            thread_id=thread.id,
            created_at=now,
            role=str(seed.get("role", "user")),
            content=parts,
            status="completed",
            attachments=[dict(item) for item in seed.get("attachments") or ()],
            metadata=dict(seed.get("metadata") or {}),
        )


def _collector(events: list[tuple[str, Json]]) -> Emit:
    """An ``emit`` that appends to ``events``."""

    def emit(name: str, data: Json) -> None:
        events.append((name, data))

    return emit


def _or(value: Any, default: Any) -> Any:
    """``value`` unless it is None (the API's "not given")."""
    return default if value is None else value
