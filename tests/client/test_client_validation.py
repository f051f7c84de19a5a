"""Arguments are checked before anything is sent: a catalogue of bad inputs, each raising and sending zero requests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from client_testkit import Driver, run_handler

Op = Callable[[Any], Any]
Case = tuple[str, Op, type[Exception], str]

BAD_IDS: list[tuple[str, object, type[Exception]]] = [
    ("empty", "", ValueError),
    ("int", 123, TypeError),
    ("none", None, TypeError),
    ("slash", "abc/def", ValueError),
    ("question", "abc?x=1", ValueError),
    ("hash", "abc#frag", ValueError),
    ("space", "abc def", ValueError),
    ("tab", "abc\tdef", ValueError),
    ("dotdot", "..", ValueError),
    ("dotdot-inside", "abc..def", ValueError),
    ("newline", "abc\ndef", ValueError),
    ("nul", "abc\x00def", ValueError),
]

OUTPUTS = [{"tool_call_id": "call_1", "output": "ok"}]

# For every ID argument: operations that take it, as a function of the bad value.
ID_USERS: dict[str, list[tuple[str, Callable[[Any, object], Any]]]] = {
    "thread_id": [
        ("runs.list", lambda c, v: c.runs.list(v)),
        ("runs.create", lambda c, v: c.runs.create(v, assistant_id="asst_1")),
        ("runs.retrieve", lambda c, v: c.runs.retrieve("run_1", thread_id=v)),
        ("runs.update", lambda c, v: c.runs.update("run_1", thread_id=v, metadata={})),
        ("runs.cancel", lambda c, v: c.runs.cancel("run_1", thread_id=v)),
        (
            "runs.submit_tool_outputs",
            lambda c, v: c.runs.submit_tool_outputs("run_1", thread_id=v, tool_outputs=OUTPUTS),
        ),
        ("steps.list", lambda c, v: c.runs.steps.list("run_1", thread_id=v)),
        ("steps.retrieve", lambda c, v: c.runs.steps.retrieve("step_1", thread_id=v, run_id="run_1")),
    ],
    "run_id": [
        ("runs.retrieve", lambda c, v: c.runs.retrieve(v, thread_id="thread_1")),
        ("runs.update", lambda c, v: c.runs.update(v, thread_id="thread_1")),
        ("runs.cancel", lambda c, v: c.runs.cancel(v, thread_id="thread_1")),
        (
            "runs.submit_tool_outputs",
            lambda c, v: c.runs.submit_tool_outputs(v, thread_id="thread_1", tool_outputs=OUTPUTS),
        ),
        ("steps.list", lambda c, v: c.runs.steps.list(v, thread_id="thread_1")),
        ("steps.retrieve", lambda c, v: c.runs.steps.retrieve("step_1", thread_id="thread_1", run_id=v)),
    ],
    "step_id": [("steps.retrieve", lambda c, v: c.runs.steps.retrieve(v, thread_id="thread_1", run_id="run_1"))],
    "assistant_id": [("runs.create", lambda c, v: c.runs.create("thread_1", assistant_id=v))],
    "after": [
        ("runs.list", lambda c, v: c.runs.list("thread_1", after=v)),
        ("steps.list", lambda c, v: c.runs.steps.list("run_1", thread_id="thread_1", after=v)),
    ],
    "before": [
        ("runs.list", lambda c, v: c.runs.list("thread_1", before=v)),
        ("steps.list", lambda c, v: c.runs.steps.list("run_1", thread_id="thread_1", before=v)),
    ],
}


def _id_cases() -> list[Case]:
    cases: list[Case] = []
    for name, users in ID_USERS.items():
        # Every bad value on the first operation taking the argument...
        first_label, first_op = users[0]
        for label, value, error in BAD_IDS:
            if name in ("after", "before") and value is None:
                continue  # a None cursor is treated as "not given" (as openai-python drops None query values)
            cases.append((f"{name}-{label}-{first_label}", _bind(first_op, value), error, name))
        # ...and one bad value on every operation taking it.
        for label, op in users[1:]:
            cases.append((f"{name}-slash-{label}", _bind(op, "a/b"), ValueError, name))
    return cases


def _bind(op: Callable[[Any, object], Any], value: object) -> Op:
    return lambda c: op(c, value)


def _metadata_cases(label: str, call: Callable[[Any, object], Any]) -> list[Case]:
    return [
        (f"{label}-metadata-17-keys", _bind(call, {f"k{i}": "v" for i in range(17)}), ValueError, "metadata"),
        (f"{label}-metadata-65-char-key", _bind(call, {"k" * 65: "v"}), ValueError, "metadata"),
        (f"{label}-metadata-513-char-value", _bind(call, {"k": "v" * 513}), ValueError, "metadata"),
        (f"{label}-metadata-int-value", _bind(call, {"k": 1}), TypeError, "metadata"),
        (f"{label}-metadata-int-key", _bind(call, {1: "v"}), TypeError, "metadata"),
        (f"{label}-metadata-list", _bind(call, [("k", "v")]), TypeError, "metadata"),
    ]


def _create(**kwargs: Any) -> Op:
    return lambda c: c.runs.create("thread_1", assistant_id="asst_1", **kwargs)


OTHER_CASES: list[Case] = [
    # list parameters
    *[
        (f"{label}-limit-{value!r}", _bind(call, value), error, "limit")
        for label, call in [
            ("runs.list", lambda c, v: c.runs.list("thread_1", limit=v)),
            ("steps.list", lambda c, v: c.runs.steps.list("run_1", thread_id="thread_1", limit=v)),
        ]
        for value, error in [
            (0, ValueError),
            (101, ValueError),
            (-1, ValueError),
            (True, TypeError),
            ("10", TypeError),
            (2.5, TypeError),
        ]
    ],
    ("runs.list-order-sideways", lambda c: c.runs.list("thread_1", order="sideways"), ValueError, "order"),
    (
        "steps.list-order-sideways",
        lambda c: c.runs.steps.list("run_1", thread_id="thread_1", order="sideways"),
        ValueError,
        "order",
    ),
    ("runs.list-order-int", lambda c: c.runs.list("thread_1", order=1), TypeError, "order"),
    (
        "steps.list-include-str",
        lambda c: c.runs.steps.list("run_1", thread_id="thread_1", include="x"),
        TypeError,
        "include",
    ),
    (
        "steps.retrieve-include-ints",
        lambda c: c.runs.steps.retrieve("s", thread_id="t", run_id="r", include=[1]),
        TypeError,
        "include",
    ),
    ("runs.create-include-str", _create(include="step_details"), TypeError, "include"),
    # metadata
    *_metadata_cases("create", lambda c, v: c.runs.create("thread_1", assistant_id="asst_1", metadata=v)),
    *_metadata_cases("update", lambda c, v: c.runs.update("run_1", thread_id="thread_1", metadata=v)),
    # sampling and limits
    ("temperature-negative", _create(temperature=-0.1), ValueError, "temperature"),
    ("temperature-too-high", _create(temperature=2.1), ValueError, "temperature"),
    ("temperature-str", _create(temperature="hot"), TypeError, "temperature"),
    ("temperature-bool", _create(temperature=True), TypeError, "temperature"),
    ("top_p-too-high", _create(top_p=1.5), ValueError, "top_p"),
    ("top_p-negative", _create(top_p=-0.5), ValueError, "top_p"),
    ("max_prompt_tokens-10", _create(max_prompt_tokens=10), ValueError, "max_prompt_tokens"),
    ("max_prompt_tokens-float", _create(max_prompt_tokens=300.0), TypeError, "max_prompt_tokens"),
    ("max_completion_tokens-10", _create(max_completion_tokens=10), ValueError, "max_completion_tokens"),
    # body shapes
    ("tools-str", _create(tools="code_interpreter"), TypeError, "tools"),
    ("tools-dict", _create(tools={"type": "code_interpreter"}), TypeError, "tools"),
    ("tools-item-int", _create(tools=[1]), TypeError, "tools"),
    ("tools-21-items", _create(tools=[{"type": "code_interpreter"}] * 21), ValueError, "tools"),
    ("additional_messages-str", _create(additional_messages="hi"), TypeError, "additional_messages"),
    ("truncation_strategy-int", _create(truncation_strategy=3), TypeError, "truncation_strategy"),
    ("response_format-int", _create(response_format=1), TypeError, "response_format"),
    ("parallel_tool_calls-str", _create(parallel_tool_calls="yes"), TypeError, "parallel_tool_calls"),
    ("parallel_tool_calls-none", _create(parallel_tool_calls=None), TypeError, "parallel_tool_calls"),
    ("instructions-int", _create(instructions=5), TypeError, "instructions"),
    ("model-int", _create(model=4), TypeError, "model"),
    ("reasoning_effort-empty", _create(reasoning_effort=""), ValueError, "reasoning_effort"),
    # tool outputs
    *[
        (
            f"tool_outputs-{label}",
            lambda c, v=value: c.runs.submit_tool_outputs("run_1", thread_id="thread_1", tool_outputs=v),
            error,
            "tool_outputs",
        )
        for label, value, error in [
            ("empty", [], ValueError),
            ("str", "ok", TypeError),
            ("dict", {"tool_call_id": "call_1", "output": "ok"}, TypeError),
            ("none", None, TypeError),
            ("item-str", ["ok"], TypeError),
            ("output-int", [{"tool_call_id": "call_1", "output": 3}], TypeError),
        ]
    ],
    # missing required keyword argument (Python's own TypeError)
    ("create-missing-assistant_id", lambda c: c.runs.create("thread_1"), TypeError, "assistant_id"),
    (
        "submit-missing-tool_outputs",
        lambda c: c.runs.submit_tool_outputs("run_1", thread_id="thread_1"),
        TypeError,
        "tool_outputs",
    ),
    # per-call options
    *[
        (f"{label}-{option}-{value!r}", (lambda c, o=op, k=option, v=value: o(c, **{k: v})), error, option)
        for label, op in [
            ("retrieve", lambda c, **kw: c.runs.retrieve("run_1", thread_id="thread_1", **kw)),
            ("list", lambda c, **kw: c.runs.list("thread_1", **kw)),
            ("create", lambda c, **kw: c.runs.create("thread_1", assistant_id="asst_1", **kw)),
        ]
        for option, value, error in [
            ("timeout", -1, ValueError),
            ("timeout", 0, ValueError),
            ("timeout", None, ValueError),
            ("timeout", "5", TypeError),
            ("max_retries", -1, ValueError),
            ("max_retries", 1.0, TypeError),
            ("max_retries", True, TypeError),
        ]
    ],
]

CASES = _id_cases() + OTHER_CASES


def _steps_list_with(cursor: str) -> Op:
    return lambda c: c.runs.steps.list("run_1", thread_id="thread_1", **{cursor: 123})


CASES += [(f"{cursor}-int-steps.list", _steps_list_with(cursor), TypeError, cursor) for cursor in ("after", "before")]


def _param(case: Case) -> Any:
    label, op, error, name = case
    return pytest.param(op, error, name, id=label)


@pytest.mark.parametrize(("op", "error", "name"), [_param(c) for c in CASES])
def test_bad_argument_raises_before_any_request(driver: Driver, op: Op, error: type[Exception], name: str) -> None:
    """The call raises TypeError/ValueError naming the argument, and the transport sees zero requests."""
    driver.client(run_handler())
    with pytest.raises(error) as info:
        driver.call(op)
    assert type(info.value) is error
    assert name in str(info.value)
    assert driver.requests == []


@pytest.mark.parametrize(
    "op",
    [
        pytest.param(lambda c: c.runs.list("a/b"), id="runs.list-bad-id"),
        pytest.param(lambda c: c.runs.list("thread_1", limit=0), id="runs.list-bad-limit"),
        pytest.param(lambda c: c.runs.steps.list("run_1", thread_id="thread_1", order="up"), id="steps.list-bad-order"),
        pytest.param(lambda c: c.runs.list("thread_1", timeout=-1), id="runs.list-bad-timeout"),
    ],
)
def test_list_validates_when_called_not_when_iterated(driver: Driver, op: Op) -> None:
    """list() raises at call time (also for the async paginator, before it is awaited or iterated)."""
    client = driver.client(run_handler())
    with pytest.raises((TypeError, ValueError)):
        op(client)
    assert driver.requests == []


def test_valid_boundaries_are_accepted(driver: Driver) -> None:
    """The documented bounds themselves pass: limit 1 and 100, temperature 0 and 2, top_p 0 and 1, 16 metadata keys,
    64-char key, 512-char value, max_prompt_tokens 256."""
    driver.client(run_handler())
    driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))
    driver.call(
        lambda c: c.runs.create(
            "thread_1",
            assistant_id="asst_1",
            temperature=0,
            top_p=1,
            max_prompt_tokens=256,
            metadata={**{f"k{i}": "v" for i in range(15)}, "k" * 64: "v" * 512},
        )
    )
    driver.call(lambda c: c.runs.create("thread_1", assistant_id="asst_1", temperature=2.0, top_p=0.0))
    assert len(driver.requests) == 3


DOT_PATH_CASES = [
    pytest.param(lambda c: c.runs.retrieve("run_1", thread_id="."), id="runs.retrieve-thread_id"),
    pytest.param(lambda c: c.runs.cancel(".", thread_id="thread_1"), id="runs.cancel-run_id"),
    pytest.param(
        lambda c: c.runs.steps.retrieve(".", thread_id="thread_1", run_id="run_1"), id="steps.retrieve-step_id"
    ),
    pytest.param(lambda c: c.runs.steps.list("run_1", thread_id="."), id="steps.list-thread_id"),
]


@pytest.mark.parametrize("op", DOT_PATH_CASES)
def test_single_dot_id_is_rejected_before_it_can_rewrite_the_path(driver: Driver, op: Op) -> None:
    """An ID of '.' raises ValueError with no request (otherwise URL normalisation drops that path segment)."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"a request was sent: {request.method} {request.url.path}")

    driver.client(refuse)
    with pytest.raises(ValueError):
        driver.call(op)
    assert driver.requests == []
