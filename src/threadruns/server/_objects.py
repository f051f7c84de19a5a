"""The in-memory objects (thread, assistant, run, run step, message) and their JSON forms from the spec."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._script import Phase, Script

Json = dict[str, Any]

ACTIVE_STATUSES = frozenset({"queued", "in_progress", "requires_action"})
"""Statuses in which a run can still expire."""
TERMINAL_STATUSES = frozenset({"cancelled", "failed", "completed", "incomplete", "expired"})
"""Statuses a run never leaves."""


def timestamp(value: float | None) -> int | None:
    """Unix seconds as the integer the API sends (null stays null)."""
    return None if value is None else int(value)


CHARS_PER_TOKEN = 4


def count_tokens(text: str) -> int:
    """A deterministic stand-in for a tokenizer: four characters per token (a partial token counts)."""
    return tokens_for_length(len(text))


def tokens_for_length(chars: int) -> int:
    """The tokens :func:`count_tokens` gives a text of ``chars`` characters."""
    return -(-chars // CHARS_PER_TOKEN)


def text_part(value: str) -> Json:
    """A MessageContentTextObject holding ``value`` with no annotations."""
    return {"type": "text", "text": {"value": value, "annotations": []}}


@dataclass
class Assistant:
    """An assistant seeded through Python or a seed file (assistants are outside the Runs API)."""

    id: str
    model: str
    instructions: str | None
    tools: list[Json]
    script: Script


@dataclass
class Message:
    """A thread message: seeded, added by ``additional_messages``, or written by a run."""

    id: str
    thread_id: str
    created_at: float
    role: str
    content: list[Json]
    status: str
    assistant_id: str | None = None
    run_id: str | None = None
    attachments: list[Json] | None = field(default_factory=list)
    metadata: dict[str, str] | None = field(default_factory=dict)
    completed_at: float | None = None
    incomplete_at: float | None = None
    incomplete_details: Json | None = None

    def text(self) -> str:
        """The text parts of the message, joined."""
        parts: list[str] = []
        for part in self.content:
            text = part.get("text")
            if part.get("type") == "text" and isinstance(text, dict):
                parts.append(str(text.get("value", "")))
        return "\n".join(parts)

    def to_json(self) -> Json:
        """A MessageObject."""
        return {
            "id": self.id,
            "object": "thread.message",
            "created_at": timestamp(self.created_at),
            "thread_id": self.thread_id,
            "status": self.status,
            "incomplete_details": self.incomplete_details,
            "completed_at": timestamp(self.completed_at),
            "incomplete_at": timestamp(self.incomplete_at),
            "role": self.role,
            "content": [dict(part) for part in self.content],
            "assistant_id": self.assistant_id,
            "run_id": self.run_id,
            "attachments": self.attachments,
            "metadata": self.metadata,
        }


@dataclass
class Step:
    """A run step: creating a message or calling tools."""

    id: str
    run_id: str
    thread_id: str
    assistant_id: str
    created_at: float
    seq: int
    type: str
    step_details: Json
    status: str = "in_progress"
    last_error: Json | None = None
    expired_at: float | None = None
    cancelled_at: float | None = None
    failed_at: float | None = None
    completed_at: float | None = None
    usage: Json | None = None

    def to_json(self) -> Json:
        """A RunStepObject."""
        return {
            "id": self.id,
            "object": "thread.run.step",
            "created_at": timestamp(self.created_at),
            "assistant_id": self.assistant_id,
            "thread_id": self.thread_id,
            "run_id": self.run_id,
            "type": self.type,
            "status": self.status,
            "step_details": _copy_json(self.step_details),
            "last_error": self.last_error,
            "expired_at": timestamp(self.expired_at),
            "cancelled_at": timestamp(self.cancelled_at),
            "failed_at": timestamp(self.failed_at),
            "completed_at": timestamp(self.completed_at),
            "metadata": {},
            "usage": dict(self.usage) if self.usage is not None else None,
        }


@dataclass
class Run:
    """A run and the bookkeeping its lifecycle needs (phases, steps, the message being written)."""

    id: str
    thread_id: str
    assistant_id: str
    seq: int
    created_at: float
    expires_at: float | None
    model: str
    instructions: str
    tools: list[Json]
    metadata: dict[str, str] | None
    temperature: float | None
    top_p: float | None
    max_prompt_tokens: int | None
    max_completion_tokens: int | None
    truncation_strategy: Json | None
    tool_choice: Any
    parallel_tool_calls: bool
    response_format: Any
    reasoning_effort: str | None
    phases: list[Phase]
    status: str = "queued"
    required_action: Json | None = None
    last_error: Json | None = None
    started_at: float | None = None
    cancelled_at: float | None = None
    failed_at: float | None = None
    completed_at: float | None = None
    incomplete_details: Json | None = None
    usage: Json | None = None
    # Lifecycle bookkeeping, never serialised.
    state_since: float = 0.0
    phase_index: int = 0
    steps: list[Step] = field(default_factory=list)
    active_step: Step | None = None
    active_message: Message | None = None
    outputs: tuple[str, ...] = ()
    streaming: bool = False

    @property
    def sort_key(self) -> tuple[float, int]:
        """Total order of runs: ``created_at``, ties broken by creation sequence."""
        return (self.created_at, self.seq)

    def step_by_id(self, step_id: str) -> Step | None:
        """The step with this ID, if the run has one."""
        for step in self.steps:
            if step.id == step_id:
                return step
        return None

    def to_json(self) -> Json:
        """A RunObject with every required key (null where nullable) and no other key.

        ``reasoning_effort`` is kept but not sent: the spec's RunObject has no such property."""
        return {
            "id": self.id,
            "object": "thread.run",
            "created_at": timestamp(self.created_at),
            "thread_id": self.thread_id,
            "assistant_id": self.assistant_id,
            "status": self.status,
            "required_action": _copy_json(self.required_action),
            "last_error": _copy_json(self.last_error),
            "expires_at": timestamp(self.expires_at),
            "started_at": timestamp(self.started_at),
            "cancelled_at": timestamp(self.cancelled_at),
            "failed_at": timestamp(self.failed_at),
            "completed_at": timestamp(self.completed_at),
            "incomplete_details": _copy_json(self.incomplete_details),
            "model": self.model,
            "instructions": self.instructions,
            "tools": _copy_json(self.tools),
            "metadata": dict(self.metadata) if self.metadata is not None else None,
            "usage": _copy_json(self.usage),
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_prompt_tokens": self.max_prompt_tokens,
            "max_completion_tokens": self.max_completion_tokens,
            "truncation_strategy": _copy_json(self.truncation_strategy),
            "tool_choice": _copy_json(self.tool_choice),
            "parallel_tool_calls": self.parallel_tool_calls,
            "response_format": _copy_json(self.response_format),
        }


@dataclass
class Thread:
    """A thread: its messages and its runs, kept in the total order of :attr:`Run.sort_key`."""

    id: str
    created_at: float
    messages: list[Message] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    run_index: dict[str, Run] = field(default_factory=dict)

    def run_by_id(self, run_id: str) -> Run | None:
        """The run with this ID, if the thread has one."""
        return self.run_index.get(run_id)


def _copy_json(value: Any) -> Any:
    """A deep copy of plain JSON data, so snapshots never change after they are taken."""
    if isinstance(value, dict):
        return {key: _copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_json(item) for item in value]
    return value
