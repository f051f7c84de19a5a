"""What the "model" does in a run: a small typed script per assistant.

A script is a chain of at most one tool round trip after another, ending in a reply, a failure or an
incomplete answer::

    Script.call_tools([ToolCall("get_weather", {"city": "Oslo"})], then=Script.reply("It is {outputs}."))

Each script compiles to a list of *phases*; the run lifecycle walks through them one tick at a time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

ScriptKind = Literal["reply", "echo", "call_tools", "fail", "incomplete"]
FailCode = Literal["server_error", "rate_limit_exceeded", "invalid_prompt"]
IncompleteReason = Literal["max_completion_tokens", "max_prompt_tokens"]

_FAIL_CODES = ("server_error", "rate_limit_exceeded", "invalid_prompt")
_INCOMPLETE_REASONS = ("max_completion_tokens", "max_prompt_tokens")


@dataclass(frozen=True)
class ReplyContext:
    """What a reply callable can look at: the last user message and the latest tool outputs."""

    last_user_message: str
    outputs: tuple[str, ...]
    metadata: Mapping[str, str]


ReplyText = str | Callable[[ReplyContext], str]


@dataclass(frozen=True)
class ToolCall:
    """One function call the model asks the caller to run; ``arguments`` is a dict or a JSON string."""

    name: str
    arguments: Mapping[str, Any] | str = field(default_factory=dict)

    def arguments_json(self) -> str:
        """The arguments as the JSON string the API carries."""
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(dict(self.arguments), separators=(", ", ": "))


@dataclass(frozen=True)
class Script:
    """What the model does in a run; build one with the class methods, not the constructor."""

    kind: ScriptKind
    text: ReplyText = ""
    calls: tuple[ToolCall, ...] = ()
    then: Script | None = None
    code: FailCode = "server_error"
    message: str = ""
    reason: IncompleteReason = "max_completion_tokens"

    @classmethod
    def reply(cls, text: ReplyText) -> Script:
        """Answer with ``text``; ``{outputs}`` in it becomes the latest tool outputs, one per line.

        ``text`` may also be a callable taking a :class:`ReplyContext`.
        """
        return cls("reply", text=text)

    @classmethod
    def echo(cls) -> Script:
        """Answer with the text of the thread's last user message (the default script)."""
        return cls("echo")

    @classmethod
    def call_tools(cls, calls: Sequence[ToolCall], then: Script | None = None) -> Script:
        """Ask for tool outputs (``requires_action``), then go on with ``then`` (default: reply ``{outputs}``)."""
        if not calls:
            raise ValueError("call_tools needs at least one ToolCall")
        return cls("call_tools", calls=tuple(calls), then=then if then is not None else cls.reply("{outputs}"))

    @classmethod
    def fail(cls, code: FailCode = "server_error", message: str = "The server had an error.") -> Script:
        """End the run as ``failed`` with ``last_error = {code, message}``."""
        if code not in _FAIL_CODES:
            raise ValueError(f"code must be one of {_FAIL_CODES}")
        return cls("fail", code=code, message=message)

    @classmethod
    def incomplete(cls, reason: IncompleteReason = "max_completion_tokens", text: str = "") -> Script:
        """End the run as ``incomplete`` (``incomplete_details.reason``), after writing the partial ``text``."""
        if reason not in _INCOMPLETE_REASONS:
            raise ValueError(f"reason must be one of {_INCOMPLETE_REASONS}")
        return cls("incomplete", text=text, reason=reason)

    def without_tool_calls(self) -> Script:
        """This script as a model that was never offered the tools: what it does after its tool rounds
        (the default reply of the outputs, which would be empty, becomes an echo)."""
        script: Script = self
        while script.kind == "call_tools":
            after = script.then
            script = Script.echo() if after is None or (after.kind == "reply" and after.text == "{outputs}") else after
        return script

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Script:
        """Read the seed-file form: ``{"reply": "..."}``, ``{"echo": true}``, ``{"fail": {...}}``,
        ``{"incomplete": {...}}`` or ``{"call_tools": [{"name", "arguments"}], "then": {...}}``."""
        if "reply" in data:
            return cls.reply(str(data["reply"]))
        if "echo" in data:
            return cls.echo()
        if "fail" in data:
            spec = data["fail"] if isinstance(data["fail"], Mapping) else {}
            return cls.fail(spec.get("code", "server_error"), spec.get("message", "The server had an error."))
        if "incomplete" in data:
            spec = data["incomplete"] if isinstance(data["incomplete"], Mapping) else {}
            return cls.incomplete(spec.get("reason", "max_completion_tokens"), spec.get("text", ""))
        if "call_tools" in data:
            calls = [ToolCall(str(c["name"]), c.get("arguments", {})) for c in data["call_tools"]]
            then = data.get("then")
            return cls.call_tools(calls, then=cls.from_dict(then) if isinstance(then, Mapping) else None)
        raise ValueError(f"unknown script {dict(data)!r}; use reply, echo, call_tools, fail or incomplete")


@dataclass(frozen=True)
class MessagePhase:
    """Write an assistant message; ``reason`` set means the run ends ``incomplete`` for that reason."""

    script: Script
    reason: IncompleteReason | None = None


@dataclass(frozen=True)
class ToolPhase:
    """Ask the caller for the outputs of ``calls`` (the run waits in ``requires_action``)."""

    calls: tuple[ToolCall, ...]


@dataclass(frozen=True)
class FailPhase:
    """End the run as ``failed``."""

    code: FailCode
    message: str


Phase = MessagePhase | ToolPhase | FailPhase


def compile_script(script: Script) -> list[Phase]:
    """Flatten a script into the phases a run goes through, in order."""
    phases: list[Phase] = []
    current: Script | None = script
    while current is not None:
        if current.kind == "call_tools":
            phases.append(ToolPhase(current.calls))
            current = current.then
            continue
        if current.kind == "fail":
            phases.append(FailPhase(current.code, current.message))
        elif current.kind == "incomplete":
            phases.append(MessagePhase(current, reason=current.reason))
        else:
            phases.append(MessagePhase(current))
        current = None
    return phases


def reply_text(script: Script, context: ReplyContext) -> str:
    """The text a reply, echo or incomplete script writes in the given context."""
    if script.kind == "echo":
        return context.last_user_message
    text = script.text
    if callable(text):
        return text(context)
    return text.replace("{outputs}", "\n".join(context.outputs))
