"""Request validation against the spec with openapi-core (OpenAPI 3.1), turned into OpenAI's 400 errors.

Path, query (including ``include[]``) and JSON body are checked by openapi-core's V31 request unmarshaller.
The failure becomes ``{"error": {"message", "type": "invalid_request_error", "param", "code": null}}`` where
``param`` names the offending parameter or body field (``limit``, ``temperature``,
``additional_messages[0].role``, the unexpected key of an ``additionalProperties: false`` object).
Authentication is checked before this, by the server itself, so no credential ever reaches openapi-core.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
from openapi_core.validation.request.exceptions import (
    InvalidParameter,
    MissingRequestBodyError,
    MissingRequiredParameter,
    ParameterValidationError,
    RequestBodyValidationError,
)
from werkzeug.datastructures import Headers, ImmutableMultiDict

from ._errors import ApiError
from ._spec import load_spec

_JSON_PARSE_MESSAGE = (
    "We could not parse the JSON body of your request. The server expects a JSON payload, "
    "but what was sent was not valid JSON."
)


@dataclass(frozen=True)
class ValidRequest:
    """What a request carried once it passed validation: typed query parameters and the parsed body."""

    query: Mapping[str, Any]
    body: Any


@dataclass
class _OpenAPIRequest:
    """The request shape openapi-core reads (its ``Request`` and ``SupportsPathPattern`` protocols)."""

    method: str
    path: str
    path_pattern: str
    parameters: RequestParameters
    body: bytes | None
    content_type: str
    host_url: str = "http://threadruns.invalid"


@functools.cache
def _openapi() -> OpenAPI:
    """openapi-core's view of the spec, built once per process (about 10 ms)."""
    spec = load_spec()
    spec["servers"] = [{"url": "/"}]  # the server matches paths itself; validation sees them unprefixed
    spec.pop("security", None)  # checked by the server before validation, never echoed
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


def warm_up() -> None:
    """Build the validator now, so the first request does not pay for it."""
    _openapi()


def validate_request(
    *,
    method: str,
    path_template: str,
    path_params: Mapping[str, str],
    query: Sequence[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
    content_type: str,
) -> ValidRequest:
    """Check one request against the operation at ``path_template``; raise :class:`ApiError` (400) if bad."""
    safe_headers = Headers([(key, value) for key, value in headers.items() if key.lower() != "authorization"])
    if body and not content_type:
        content_type = "application/json"
    request = _OpenAPIRequest(
        method=method.lower(),
        path=path_template,
        path_pattern=path_template,
        parameters=RequestParameters(
            query=ImmutableMultiDict(list(query)), header=safe_headers, path=dict(path_params)
        ),
        body=body or None,
        content_type=content_type.lower(),
    )
    decoded = _strict_json(body) if body and "json" in content_type.lower() else None
    try:
        result = _openapi().unmarshal_request(request)
    except RecursionError:  # nesting the schema walk cannot follow
        raise ApiError(400, _JSON_PARSE_MESSAGE) from None
    errors = list(result.errors)
    if errors:
        raise _to_api_error(errors[0])
    # The raw JSON rather than openapi-core's unmarshalled copy, so values are exactly what was sent;
    # a body sent to an operation that declares none (cancelRun) is ignored.
    parsed_body: Any = decoded if body and result.body is not None else None
    return ValidRequest(query=dict(result.parameters.query), body=parsed_body)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _strict_json(body: bytes) -> Any:
    """The decoded body; ``NaN`` and ``Infinity`` (which Python's parser accepts) and runaway nesting are a 400."""
    try:
        return json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise ApiError(400, _JSON_PARSE_MESSAGE) from None


def _to_api_error(error: Exception) -> ApiError:
    cause = error.__cause__
    if isinstance(error, MissingRequiredParameter):
        return ApiError(400, f"Missing required parameter: '{error.name}'.", param=error.name)
    if isinstance(error, InvalidParameter):
        detail = _first_schema_message(cause)
        return ApiError(400, f"Invalid '{error.name}': {detail}", param=error.name)
    if isinstance(error, ParameterValidationError):
        message = f"Invalid '{error.name}': could not read the value as the expected type."
        return ApiError(400, message, param=error.name)
    if isinstance(error, MissingRequestBodyError):
        return ApiError(400, "Missing request body: this operation expects a JSON object.")
    if isinstance(cause, MediaTypeNotFound):
        return ApiError(400, f"Unsupported Content-Type '{cause.mimetype}': send application/json.")
    if isinstance(error, RequestBodyValidationError):
        schema_errors = list(getattr(cause, "schema_errors", None) or ())
        if not schema_errors:
            return ApiError(400, _JSON_PARSE_MESSAGE)
        return _body_error(schema_errors[0])
    return ApiError(400, f"Invalid request: {error}")


def _first_schema_message(cause: BaseException | None) -> str:
    errors = list(getattr(cause, "schema_errors", None) or ())
    if not errors:
        return "invalid value."
    return _sentence(str(getattr(errors[0], "message", errors[0])))


def _body_error(schema_error: Any) -> ApiError:
    """The 400 for one jsonschema error of the body, with ``param`` pointing at the field."""
    error = _most_specific(schema_error)
    path = list(error.absolute_path)
    validator = error.validator
    if validator == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        name = missing[0] if missing else "?"
        param = _param([*path, name])
        return ApiError(400, f"Missing required parameter: '{param}'.", param=param)
    if validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        extra = sorted(key for key in error.instance if key not in known)
        param = _param([*path, *extra[:1]])
        return ApiError(400, f"Unrecognized request argument supplied: {param}", param=param)
    field = _param(path)
    message = _sentence(str(error.message))
    if not field:
        return ApiError(400, f"Invalid request body: {message}")
    if validator == "type":
        return ApiError(400, f"Invalid type for '{field}': {message}", param=field)
    return ApiError(400, f"Invalid value for '{field}': {message}", param=field)


def _most_specific(error: Any) -> Any:
    """For a failed ``anyOf``, descend into the one member the value was meant for, when that is clear.

    First drop members whose JSON type does not fit at all; if several remain, drop those whose ``type``
    tag (``const``/``enum`` on the ``type`` key) did not match, which is what a discriminator would do.
    """
    while error.validator in ("anyOf", "oneOf") and error.context:
        branches: dict[Any, list[Any]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        fitting = [subs for subs in branches.values() if not any(_wrong_json_type(sub) for sub in subs)]
        if len(fitting) > 1:
            fitting = [subs for subs in fitting if not any(_wrong_tag(sub) for sub in subs)]
        if len(fitting) != 1:
            return error
        error = fitting[0][0]
    return error


def _wrong_json_type(error: Any) -> bool:
    return not error.relative_path and error.validator == "type"


def _wrong_tag(error: Any) -> bool:
    return list(error.relative_path) == ["type"] and error.validator in ("const", "enum")


def _param(path: Sequence[Any]) -> str:
    """``["additional_messages", 0, "role"]`` → ``additional_messages[0].role``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(".") else text + "."
