"""The ASGI layer in front of the routes: request log, request IDs, injected faults and authentication.

Order for each HTTP request: give it an ``x-request-id`` (added to whatever response goes out), log it
(credentials dropped), apply a latency fault, answer a status fault, check ``Authorization: Bearer``,
and only then hand it to the routes, whose response a ``malformed_body`` fault may cut short.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import anyio
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from threadruns_api.resources._operations import REQUEST_ID_HEADER

from ._deviations import NONE, Deviations
from ._errors import ApiError, default_error_for_status
from ._faults import FaultRule, Faults
from ._ids import request_id
from ._recorder import Recorder

logger = logging.getLogger("threadruns.server")

_NO_KEY = (
    "You didn't provide an API key. You need to provide your API key in an Authorization header "
    "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
)
_WRONG_KEY = "Incorrect API key provided."
_REQUEST_ID = REQUEST_ID_HEADER.encode()


class ServerMiddleware:
    """Pure ASGI middleware (it wraps ``send``, so streaming responses pass straight through)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        faults: Faults,
        recorder: Recorder,
        api_key: str | None,
        deviations: Deviations = NONE,
    ) -> None:
        self.app = app
        self.faults = faults
        self.recorder = recorder
        self.api_key = api_key
        self.deviations = deviations

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id()
        scope.setdefault("state", {})["request_id"] = rid
        headers = Headers(scope=scope)
        method: str = scope["method"]
        path: str = scope["path"]
        self.recorder.record(method, path, scope.get("query_string", b"").decode("latin-1"), headers)
        logger.debug("%s %s %s", rid, method, path)
        if "no-request-id" not in self.deviations:
            send = _with_request_id(send, rid)

        latency = self.faults.take("latency", method, path)
        if latency is not None:
            await anyio.sleep(latency.seconds)
        status_fault = self.faults.take("status", method, path)
        if status_fault is not None:
            await _fault_response(status_fault)(scope, receive, send)
            return
        auth_error = None if "no-auth" in self.deviations else self._check_auth(headers.get("authorization"))
        if auth_error is not None:
            status, body = self.deviations.error(auth_error.status, auth_error.body())
            await JSONResponse(body, status_code=status)(scope, receive, send)
            return
        if self.faults.take("malformed_body", method, path) is not None:
            send = _truncating(send)
        await self.app(scope, receive, send)

    def _check_auth(self, authorization: str | None) -> ApiError | None:
        """401 unless the request carries a bearer key (and the right one, when the server has a key)."""
        scheme, _, key = (authorization or "").partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            return ApiError(401, _NO_KEY)
        if self.api_key is not None and not secrets.compare_digest(key.encode(), self.api_key.encode()):
            return ApiError(401, _WRONG_KEY, code="invalid_api_key")
        return None


def _with_request_id(send: Send, rid: str) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), (_REQUEST_ID, rid.encode())]}
        await send(message)

    return wrapped


def _fault_response(rule: FaultRule) -> Response:
    body: Any = rule.body if rule.body is not None else default_error_for_status(rule.status)
    if isinstance(body, dict | list):
        return JSONResponse(body, status_code=rule.status, headers=rule.headers)
    content = body if isinstance(body, bytes) else str(body).encode()
    media_type = None if any(key.lower() == "content-type" for key in rule.headers) else "text/plain"
    return Response(content, status_code=rule.status, headers=rule.headers, media_type=media_type)


def _truncating(send: Send) -> Send:
    """Buffer the response, then send it as a 200 whose body is the first half of the real one."""
    start: list[Message] = []
    chunks: list[bytes] = []

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.append(message)
            return
        if message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(chunks)
        cut = body[: max(1, len(body) // 2)]
        headers = [(key, value) for key, value in start[0].get("headers", []) if key.lower() != b"content-length"]
        headers.append((b"content-length", str(len(cut)).encode()))
        await send({**start[0], "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": cut, "more_body": False})

    return wrapped
