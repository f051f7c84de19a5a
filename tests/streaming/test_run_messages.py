"""Reading what a run wrote: ``client.beta.threads.messages``, generated from the spec with no hand-written code."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from stream_testkit import Live

from threadruns import NotFoundError
from threadruns.server import RunsServer, Script


def _two_runs(live: Live) -> tuple[str, str, str]:
    """A thread with a user message and two completed runs, each of which wrote one answer."""
    live.server.add_assistant("asst_echo", script=Script.reply("first answer"))
    live.server.add_assistant("asst_other", script=Script.reply("second answer"))
    thread_id = live.server.add_thread(messages=["Hello"])
    runs = [
        live.call(lambda c, a=assistant: c.runs.create_and_poll(thread_id=thread_id, assistant_id=a, poll_timeout=10))
        for assistant in ("asst_echo", "asst_other")
    ]
    assert [str(run.status) for run in runs] == ["completed", "completed"]
    return thread_id, runs[0].id, runs[1].id


def _texts(messages: list[Any]) -> list[str]:
    return [part.text.value for message in messages for part in message.content]


def _collect(live: Live, fn: Any) -> list[Any]:
    if live.mode == "sync":
        return list(fn(live.client))

    async def gather() -> list[Any]:
        return [item async for item in fn(live.client)]

    return list(live.call(lambda _: gather()))


def test_run_id_filter_returns_only_what_that_run_wrote(live: Live) -> None:
    thread_id, first, second = _two_runs(live)
    mine = _collect(live, lambda c: c.beta.threads.messages.list(thread_id, run_id=first))
    assert _texts(mine) == ["first answer"]
    assert {m.run_id for m in mine} == {first}
    assert _texts(_collect(live, lambda c: c.beta.threads.messages.list(thread_id, run_id=second))) == ["second answer"]


def test_every_message_of_the_thread_pages_in_order(live: Live) -> None:
    thread_id, _, _ = _two_runs(live)
    oldest_first = _collect(live, lambda c: c.beta.threads.messages.list(thread_id, order="asc", limit=1))
    assert _texts(oldest_first) == ["Hello", "first answer", "second answer"]
    newest_first = _collect(live, lambda c: c.beta.threads.messages.list(thread_id))
    assert [m.id for m in newest_first] == [m.id for m in reversed(oldest_first)]


def test_retrieve_a_message_by_id_in_openai_argument_order(live: Live) -> None:
    thread_id, first, _ = _two_runs(live)
    listed = _collect(live, lambda c: c.beta.threads.messages.list(thread_id, run_id=first))
    message = live.call(lambda c: c.beta.threads.messages.retrieve(listed[0].id, thread_id=thread_id))
    assert message.id == listed[0].id
    assert message.run_id == first
    with pytest.raises(NotFoundError, match="No message found"):
        live.call(lambda c: c.beta.threads.messages.retrieve("msg_missing", thread_id=thread_id))


def test_message_arguments_are_checked_from_the_spec_before_sending(live: Live) -> None:
    with pytest.raises(ValueError, match="limit must be between 1 and 100"):
        live.call(lambda c: c.beta.threads.messages.list("thread_1", limit=500))
    with pytest.raises(ValueError, match="run_id must not contain"):
        live.call(lambda c: c.beta.threads.messages.list("thread_1", run_id="run/../x"))
    with pytest.raises(TypeError):
        live.call(lambda c: c.beta.threads.messages.retrieve("msg_1", thread_id="t", extra="x"))
    assert [r for r in live.server.requests if "/messages" in r.path] == []


def test_messages_are_read_only_here(server: RunsServer) -> None:
    """Only the GET operations were selected from upstream: there is no create, and the server says 405."""
    import threadruns

    client = threadruns.Client(api_key="sk-test", base_url=server.url)
    assert not hasattr(client.beta.threads.messages, "create")
    answer = httpx.post(f"{server.url}/threads/t/messages", headers={"Authorization": "Bearer k"}, json={})
    assert answer.status_code == 405
