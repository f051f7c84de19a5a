"""Running the caller's Python functions for a run's pending tool calls.

Each call's JSON arguments become keyword arguments (``fn(**args)``); the
return value becomes the output string (``str`` as is, anything else
``json.dumps``). A function that raises, an unknown function name or bad
arguments become that tool's output (the error text), so the model sees what
went wrong and the loop goes on.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._constants import JSON_DECODE_ERRORS
from ._exceptions import APIResponseValidationError
from ._logging import logger

if TYPE_CHECKING:  # annotations only
    import httpx
    from threadruns_api.models import RunObject, RunToolCallObject

ToolFunction = Callable[..., Any]
AsyncToolFunction = Callable[..., Any | Awaitable[Any]]


def check_functions(functions: object, max_rounds: object, *, awaitable: bool) -> None:
    """``awaitable``: whether ``async def`` functions may be given (the async client awaits them)."""
    if not isinstance(functions, Mapping):
        raise TypeError(f"functions must be a dict of name to callable, got {type(functions).__name__}")
    for name, fn in functions.items():
        if not isinstance(name, str) or not callable(fn):
            raise TypeError(f"functions[{name!r}] must be a callable under a str name")
        if not awaitable and inspect.iscoroutinefunction(fn):
            raise TypeError(f"functions[{name!r}] is an async function, which the sync Client cannot await")
    if isinstance(max_rounds, bool) or not isinstance(max_rounds, int):
        raise TypeError(f"max_rounds must be an int, got {type(max_rounds).__name__}")
    if max_rounds < 1:
        raise ValueError(f"max_rounds must be >= 1, got {max_rounds}")


_CALLS = "RunObject.required_action.submit_tool_outputs.tool_calls"


def check_calls(run: RunObject, response: httpx.Response) -> None:
    """Every pending call as the loop needs it before it calls anything: a str ``id``, and a ``function``
    whose ``name`` and ``arguments`` (JSON text) are strs. A strict parse already guarantees it; under
    ``response_validation="warn"`` a bad value reaches here as sent, and is an APIResponseValidationError.
    """
    from threadruns_api.models import RunToolCallObject, RunToolCallObjectFunction
    from threadruns_api.types import json_kind

    calls = getattr(getattr(run.required_action, "submit_tool_outputs", None), "tool_calls", None)
    problem = None
    if calls is not None and not isinstance(calls, list):
        problem = f"{_CALLS}: expected a list, got {json_kind(calls)}"
    for index, call in enumerate(calls if isinstance(calls, list) else ()):
        where = f"{_CALLS}[{index}]"
        if not isinstance(call, RunToolCallObject):
            problem = f"{where}: expected a tool call object, got {json_kind(call)}"
        elif not isinstance(call.id, str):
            problem = f"{where}.id: expected str, got {json_kind(call.id)}"
        elif not isinstance(call.function, RunToolCallObjectFunction):
            problem = f"{where}.function: expected an object, got {json_kind(call.function)}"
        elif not isinstance(call.function.name, str):
            problem = f"{where}.function.name: expected str, got {json_kind(call.function.name)}"
        elif not isinstance(call.function.arguments, str):
            problem = f"{where}.function.arguments: expected str (JSON text), got {json_kind(call.function.arguments)}"
        if problem:
            break
    if problem:
        message = f"{problem}; the tool loop calls no function with it (run {run.id} still requires action)"
        raise APIResponseValidationError(response, _body(response, run), message)


def _body(response: httpx.Response, run: RunObject) -> Any:
    """The answer's body as sent; for a stream (whose body is events, already read) the run as parsed."""
    import httpx

    try:
        return json.loads(response.content)
    except (httpx.ResponseNotRead, *JSON_DECODE_ERRORS):
        return run.to_dict()


def pending_calls(run: RunObject) -> list[RunToolCallObject]:
    action = run.required_action
    submit = getattr(action, "submit_tool_outputs", None)
    calls = getattr(submit, "tool_calls", None)
    return list(calls) if isinstance(calls, list) else []


def _prepare(functions: Mapping[str, Any], call: RunToolCallObject) -> tuple[Any, dict[str, Any]] | str:
    """The function and its arguments, or the error output when it cannot be called."""
    name = call.function.name
    fn = functions.get(name)
    if fn is None:
        return f"Error: no function named {name!r} is available"
    try:
        args = json.loads(call.function.arguments or "{}")
    except JSON_DECODE_ERRORS as exc:
        return f"Error: the arguments of {name!r} are not valid JSON: {exc}"
    if not isinstance(args, dict):
        return f"Error: the arguments of {name!r} must be a JSON object"
    return fn, args


def _output(result: Any) -> str:
    return result if isinstance(result, str) else json.dumps(result, default=str)


def _failure(name: str, exc: Exception, on_tool_error: str) -> str:
    """A function that raised: raised again (``on_tool_error="raise"``), else logged with its traceback and
    turned into the tool's output, so the model sees what went wrong and the loop goes on."""
    if on_tool_error == "raise":
        raise exc
    logger.warning(
        "Tool function %r raised %s; the run gets the error as the tool's output (on_tool_error='raise' raises it)",
        name,
        type(exc).__name__,
        exc_info=exc,
    )
    return f"Error: {name} raised {type(exc).__name__}: {exc}"


ON_TOOL_ERROR = ("report", "raise")


def check_on_tool_error(value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"on_tool_error must be a str, got {type(value).__name__}")
    if value not in ON_TOOL_ERROR:
        raise ValueError(f"on_tool_error must be 'report' or 'raise', got {value!r}")


def run_tool(
    functions: Mapping[str, ToolFunction], call: RunToolCallObject, on_tool_error: str = "report"
) -> dict[str, str]:
    """The tool output for one call."""
    prepared = _prepare(functions, call)
    if isinstance(prepared, str):
        return {"tool_call_id": call.id, "output": prepared}
    fn, args = prepared
    try:
        result = fn(**args)
        if inspect.isawaitable(result):  # e.g. a partial of an async function, which check_functions cannot see
            if inspect.iscoroutine(result):
                result.close()  # never awaited: close it instead of leaving a "never awaited" warning
            raise TypeError("it returned an awaitable, which the sync Client cannot await (use AsyncClient)")
        output = _output(result)
    except Exception as exc:
        output = _failure(call.function.name, exc, on_tool_error)
    return {"tool_call_id": call.id, "output": output}


async def arun_tool(
    functions: Mapping[str, AsyncToolFunction], call: RunToolCallObject, on_tool_error: str = "report"
) -> dict[str, str]:
    """The tool output for one call; coroutine functions are awaited."""
    prepared = _prepare(functions, call)
    if isinstance(prepared, str):
        return {"tool_call_id": call.id, "output": prepared}
    fn, args = prepared
    try:
        result = fn(**args)
        if inspect.isawaitable(result):
            result = await result
        output = _output(result)
    except Exception as exc:
        output = _failure(call.function.name, exc, on_tool_error)
    return {"tool_call_id": call.id, "output": output}
