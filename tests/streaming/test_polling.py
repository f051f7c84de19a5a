"""Polling against the embedded server: terminal statuses, the server's interval, the overall deadline."""

from __future__ import annotations

import time

import pytest
from stream_testkit import Live

import threadruns
from threadruns.server import RunsServer, Script, ToolCall


@pytest.fixture(params=["sync", "async"])
def paced(request: pytest.FixtureRequest) -> object:
    """A server that asks clients to wait 150 ms between polls."""
    with RunsServer(poll_after_ms=150) as server:
        live = Live(request.param, server, max_retries=0)
        yield live
        live.close()


def test_create_and_poll_reaches_completed(live: Live) -> None:
    live.server.add_assistant("asst_1", script=Script.reply("done"))
    thread = live.server.add_thread(messages=["Hi"])
    run = live.call(lambda c: c.runs.create_and_poll(thread_id=thread, assistant_id="asst_1", poll_interval_ms=10))
    assert run.status == "completed" and run.completed_at is not None


@pytest.mark.parametrize(
    ("script", "status"),
    [
        (Script.call_tools([ToolCall("f", {})]), "requires_action"),
        (Script.fail("rate_limit_exceeded", "slow down"), "failed"),
        (Script.incomplete("max_completion_tokens"), "incomplete"),
    ],
)
def test_poll_stops_at_every_terminal_status(live: Live, script: Script, status: str) -> None:
    live.server.add_assistant("asst_1", script=script)
    thread = live.server.add_thread(messages=["Hi"])
    run = live.call(lambda c: c.runs.create_and_poll(thread_id=thread, assistant_id="asst_1", poll_interval_ms=10))
    assert run.status == status


def test_poll_honours_openai_poll_after_ms(paced: Live) -> None:
    """Polls are spaced by the header's 150 ms (not the 1 s default, not the 10 ms poll_interval_ms)."""
    paced.server.add_assistant("asst_1", script=Script.reply("done"))
    thread = paced.server.add_thread(messages=["Hi"])
    run = paced.call(lambda c: c.runs.create(thread, assistant_id="asst_1"))
    started = time.monotonic()
    final = paced.call(lambda c: c.runs.poll(run.id, thread, poll_interval_ms=10, poll_timeout=20))
    elapsed = time.monotonic() - started
    gets = [r for r in paced.server.requests if r.method == "GET"]
    assert final.status == "completed"
    assert len(gets) >= 2
    waits = len(gets) - 1
    assert elapsed >= waits * 0.15 * 0.9
    assert elapsed < waits * 0.15 + 2.0


def test_poll_deadline_raises_with_the_last_run() -> None:
    """A run that never moves: PollTimeoutError after ~timeout, carrying the last RunObject seen."""
    with RunsServer(advance_on_read=False, poll_after_ms=50) as server:
        server.add_assistant("asst_1")
        for mode in ("sync", "async"):
            thread = server.add_thread(messages=["Hi"])  # the first mode's run never ends: one thread each
            live = Live(mode, server, max_retries=0)
            try:
                run = live.call(lambda c, thread=thread: c.runs.create(thread, assistant_id="asst_1"))
                started = time.monotonic()
                with pytest.raises(threadruns.PollTimeoutError) as info:
                    live.call(lambda c, run_id=run.id, thread=thread: c.runs.poll(run_id, thread, poll_timeout=0.5))
                elapsed = time.monotonic() - started
            finally:
                live.close()
            assert 0.45 <= elapsed < 2.0, mode
            assert info.value.run.id == run.id and info.value.run.status == "queued"
            assert info.value.timeout == 0.5


@pytest.mark.parametrize("bad", [0, -1, "1s"])
def test_bad_poll_arguments_raise_before_any_request(live: Live, bad: object) -> None:
    with pytest.raises((ValueError, TypeError), match=r"poll_interval|timeout"):
        live.call(lambda c: c.runs.poll("run_1", "thread_1", poll_interval_ms=(bad) * 1000))
    with pytest.raises((ValueError, TypeError), match="timeout"):
        live.call(lambda c: c.runs.poll("run_1", "thread_1", poll_timeout=bad))
    assert live.server.requests == []


def test_poll_takes_openai_pythons_positional_order_and_sends_its_options_with_every_retrieval(paced: Live) -> None:
    """``poll(run_id, thread_id, extra_headers, extra_query, extra_body, timeout, poll_interval_ms)``: each GET
    carries the headers and the query, and the timeout bounds each one (the deadline is ``poll_timeout``)."""
    paced.server.add_assistant("asst_1", script=Script.reply("done"))
    thread = paced.server.add_thread(messages=["Hi"])
    run = paced.call(lambda c: c.runs.create(thread, assistant_id="asst_1"))
    final = paced.call(lambda c: c.runs.poll(run.id, thread, {"x-trace": "t1"}, {"probe": "1"}, None, 5.0, 10))
    gets = [r for r in paced.server.requests if r.method == "GET"]
    assert final.status == "completed" and len(gets) >= 2
    assert all(r.path.endswith(f"/threads/{thread}/runs/{run.id}") for r in gets)
    assert all(r.headers.get("x-trace") == "t1" and r.query == "probe=1" for r in gets)
