"""The run state machine: one transition per tick, each reported as the events OpenAI streams.

``queued → in_progress → completed | incomplete | failed | requires_action``; after tool outputs the run is
``queued`` again and goes on with the next phase of its script. ``cancel`` moves an active run to
``cancelling`` and the next tick to ``cancelled``; a run still active at ``expires_at`` becomes ``expired``.
Every change is passed to ``emit`` as ``(event name, payload)``, which the SSE stream sends as is and which
non-streaming callers ignore.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from ._ids import IdFactory
from ._objects import CHARS_PER_TOKEN, Json, Message, Run, Step, Thread, count_tokens, text_part, tokens_for_length
from ._script import FailPhase, IncompleteReason, MessagePhase, ReplyContext, ToolPhase, reply_text

Emit = Callable[[str, Json], None]

MAX_TEXT_DELTAS = 16
"""A reply streams as at most this many ``thread.message.delta`` events."""
MAX_ARGUMENT_DELTAS = 4
"""Each tool call's arguments stream as at most this many ``thread.run.step.delta`` events."""


def ignore_events(name: str, payload: Json) -> None:
    """The ``emit`` of callers that do not stream."""


def split_text(text: str, max_chunks: int = MAX_TEXT_DELTAS) -> list[str]:
    """Cut ``text`` into at most ``max_chunks`` word-aligned pieces whose concatenation is ``text``."""
    if not text:
        return []
    pieces = re.findall(r"\s*\S+", text)
    consumed = sum(len(piece) for piece in pieces)
    if not pieces:
        pieces = [text]
    elif consumed < len(text):
        pieces[-1] += text[consumed:]
    size = math.ceil(len(pieces) / max_chunks)
    return ["".join(pieces[i : i + size]) for i in range(0, len(pieces), size)]


def split_evenly(text: str, max_chunks: int) -> list[str]:
    """Cut ``text`` into at most ``max_chunks`` pieces of about equal length."""
    if not text:
        return []
    size = math.ceil(len(text) / max_chunks)
    return [text[i : i + size] for i in range(0, len(text), size)]


class Lifecycle:
    """Applies transitions to runs; the caller holds the store lock and passes the current time."""

    def __init__(self, ids: IdFactory) -> None:
        self._ids = ids

    # Transitions driven by ticks -------------------------------------------------------------------

    def tick(self, run: Run, thread: Thread, at: float, emit: Emit = ignore_events) -> bool:
        """Move ``run`` one state forward; False when it is waiting (requires_action) or finished."""
        if run.status == "queued":
            self._start_phase(run, thread, at, emit)
        elif run.status == "in_progress":
            self._finish_phase(run, thread, at, emit)
        elif run.status == "cancelling":
            self._end(run, "cancelled", at, emit)
        else:
            return False
        return True

    def expire(self, run: Run, emit: Emit = ignore_events) -> None:
        """End an active run at its ``expires_at``."""
        assert run.expires_at is not None
        self._end(run, "expired", run.expires_at, emit)

    # Transitions driven by requests ----------------------------------------------------------------

    def cancel(self, run: Run, at: float, emit: Emit = ignore_events) -> None:
        """Ask an active run to stop: ``cancelling`` now, ``cancelled`` on the next tick."""
        run.status = "cancelling"
        run.state_since = at
        run.required_action = None  # null unless the status is requires_action
        emit("thread.run.cancelling", run.to_json())

    def submit_tool_outputs(
        self, run: Run, thread: Thread, outputs: dict[str, str], at: float, emit: Emit = ignore_events
    ) -> None:
        """Record one output per pending call; the run is ``queued`` again for its next phase."""
        step = run.active_step
        assert step is not None and step.type == "tool_calls"
        ordered: list[str] = []
        for call in step.step_details["tool_calls"]:
            output = outputs[call["id"]]
            call["function"]["output"] = output
            ordered.append(output)
        arguments = "".join(call["function"]["arguments"] for call in step.step_details["tool_calls"])
        self._complete_step(step, at, prompt=self._prompt_tokens(run, thread.messages), completion=arguments)
        emit("thread.run.step.completed", step.to_json())
        run.active_step = None
        run.outputs = tuple(ordered)
        run.required_action = None
        run.phase_index += 1
        run.status = "queued"
        run.state_since = at
        emit("thread.run.queued", run.to_json())

    # Phases ------------------------------------------------------------------------------------------

    def _start_phase(self, run: Run, thread: Thread, at: float, emit: Emit) -> None:
        run.status = "in_progress"
        run.state_since = at
        if run.started_at is None:
            run.started_at = at
        emit("thread.run.in_progress", run.to_json())
        phase = run.phases[run.phase_index]
        if isinstance(phase, MessagePhase):
            message = Message(
                id=self._ids.new("msg"),
                thread_id=thread.id,
                created_at=at,
                role="assistant",
                content=[],
                status="in_progress",
                assistant_id=run.assistant_id,
                run_id=run.id,
            )
            details = {"type": "message_creation", "message_creation": {"message_id": message.id}}
            step = self._new_step(run, at, "message_creation", details)
            thread.messages.append(message)
            run.active_message = message
            emit("thread.run.step.created", step.to_json())
            emit("thread.run.step.in_progress", step.to_json())
            emit("thread.message.created", message.to_json())
            emit("thread.message.in_progress", message.to_json())
        elif isinstance(phase, ToolPhase):
            step = self._new_step(run, at, "tool_calls", {"type": "tool_calls", "tool_calls": []})
            emit("thread.run.step.created", step.to_json())
            emit("thread.run.step.in_progress", step.to_json())

    def _finish_phase(self, run: Run, thread: Thread, at: float, emit: Emit) -> None:
        phase = run.phases[run.phase_index]
        run.state_since = at
        if isinstance(phase, FailPhase):
            run.last_error = {"code": phase.code, "message": phase.message}
            self._end(run, "failed", at, emit)
        elif isinstance(phase, ToolPhase):
            prompt = self._prompt_tokens(run, thread.messages)
            if _over_prompt_limit(run, prompt):  # the model would not even get to choose its tools
                step = run.active_step
                assert step is not None
                self._complete_step(step, at, prompt=0, completion="")  # refused: the model never saw it
                emit("thread.run.step.completed", step.to_json())
                run.active_step = None
                run.incomplete_details = {"reason": "max_prompt_tokens"}
                self._end(run, "incomplete", at, emit)
            else:
                self._ask_for_tools(run, phase, emit)
        else:
            self._write_message(run, thread, phase, at, emit)

    def _write_message(self, run: Run, thread: Thread, phase: MessagePhase, at: float, emit: Emit) -> None:
        message, step = run.active_message, run.active_step
        assert message is not None and step is not None
        context = ReplyContext(
            last_user_message=_last_user_text(thread, before=message),
            outputs=run.outputs,
            metadata=dict(run.metadata or {}),
        )
        text = reply_text(phase.script, context)
        prompt = self._prompt_tokens(run, [other for other in thread.messages if other is not message])
        limit, text = _within_token_limits(run, prompt, text)
        reason = phase.reason or limit  # a scripted ending keeps its reason, and its text is still cut
        for chunk in split_text(text):
            delta = {"content": [{"index": 0, "type": "text", "text": {"value": chunk, "annotations": []}}]}
            emit("thread.message.delta", {"id": message.id, "object": "thread.message.delta", "delta": delta})
        message.content = [text_part(text)]
        if reason is None:
            message.status = "completed"
            message.completed_at = at
            emit("thread.message.completed", message.to_json())
        else:
            message.status = "incomplete"
            message.incomplete_at = at
            message.incomplete_details = {"reason": "max_tokens"}
            emit("thread.message.incomplete", message.to_json())
        run.active_message = None
        charged = 0 if limit == "max_prompt_tokens" else prompt  # a refused prompt never reached the model
        self._complete_step(step, at, prompt=charged, completion=text)
        emit("thread.run.step.completed", step.to_json())
        run.active_step = None
        run.phase_index += 1
        if reason is None:
            self._end(run, "completed", at, emit)
        else:
            run.incomplete_details = {"reason": reason}
            self._end(run, "incomplete", at, emit)

    def _ask_for_tools(self, run: Run, phase: ToolPhase, emit: Emit) -> None:
        step = run.active_step
        assert step is not None
        calls: list[Json] = []
        for index, call in enumerate(phase.calls):
            call_id = self._ids.new("call")
            arguments = call.arguments_json()
            function = {"name": call.name, "arguments": arguments}
            calls.append({"id": call_id, "type": "function", "function": dict(function)})
            step.step_details["tool_calls"].append(
                {"id": call_id, "type": "function", "function": {**function, "output": None}}
            )
            head = {"index": index, "id": call_id, "type": "function", "function": {"name": call.name, "arguments": ""}}
            emit("thread.run.step.delta", _step_delta(step.id, head))
            for chunk in split_evenly(arguments, MAX_ARGUMENT_DELTAS):
                piece = {"index": index, "type": "function", "function": {"arguments": chunk}}
                emit("thread.run.step.delta", _step_delta(step.id, piece))
        run.required_action = {"type": "submit_tool_outputs", "submit_tool_outputs": {"tool_calls": calls}}
        run.status = "requires_action"
        emit("thread.run.requires_action", run.to_json())

    # Endings -----------------------------------------------------------------------------------------

    def _end(self, run: Run, status: str, at: float, emit: Emit) -> None:
        """Put the run in a final state, closing the step and message it was working on."""
        step, message = run.active_step, run.active_message
        if status in ("cancelled", "expired", "failed"):
            if step is not None:
                if status == "cancelled":
                    step.status, step.cancelled_at = "cancelled", at
                elif status == "expired":
                    step.status, step.expired_at = "expired", at
                else:
                    step.status, step.failed_at = "failed", at
                    code = run.last_error["code"] if run.last_error else "server_error"
                    step.last_error = {
                        "code": code if code in ("server_error", "rate_limit_exceeded") else "server_error",
                        "message": run.last_error["message"] if run.last_error else "The run failed.",
                    }
                emit(f"thread.run.step.{step.status}", step.to_json())
            if message is not None:
                message.status = "incomplete"
                message.incomplete_at = at
                message.incomplete_details = {"reason": f"run_{status}"}
                emit("thread.message.incomplete", message.to_json())
            run.active_step = None
            run.active_message = None
        run.status = status
        run.state_since = at
        run.required_action = None
        if status == "completed":
            run.completed_at = at
        elif status == "failed":
            run.failed_at = at
        elif status == "cancelled":
            run.cancelled_at = at
        if status != "expired":
            run.expires_at = None
        run.usage = _sum_usage(run.steps)
        emit(f"thread.run.{status}", run.to_json())

    # Helpers -----------------------------------------------------------------------------------------

    def _new_step(self, run: Run, at: float, kind: str, details: Json) -> Step:
        step = Step(
            id=self._ids.new("step"),
            run_id=run.id,
            thread_id=run.thread_id,
            assistant_id=run.assistant_id,
            created_at=at,
            seq=len(run.steps),
            type=kind,
            step_details=details,
        )
        run.steps.append(step)
        run.active_step = step
        return step

    @staticmethod
    def _complete_step(step: Step, at: float, *, prompt: int, completion: str) -> None:
        step.status = "completed"
        step.completed_at = at
        completion_tokens = count_tokens(completion)
        step.usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt + completion_tokens,
        }

    @staticmethod
    def _prompt_tokens(run: Run, messages: list[Message]) -> int:
        """The prompt of one step: instructions, tool outputs so far and the thread's messages, truncated
        as the API does: the last N under ``last_messages``; under ``auto`` with ``max_prompt_tokens``,
        the oldest dropped until the prompt fits what is left of the limit (the newest always stays)."""
        strategy = run.truncation_strategy or {}
        kind = strategy.get("type")
        last = strategy.get("last_messages")
        if kind == "last_messages" and isinstance(last, int) and last > 0:
            messages = messages[-last:]
        fixed = len(run.instructions) + sum(len(output) for output in run.outputs)
        sizes = [len(message.text()) for message in messages]
        if kind == "auto" and run.max_prompt_tokens is not None:
            budget = (run.max_prompt_tokens - _used_prompt_tokens(run)) * CHARS_PER_TOKEN
            while len(sizes) > 1 and fixed + sum(sizes) > budget:
                sizes.pop(0)
        return tokens_for_length(fixed + sum(sizes))


def _within_token_limits(run: Run, prompt: int, text: str) -> tuple[IncompleteReason | None, str]:
    """The run's token limits (totals over the whole run, as in the API) applied to the message it is writing.

    Returns why the run ends ``incomplete`` (None: it does not) and the text it may still write: nothing
    once the prompt is over ``max_prompt_tokens``, the first tokens of it when the reply would pass
    ``max_completion_tokens``.
    """
    if _over_prompt_limit(run, prompt):
        return "max_prompt_tokens", ""
    used = _sum_usage(run.steps)
    if run.max_completion_tokens is not None:
        budget = max(run.max_completion_tokens - used["completion_tokens"], 0)
        if count_tokens(text) > budget:
            return "max_completion_tokens", text[: budget * CHARS_PER_TOKEN]
    return None, text


def _over_prompt_limit(run: Run, prompt: int) -> bool:
    """Whether ``prompt`` more tokens would take the run past ``max_prompt_tokens`` (a total over its steps)."""
    if run.max_prompt_tokens is None:
        return False
    return _used_prompt_tokens(run) + prompt > run.max_prompt_tokens


def _used_prompt_tokens(run: Run) -> int:
    used: int = _sum_usage(run.steps)["prompt_tokens"]
    return used


def _last_user_text(thread: Thread, *, before: Message) -> str:
    for message in reversed(thread.messages):
        if message is before:
            continue
        if message.role == "user":
            return message.text()
    return ""


def _step_delta(step_id: str, tool_call: Json) -> Json:
    return {
        "id": step_id,
        "object": "thread.run.step.delta",
        "delta": {"step_details": {"type": "tool_calls", "tool_calls": [tool_call]}},
    }


def _sum_usage(steps: list[Step]) -> Json:
    totals = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    for step in steps:
        if step.usage is not None:
            for key in totals:
                totals[key] += int(step.usage[key])
    return totals
