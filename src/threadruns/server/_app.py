"""The Starlette app: every operation of the spec under a prefix (``/v1`` by default).

Each handler validates the request against the spec, calls the store, and answers with the JSON the
spec describes (run responses also carry ``openai-poll-after-ms``), or with an event stream when the
body says ``stream: true``. The routes are the spec's paths and methods; an operation of the spec that
has no handler here answers 501 naming it. Unknown paths and wrong methods answer 404 and 405 in the
same error shape as every other error.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from threadruns_api.resources._operations import POLL_AFTER_MS_HEADER, REQUEST_ID_HEADER

from ._deviations import NONE, Deviations
from ._errors import ApiError, error_body
from ._faults import Faults
from ._middleware import ServerMiddleware
from ._objects import Json, Run
from ._recorder import Recorder
from ._spec import load_spec
from ._state import RunStore
from ._streaming import DONE_FRAME, EventSource, EventStreamResponse, StreamFaults
from ._validation import ValidRequest, validate_request

logger = logging.getLogger("threadruns.server")

HTTP_METHODS = ("get", "put", "post", "delete", "patch")


Handler = Callable[[Request, ValidRequest], Awaitable[Response]]


@dataclass(frozen=True)
class AppOptions:
    """Settings of the HTTP layer."""

    prefix: str = "/v1"
    api_key: str | None = None
    poll_after_ms: int = 50
    advance_on_read: bool = True
    stream_delay: float = 0.0
    deviations: Deviations = NONE


class RunsApi:
    """Request handlers bound to one store; :meth:`build` returns the ASGI app."""

    def __init__(self, store: RunStore, faults: Faults, recorder: Recorder, options: AppOptions) -> None:
        self.store = store
        self.faults = faults
        self.recorder = recorder
        self.options = options

    def build(self) -> Starlette:
        """The Starlette app with the spec's operations, error handlers and the server middleware."""
        prefix = self.options.prefix.rstrip("/")
        implemented: dict[str, Handler] = {
            "listRuns": self.list_runs,
            "createRun": self.create_run,
            "getRun": self.get_run,
            "modifyRun": self.modify_run,
            "submitToolOutputsToRun": self.submit_tool_outputs,
            "listRunSteps": self.list_run_steps,
            "getRunStep": self.get_run_step,
            "listMessages": self.list_messages,
            "getMessage": self.get_message,
        }
        if "no-cancel" not in self.options.deviations:
            implemented["cancelRun"] = self.cancel_run
        operations: dict[str, dict[str, Handler]] = {}
        for template, item in load_spec().get("paths", {}).items():
            for method in HTTP_METHODS:
                if method in item:
                    op_id = item[method].get("operationId", f"{method} {template}")
                    handler = implemented.get(op_id) or _not_implemented(op_id, method.upper(), template)
                    operations.setdefault(template, {})[method.upper()] = handler
        routes = [
            Route(prefix + template, self._endpoint(template, handlers), methods=list(handlers))
            for template, handlers in operations.items()
        ]
        app = Starlette(
            routes=routes,
            middleware=[
                Middleware(
                    ServerMiddleware,
                    faults=self.faults,
                    recorder=self.recorder,
                    api_key=self.options.api_key,
                    deviations=self.options.deviations,
                )
            ],
            exception_handlers={
                ApiError: _api_error_handler,
                HTTPException: _http_error_handler,
                Exception: _server_error_handler,
            },
        )
        app.router.redirect_slashes = False
        app.state.prefix = prefix  # the 404 of a path outside it says where the API is
        app.state.deviations = self.options.deviations
        return app

    # Operations --------------------------------------------------------------------------------------

    async def list_runs(self, request: Request, valid: ValidRequest) -> Response:
        """listRuns."""
        page = self.store.list_runs(request.path_params["thread_id"], **self._paging(valid.query))
        return JSONResponse(self.options.deviations.page(page))

    async def create_run(self, request: Request, valid: ValidRequest) -> Response:
        """createRun (JSON or event stream)."""
        body: Json = valid.body
        if not body.get("assistant_id"):
            raise ApiError(400, "Invalid 'assistant_id': empty string.", param="assistant_id")
        events: list[tuple[str, Json]] = []
        thread_id = request.path_params["thread_id"]
        stream = self._streams(body)
        run = self.store.create_run(thread_id, body, lambda name, data: events.append((name, data)), stream=stream)
        if stream:
            return self._stream(request, events, run)
        return self._run_response(events[-1][1])

    async def get_run(self, request: Request, valid: ValidRequest) -> Response:
        """getRun (in manual mode with advance-on-read, the run first takes one step)."""
        advance = self.options.advance_on_read and self.store.clock.mode == "manual"
        run = self.store.get_run(request.path_params["thread_id"], request.path_params["run_id"], advance=advance)
        return self._run_response(run)

    async def modify_run(self, request: Request, valid: ValidRequest) -> Response:
        """modifyRun: replaces metadata."""
        body: Json = valid.body
        run = self.store.modify_run(request.path_params["thread_id"], request.path_params["run_id"], body)
        return self._run_response(run)

    async def cancel_run(self, request: Request, valid: ValidRequest) -> Response:
        """cancelRun."""
        run = self.store.cancel_run(request.path_params["thread_id"], request.path_params["run_id"])
        return self._run_response(run)

    async def submit_tool_outputs(self, request: Request, valid: ValidRequest) -> Response:
        """submitToolOutputsToRun (JSON or event stream)."""
        body: Json = valid.body
        events: list[tuple[str, Json]] = []
        stream = self._streams(body)
        run = self.store.submit_tool_outputs(
            request.path_params["thread_id"],
            request.path_params["run_id"],
            body["tool_outputs"],
            lambda name, data: events.append((name, data)),
            stream=stream,
        )
        if stream:
            return self._stream(request, events, run)
        return self._run_response(events[-1][1])

    async def list_run_steps(self, request: Request, valid: ValidRequest) -> Response:
        """listRunSteps."""
        params = request.path_params
        page = self.store.list_steps(params["thread_id"], params["run_id"], **self._paging(valid.query))
        return JSONResponse(self.options.deviations.page(page))

    async def get_run_step(self, request: Request, valid: ValidRequest) -> Response:
        """getRunStep."""
        params = request.path_params
        return JSONResponse(self.store.get_step(params["thread_id"], params["run_id"], params["step_id"]))

    async def list_messages(self, request: Request, valid: ValidRequest) -> Response:
        """listMessages (with its ``run_id`` filter)."""
        page = self.store.list_messages(
            request.path_params["thread_id"], run_id=valid.query.get("run_id"), **self._paging(valid.query)
        )
        return JSONResponse(self.options.deviations.page(page))

    async def get_message(self, request: Request, valid: ValidRequest) -> Response:
        """getMessage."""
        params = request.path_params
        return JSONResponse(self.store.get_message(params["thread_id"], params["message_id"]))

    # Helpers -----------------------------------------------------------------------------------------

    def _endpoint(self, template: str, handlers: dict[str, Handler]) -> Callable[[Request], Awaitable[Response]]:
        """One endpoint per path: validate against ``template``, then call the handler for the method."""

        async def endpoint(request: Request) -> Response:
            method = "GET" if request.method == "HEAD" else request.method
            try:
                body = await request.body()
            except ClientDisconnect:  # the client gave up (its timeout, under a latency fault): no one to answer
                logger.debug("client disconnected before its request body was read: %s %s", method, request.url.path)
                return Response(status_code=499)
            valid = validate_request(
                method=method,
                path_template=template,
                path_params=request.path_params,
                query=request.query_params.multi_items(),
                headers=request.headers,
                body=body,
                content_type=request.headers.get("content-type", ""),
            )
            return await handlers[method](request, valid)

        return endpoint

    def _paging(self, query: Mapping[str, Any]) -> Json:
        """A list request's page size, order and cursors (as a server with ``inverted-cursors`` reads them)."""
        order = query.get("order", "desc")
        after, before = self.options.deviations.cursors(order, query.get("after"), query.get("before"))
        return {"limit": query.get("limit", 20), "order": order, "after": after, "before": before}

    def _streams(self, body: Json) -> bool:
        """Whether to answer with an event stream (a server with ``stream-ignored`` never does)."""
        return bool(body.get("stream")) and "stream-ignored" not in self.options.deviations

    def _run_response(self, run: Json) -> Response:
        deviations = self.options.deviations
        headers = {} if "no-poll-header" in deviations else {POLL_AFTER_MS_HEADER: str(self.options.poll_after_ms)}
        return JSONResponse(deviations.run(run), headers=headers)

    def _stream(self, request: Request, first: list[tuple[str, Json]], run: Run) -> Response:
        """An event stream: the events the request already caused, then the run driven to its next stop."""
        method, path = request.method, request.url.path
        cut = self.faults.take("cut_stream", method, path)
        error = self.faults.take("error_event", method, path)
        faults = StreamFaults(
            cut_after=cut.after_events if cut is not None else None,
            error_after=error.after_events if error is not None else None,
            error=error.error if error is not None else None,
        )

        def events() -> EventSource:
            yield from first
            yield from self.store.drive(run)  # closing this generator closes the drive, too

        return EventStreamResponse(
            self.options.deviations.events(events()),
            faults=faults,
            delay=self.options.stream_delay,
            on_disconnect=self.recorder.stream_disconnected,
            on_close=lambda: self.store.end_stream(run),  # also when the events were never asked for
            done=self.options.deviations.done_frame or DONE_FRAME,
        )


def _not_implemented(op_id: str, method: str, template: str) -> Handler:
    """The handler of an operation the spec has and this server does not: 501, naming it."""

    async def handler(request: Request, valid: ValidRequest) -> Response:
        message = f"The operation {op_id} ({method} {template}) is in the spec but not implemented by this server."
        raise ApiError(501, message, type="server_error", code="not_implemented")

    return handler


def _error_response(
    request: Request, status: int, body: Json, headers: Mapping[str, str] | None, missing: str | None = None
) -> Response:
    deviations: Deviations = getattr(request.app.state, "deviations", NONE)
    status, answer = deviations.error(status, body, missing)
    return JSONResponse(answer, status_code=status, headers=headers)


async def _api_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return _error_response(request, exc.status, exc.body(), exc.headers, exc.missing)


async def _http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    target = f"{request.method} {request.url.path}"
    if exc.status_code == 405:
        message = f"Method not allowed: {target}."
    elif exc.status_code == 404:
        message = f"Invalid URL ({target})"
        prefix = getattr(request.app.state, "prefix", "")
        if prefix and not request.url.path.startswith(prefix + "/"):
            message += f". This server serves the API under {prefix}: end base_url with {prefix}"
    else:
        message = str(exc.detail)
    return _error_response(request, exc.status_code, error_body(message), exc.headers)


async def _server_error_handler(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error in %s %s", request.method, request.url.path)
    rid = getattr(request.state, "request_id", None)
    body = error_body("The server had an error while processing your request.", type="server_error")
    deviations: Deviations = getattr(request.app.state, "deviations", NONE)
    send_id = isinstance(rid, str) and "no-request-id" not in deviations
    return _error_response(request, 500, body, {REQUEST_ID_HEADER: str(rid)} if send_id else None)
