"""Keyword-argument types shared by methods that take createRun's arguments.

``create_and_poll``, ``stream`` and ``create_and_run_tools`` accept exactly what
``create`` accepts; ``Unpack`` of these types keeps that checked by mypy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Required, TypeAlias, TypedDict

from .._types import Body, Headers, NotGiven, Query, Timeout

if TYPE_CHECKING:  # the aliases are for annotations only: the models load with the first request
    from threadruns_api.models import (
        AssistantsNamedToolChoice,
        AssistantToolsCode,
        AssistantToolsFileSearch,
        AssistantToolsFunction,
        CreateMessageRequest,
        ResponseFormatJsonObject,
        ResponseFormatJsonSchema,
        ResponseFormatText,
        SubmitToolOutputsRunRequestToolOutputsItem,
        TruncationObject,
    )

    AssistantTool: TypeAlias = AssistantToolsCode | AssistantToolsFileSearch | AssistantToolsFunction
    ResponseFormat: TypeAlias = ResponseFormatText | ResponseFormatJsonObject | ResponseFormatJsonSchema
    ToolOutput: TypeAlias = SubmitToolOutputsRunRequestToolOutputsItem


class RequestOptionParams(TypedDict, total=False):
    """Per-call options of every method."""

    timeout: Timeout | NotGiven
    max_retries: int | NotGiven
    extra_headers: Headers | None
    extra_query: Query | None
    extra_body: Body | None


class PollRequestParams(TypedDict, total=False):
    """Per-call options of ``poll``: its ``timeout`` is the overall deadline, not a request option."""

    max_retries: int | NotGiven
    extra_headers: Headers | None
    extra_query: Query | None


class CreateRunParams(RequestOptionParams, total=False):
    """The arguments of ``runs.create`` (besides ``thread_id`` and ``stream``)."""

    assistant_id: Required[str]
    model: str | NotGiven | None
    instructions: str | NotGiven | None
    additional_instructions: str | NotGiven | None
    additional_messages: Sequence[CreateMessageRequest | Mapping[str, Any]] | NotGiven | None
    tools: Sequence[AssistantTool | Mapping[str, Any]] | NotGiven | None
    metadata: Mapping[str, str] | NotGiven | None
    temperature: float | NotGiven | None
    top_p: float | NotGiven | None
    max_prompt_tokens: int | NotGiven | None
    max_completion_tokens: int | NotGiven | None
    truncation_strategy: TruncationObject | Mapping[str, Any] | NotGiven | None
    tool_choice: str | AssistantsNamedToolChoice | Mapping[str, Any] | NotGiven | None
    parallel_tool_calls: bool | NotGiven
    response_format: str | ResponseFormat | Mapping[str, Any] | NotGiven | None
    reasoning_effort: str | NotGiven | None
    include: Sequence[str] | NotGiven
