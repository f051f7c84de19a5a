"""Validated arguments → the generated endpoints' request kwargs, and bodies → models.

Shared by the sync and async resources, so both check and build exactly the
same requests. Request kwargs always come from the generated ``_get_kwargs``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from .. import _validation as v
from .._base_client import RequestOptions, parse_model
from .._constants import MAX_TOOLS
from .._types import NOT_GIVEN, NotGiven

if TYPE_CHECKING:
    import httpx
    from threadruns_api.models import (
        ListRunsResponse,
        ListRunStepsResponse,
        RunObject,
        RunStepInclude,
        RunStepObject,
    )
    from threadruns_api.types import Unset

# The generated package (its endpoint modules, models and `types`, which loads attrs) is imported where
# it is used (a dictionary look-up once loaded): loading it with this module slows `import threadruns`.

Kwargs = dict[str, Any]
_M = TypeVar("_M")


def _unset(value: Any) -> Any:
    from threadruns_api.types import UNSET

    return UNSET if isinstance(value, NotGiven) else value


def to_json(value: Any) -> Any:
    """Plain JSON data from a value that may hold generated models, dicts and lists."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {str(k): to_json(item) for k, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


def _include(value: Sequence[str] | NotGiven) -> list[RunStepInclude] | Unset:
    if isinstance(value, NotGiven):
        from threadruns_api.types import UNSET

        return UNSET
    v.check_sequence_of("include", value, str, nullable=False)
    from threadruns_api.models import RunStepInclude

    return [RunStepInclude(item) for item in value]


def _list_params(limit: object, order: object, after: object, before: object) -> None:
    v.check_limit(limit)
    v.check_order(order)
    v.check_optional_id("after", after)
    v.check_optional_id("before", before)


# ----------------------------------------------------------------------------- runs


def list_runs_kwargs(
    thread_id: str,
    *,
    limit: int | NotGiven,
    order: str | NotGiven,
    after: str | NotGiven,
    before: str | NotGiven,
) -> Kwargs:
    v.check_id("thread_id", thread_id)
    _list_params(limit, order, after, before)
    from threadruns_api.api.default import list_runs
    from threadruns_api.models import ListRunsOrder
    from threadruns_api.types import UNSET

    return list_runs._get_kwargs(
        thread_id,
        limit=_unset(limit),
        order=UNSET if isinstance(order, NotGiven) else ListRunsOrder(order),
        after=_unset(after),
        before=_unset(before),
    )


# Scalar arguments of createRun -> (accepted types, nullable); checked before sending.
_CREATE_SCALARS: dict[str, tuple[type | tuple[type, ...], bool]] = {
    "model": (str, True),
    "instructions": (str, True),
    "additional_instructions": (str, True),
    "parallel_tool_calls": (bool, False),
    "reasoning_effort": (str, True),
}


def create_run_body(assistant_id: object, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of createRun from the caller's arguments (NOT_GIVEN ones left out)."""
    v.check_id("assistant_id", assistant_id)
    given = v.drop_not_given(fields)
    if given:  # every check below passes NOT_GIVEN: with nothing else given there is nothing to check
        _check_create_fields(fields)
    body: dict[str, Any] = {"assistant_id": assistant_id}
    body.update({name: to_json(value) for name, value in given.items()})
    return body


def _check_create_fields(fields: Mapping[str, Any]) -> None:
    v.check_temperature(fields["temperature"])
    v.check_top_p(fields["top_p"])
    v.check_metadata(fields["metadata"])
    v.check_max_tokens("max_prompt_tokens", fields["max_prompt_tokens"])
    v.check_max_tokens("max_completion_tokens", fields["max_completion_tokens"])
    v.check_sequence_of("tools", fields["tools"], object)
    tools = fields["tools"]
    if isinstance(tools, Sequence) and len(tools) > MAX_TOOLS:
        raise ValueError(f"tools may hold at most {MAX_TOOLS} items, got {len(tools)}")
    v.check_sequence_of("additional_messages", fields["additional_messages"], object)
    for name, (types, nullable) in _CREATE_SCALARS.items():
        v.check_type(name, fields[name], types, nullable=nullable)
    for name in ("truncation_strategy", "tool_choice", "response_format"):
        _check_model_like(name, fields[name])
    for name in ("tools", "additional_messages"):
        for index, item in enumerate(fields[name] or ()):
            _check_model_like(f"{name}[{index}]", item)
    for index, message in enumerate(fields["additional_messages"] or ()):
        missing = [key for key in ("role", "content") if isinstance(message, Mapping) and key not in message]
        if missing:
            raise ValueError(f"additional_messages[{index}] lacks {' and '.join(map(repr, missing))}")
    if isinstance(fields["reasoning_effort"], str) and not fields["reasoning_effort"]:
        raise ValueError("reasoning_effort must not be empty")


def _check_model_like(name: str, value: object) -> None:
    """A body field given as a model, a dict, a str option or None, never something else."""
    if value is None or isinstance(value, str | Mapping | NotGiven) or hasattr(value, "to_dict"):
        return
    raise TypeError(f"{name} must be a dict or a threadruns.types model, got {type(value).__name__}")


def create_run_kwargs(thread_id: str, body: dict[str, Any], include: Sequence[str] | NotGiven) -> Kwargs:
    v.check_id("thread_id", thread_id)
    from threadruns_api.api.default import create_run
    from threadruns_api.models import CreateRunRequest

    request = _from_dict(CreateRunRequest, body, "create", ("assistant_id",))
    includes = _include(include)
    try:
        return create_run._get_kwargs(thread_id, body=request, include=includes)
    except (AttributeError, KeyError, TypeError) as exc:  # a nested value the model kept raw, unusable
        raise ValueError(f"invalid arguments for create: {_describe(exc)}") from None


def _from_dict(model: Any, body: dict[str, Any], what: str, required: tuple[str, ...] = ()) -> Any:
    """The generated request model for ``body``; a shape error names the offending argument."""
    try:
        return model.from_dict(body)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        base = {name: body[name] for name in required if name in body}
        for name, value in body.items():
            try:
                model.from_dict({**base, name: value})
            except (KeyError, TypeError, ValueError, AttributeError) as inner:
                raise ValueError(f"{name} is not valid for {what}: {_describe(inner)}") from None
        raise ValueError(f"invalid arguments for {what}: {_describe(exc)}") from None


def _describe(exc: BaseException) -> str:
    return f"missing key {exc}" if isinstance(exc, KeyError) else str(exc) or type(exc).__name__


def run_kwargs(thread_id: str, run_id: str, endpoint: Any) -> Kwargs:
    v.check_id("thread_id", thread_id)
    v.check_id("run_id", run_id)
    kwargs: Kwargs = endpoint._get_kwargs(thread_id, run_id)
    return kwargs


def get_run_kwargs(thread_id: str, run_id: str) -> Kwargs:
    from threadruns_api.api.default import get_run

    return run_kwargs(thread_id, run_id, get_run)


def cancel_run_kwargs(thread_id: str, run_id: str) -> Kwargs:
    from threadruns_api.api.default import cancel_run

    return run_kwargs(thread_id, run_id, cancel_run)


def modify_run_kwargs(thread_id: str, run_id: str, metadata: Mapping[str, str] | NotGiven | None) -> Kwargs:
    v.check_id("thread_id", thread_id)
    v.check_id("run_id", run_id)
    v.check_metadata(metadata)
    body = {} if isinstance(metadata, NotGiven) else {"metadata": to_json(metadata)}
    from threadruns_api.api.default import modify_run
    from threadruns_api.models import ModifyRunRequest

    return modify_run._get_kwargs(thread_id, run_id, body=_from_dict(ModifyRunRequest, body, "update"))


def submit_tool_outputs_body(tool_outputs: object) -> dict[str, Any]:
    v.check_sequence_of("tool_outputs", tool_outputs, object, nullable=False)
    assert isinstance(tool_outputs, Sequence)
    if not tool_outputs:
        raise ValueError("tool_outputs must not be empty: give one output per pending tool call")
    outputs = []
    for index, item in enumerate(tool_outputs):
        _check_model_like(f"tool_outputs[{index}]", item)
        output = to_json(item)
        if not isinstance(output, dict):
            raise TypeError(f"tool_outputs[{index}] must be a dict with tool_call_id and output")
        if "tool_call_id" in output:
            v.check_type(f"tool_outputs[{index}].tool_call_id", output["tool_call_id"], str, nullable=False)
        if "output" in output:
            v.check_type(f"tool_outputs[{index}].output", output["output"], str, nullable=False)
        outputs.append(output)
    return {"tool_outputs": outputs}


def submit_tool_outputs_kwargs(thread_id: str, run_id: str, body: dict[str, Any]) -> Kwargs:
    v.check_id("thread_id", thread_id)
    v.check_id("run_id", run_id)
    from threadruns_api.api.default import submit_tool_outputs_to_run
    from threadruns_api.models import SubmitToolOutputsRunRequest

    request = _from_dict(SubmitToolOutputsRunRequest, body, "submit_tool_outputs")
    return submit_tool_outputs_to_run._get_kwargs(thread_id, run_id, body=request)


# ----------------------------------------------------------------------------- steps


def list_steps_kwargs(
    thread_id: str,
    run_id: str,
    *,
    limit: int | NotGiven,
    order: str | NotGiven,
    after: str | NotGiven,
    before: str | NotGiven,
    include: Sequence[str] | NotGiven,
) -> Kwargs:
    v.check_id("thread_id", thread_id)
    v.check_id("run_id", run_id)
    _list_params(limit, order, after, before)
    from threadruns_api.api.default import list_run_steps
    from threadruns_api.models import ListRunStepsOrder
    from threadruns_api.types import UNSET

    return list_run_steps._get_kwargs(
        thread_id,
        run_id,
        limit=_unset(limit),
        order=UNSET if isinstance(order, NotGiven) else ListRunStepsOrder(order),
        after=_unset(after),
        before=_unset(before),
        include=_include(include),
    )


def get_step_kwargs(thread_id: str, run_id: str, step_id: str, include: Sequence[str] | NotGiven) -> Kwargs:
    v.check_id("thread_id", thread_id)
    v.check_id("run_id", run_id)
    v.check_id("step_id", step_id)
    from threadruns_api.api.default import get_run_step

    return get_run_step._get_kwargs(thread_id, run_id, step_id, include=_include(include))


# ----------------------------------------------------------------------------- parsing


def parse_run(response: httpx.Response) -> RunObject:
    from threadruns_api.models import RunObject

    return parse_model(response, lambda data: _with_id(RunObject.from_dict(data)), "RunObject")


def parse_step(response: httpx.Response) -> RunStepObject:
    from threadruns_api.models import RunStepObject

    return parse_model(response, lambda data: _with_id(RunStepObject.from_dict(data)), "RunStepObject")


def _with_id(obj: _M) -> _M:
    """``obj`` if its ``id`` can be used in a later request path; else a ValueError/TypeError (a bad answer)."""
    v.check_id("id", getattr(obj, "id", None))
    return obj


def _with_ids(listing: Any) -> Any:
    """``listing`` once every item has a string id (the cursor of the next page)."""
    for index, item in enumerate(listing.data):
        if not isinstance(getattr(item, "id", None), str):
            raise TypeError(f"data[{index}] has no string id")
    return listing


def parse_runs_list(response: httpx.Response) -> ListRunsResponse:
    from threadruns_api.models import ListRunsResponse

    listing: ListRunsResponse = parse_model(
        response, lambda data: _with_ids(ListRunsResponse.from_dict(data)), "ListRunsResponse"
    )
    return listing


def parse_steps_list(response: httpx.Response) -> ListRunStepsResponse:
    from threadruns_api.models import ListRunStepsResponse

    listing: ListRunStepsResponse = parse_model(
        response, lambda data: _with_ids(ListRunStepsResponse.from_dict(data)), "ListRunStepsResponse"
    )
    return listing


def page_fields(
    listing: ListRunsResponse | ListRunStepsResponse, *, backwards: bool, bound: Mapping[str, str]
) -> dict[str, Any]:
    """Constructor fields of a cursor page from a parsed list response (``bound``: the walk's first cursor)."""
    return {
        "data": list(listing.data),
        "has_more": bool(listing.has_more),
        "first_id": listing.first_id,
        "last_id": listing.last_id,
        "backwards": backwards,
        "bound": dict(bound),
    }


# ----------------------------------------------------------------------------- shared method plumbing

OPTION_NAMES = ("timeout", "max_retries", "extra_headers", "extra_query", "extra_body")
CREATE_FIELDS = (
    "model",
    "instructions",
    "additional_instructions",
    "additional_messages",
    "tools",
    "metadata",
    "temperature",
    "top_p",
    "max_prompt_tokens",
    "max_completion_tokens",
    "truncation_strategy",
    "tool_choice",
    "parallel_tool_calls",
    "response_format",
    "reasoning_effort",
)


_OPTION_SET = frozenset(OPTION_NAMES)
_CREATE_SET = frozenset(CREATE_FIELDS)


_DEFAULT_OPTIONS = RequestOptions()
_OPTION_DEFAULTS = tuple((name, getattr(_DEFAULT_OPTIONS, name)) for name in OPTION_NAMES)


def split_options(params: Mapping[str, Any]) -> tuple[RequestOptions, dict[str, Any]]:
    """Per-call options, and the remaining arguments."""
    given = {name: params[name] for name in OPTION_NAMES if name in params}
    # The usual call passes no option: share one (frozen) instance instead of building and checking another.
    if all(given.get(name, default) is default for name, default in _OPTION_DEFAULTS):
        options = _DEFAULT_OPTIONS
    else:
        options = RequestOptions(**given)
    return options, {name: value for name, value in params.items() if name not in _OPTION_SET}


def option_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The per-call options of ``params`` that carry over to follow-up calls (polls, tool output submits).

    ``extra_query`` and ``extra_body`` belong to the request they were given for: another endpoint would
    refuse them (an extra create field sent with submit_tool_outputs is a 400).
    """
    return {name: params[name] for name in ("timeout", "max_retries", "extra_headers") if name in params}


def poll_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The options of ``params`` that ``poll`` takes (all but the request timeout and body)."""
    return {name: params[name] for name in ("max_retries", "extra_headers", "extra_query") if name in params}


def check_stream_flag(stream: object) -> bool:
    v.check_type("stream", stream, bool, nullable=False)
    return stream is True


def prepare_create(thread_id: str, params: Mapping[str, Any], *, stream: bool) -> tuple[Kwargs, RequestOptions]:
    """Request kwargs and options of createRun from ``create``'s keyword arguments."""
    options, fields = split_options(params)
    if "assistant_id" not in fields:
        raise TypeError("missing required keyword argument: 'assistant_id'")
    assistant_id = fields.pop("assistant_id")
    include = fields.pop("include", NOT_GIVEN)
    if not fields.keys() <= _CREATE_SET:
        unknown = sorted(set(fields) - _CREATE_SET)
        raise TypeError(f"unexpected keyword argument(s) for create: {', '.join(unknown)}")
    body = create_run_body(assistant_id, {name: fields.get(name, NOT_GIVEN) for name in CREATE_FIELDS})
    if stream:
        body["stream"] = True
    return create_run_kwargs(thread_id, body, include), options


def prepare_submit(
    thread_id: str, run_id: str, tool_outputs: object, params: Mapping[str, Any], *, stream: bool
) -> tuple[Kwargs, RequestOptions]:
    """Request kwargs and options of submitToolOutputsToRun."""
    options, rest = split_options(params)
    if rest:
        raise TypeError(f"unexpected keyword argument(s) for submit_tool_outputs: {', '.join(sorted(rest))}")
    body = submit_tool_outputs_body(tool_outputs)
    if stream:
        body["stream"] = True
    return submit_tool_outputs_kwargs(thread_id, run_id, body), options
