"""An embedded, spec-faithful Runs API server for offline demos and tests ("moto for the Runs API").

OpenAI's hosted Assistants API closed on 2026-08-26; this server answers the eight Runs operations of
``threadruns_api/openapi.yaml`` from memory, with a clock tests control, scripted assistants and fault
injection::

    from threadruns.server import RunsServer, Script, ToolCall

    with RunsServer() as server:
        server.add_assistant("asst_1", script=Script.reply("Hello!"))
        thread_id = server.add_thread(messages=["Hi"])
        ...  # point any client at server.url

Needs the ``server`` extra (starlette, uvicorn, openapi-core, pyyaml). ``import threadruns`` never
imports this package.
"""

try:
    from ._clock import Clock, TimeMode
    from ._deviations import DEVIATIONS
    from ._faults import FaultRule, Faults
    from ._recorder import RecordedRequest
    from ._runner import RunsServer, serve
    from ._script import ReplyContext, Script, ToolCall
    from ._seed import SeedSource
except ModuleNotFoundError as exc:  # the server extra is not installed: say which package, and how to add it
    missing = (exc.name or "").split(".")[0]
    if missing not in {"starlette", "uvicorn", "openapi_core", "yaml", "anyio", "werkzeug"}:
        raise
    raise ModuleNotFoundError(
        f"threadruns.server needs the server extra, which is not installed (no module {missing!r}): "
        "pip install 'threadruns[server]'",
        name=missing,
    ) from exc

__all__ = [
    "DEVIATIONS",
    "Clock",
    "FaultRule",
    "Faults",
    "RecordedRequest",
    "ReplyContext",
    "RunsServer",
    "Script",
    "SeedSource",
    "TimeMode",
    "ToolCall",
    "serve",
]
