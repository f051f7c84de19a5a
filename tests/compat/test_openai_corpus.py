"""Typical openai-python code for runs, steps and streaming, run as written against the embedded server.

Each piece of the corpus is openai-python user code (written for this project). It runs twice: with
``openai`` as it is, and with only the import and the constructor changed to threadruns. The two runs
must produce the same result. The openai half is skipped, saying why, when ``openai`` is not
installed (it is not one of this project's dependencies).
"""

from __future__ import annotations

import importlib.util
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest

from threadruns.server import RunsServer, Script, ToolCall

OPENAI = {"import": "from openai import OpenAI as Client, AssistantEventHandler, NotFoundError", "name": "openai"}
THREADRUNS = {"import": "from threadruns import Client, AssistantEventHandler, NotFoundError", "name": "threadruns"}

CORPUS: dict[str, str] = {
    "create_and_poll, then read it back": """
        run = client.beta.threads.runs.create_and_poll(
            thread_id=THREAD, assistant_id="asst_echo", metadata={"ticket": "T-1"}, poll_interval_ms=50
        )
        again = client.beta.threads.runs.retrieve(run.id, thread_id=THREAD)
        listed = [r.id for r in client.beta.threads.runs.list(thread_id=THREAD, order="asc")]
        result = {
            "status": run.status, "object": run.object, "same": again.id == run.id,
            "metadata": dict(run.metadata), "ticket": run.metadata.get("ticket"), "listed": listed == [run.id],
            "dump": sorted(k for k in run.model_dump() if k in ("id", "object", "status", "thread_id")),
        }
    """,
    "steps of a finished run": """
        run = client.beta.threads.runs.create_and_poll(thread_id=THREAD, assistant_id="asst_echo")
        steps = client.beta.threads.runs.steps.list(run.id, thread_id=THREAD)
        step = client.beta.threads.runs.steps.retrieve(steps.data[0].id, thread_id=THREAD, run_id=run.id)
        result = {"types": [s.type for s in steps.data], "step": step.step_details.type, "object": step.object}
    """,
    "stream with an event handler": """
        class Handler(AssistantEventHandler):
            def __init__(self):
                super().__init__()
                self.text = ""
                self.done = []

            def on_text_delta(self, delta, snapshot):
                self.text += delta.value

            def on_message_done(self, message):
                self.done.append(message.content[0].text.value)

        with client.beta.threads.runs.stream(
            thread_id=THREAD, assistant_id="asst_echo", event_handler=Handler()
        ) as stream:
            stream.until_done()
        result = {"text": stream.text, "done": stream.done, "final": stream.get_final_run().status}
    """,
    "stream text_deltas": """
        with client.beta.threads.runs.stream(thread_id=THREAD, assistant_id="asst_echo") as stream:
            pieces = [piece for piece in stream.text_deltas]
        result = {"text": "".join(pieces), "several": len(pieces) > 1}
    """,
    "answer tool calls by hand": """
        run = client.beta.threads.runs.create_and_poll(thread_id=THREAD, assistant_id="asst_tools")
        calls = run.required_action.submit_tool_outputs.tool_calls
        outputs = [{"tool_call_id": call.id, "output": call.function.name.upper()} for call in calls]
        run = client.beta.threads.runs.submit_tool_outputs_and_poll(
            tool_outputs=outputs, run_id=run.id, thread_id=THREAD
        )
        messages = client.beta.threads.messages.list(thread_id=THREAD, order="desc", limit=1)
        reply = messages.data[0].content[0].text.value
        result = {"status": run.status, "names": [c.function.name for c in calls], "reply": reply}
    """,
    "a missing run is NotFoundError": """
        try:
            client.beta.threads.runs.retrieve("run_missing", thread_id=THREAD)
            result = {"raised": None}
        except NotFoundError as exc:
            result = {"raised": "NotFoundError", "status": exc.status_code}
    """,
}


@pytest.fixture
def server() -> Iterator[RunsServer]:
    with RunsServer(auto_create=True) as running:
        running.add_assistant("asst_echo", script=Script.reply("one two three"))
        running.add_assistant(
            "asst_tools",
            script=Script.call_tools([ToolCall("get_weather", {"city": "Oslo"})], then=Script.reply("{outputs}")),
        )
        yield running


def _run(flavour: dict[str, str], code: str, server: RunsServer) -> Any:
    source = flavour["import"] + "\n" + f"client = Client(api_key='sk-test', base_url={server.url!r}, max_retries=0)\n"
    source += textwrap.dedent(code)
    namespace: dict[str, Any] = {"THREAD": server.add_thread(messages=["Hi"])}
    try:
        exec(compile(source, f"<corpus: {flavour['name']}>", "exec"), namespace)  # the corpus is this file's own
    finally:
        if "client" in namespace:
            namespace["client"].close()
    return namespace["result"]


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_threadruns_runs_the_corpus_with_only_the_import_changed(name: str, server: RunsServer) -> None:
    result = _run(THREADRUNS, CORPUS[name], server)
    assert result == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(CORPUS))
@pytest.mark.filterwarnings("ignore:The Assistants API is deprecated:DeprecationWarning")
def test_openai_python_gives_the_same_result(name: str, server: RunsServer) -> None:
    if importlib.util.find_spec("openai") is None:
        pytest.skip("openai is not installed (not a dependency of this project); pip install 'openai<2' to compare")
    assert _run(OPENAI, CORPUS[name], server) == _run(THREADRUNS, CORPUS[name], server) == EXPECTED[name]


# What each piece gives; both clients must give exactly this.
EXPECTED: dict[str, Any] = {
    "create_and_poll, then read it back": {
        "status": "completed",
        "object": "thread.run",
        "same": True,
        "metadata": {"ticket": "T-1"},
        "ticket": "T-1",
        "listed": True,
        "dump": ["id", "object", "status", "thread_id"],
    },
    "steps of a finished run": {"types": ["message_creation"], "step": "message_creation", "object": "thread.run.step"},
    "stream with an event handler": {"text": "one two three", "done": ["one two three"], "final": "completed"},
    "stream text_deltas": {"text": "one two three", "several": True},
    "answer tool calls by hand": {"status": "completed", "names": ["get_weather"], "reply": "GET_WEATHER"},
    "a missing run is NotFoundError": {"raised": "NotFoundError", "status": 404},
}
