"""The ``threadruns`` command against the embedded server: tables, JSON, streaming, waiting, errors."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from threadruns._cli import main
from threadruns.server import RunsServer, Script, ToolCall


@pytest.fixture
def server() -> Iterator[RunsServer]:
    with RunsServer() as running:
        running.add_assistant("asst_1", script=Script.reply("streamed hello world"))
        yield running


def _run(server: RunsServer, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main([*args, "--base-url", server.url, "--api-key", "sk-cli"], out=out)
    return code, out.getvalue()


def test_runs_create_get_list_as_table_and_json(server: RunsServer) -> None:
    thread = server.add_thread(messages=["Hi"])
    code, out = _run(server, "runs", "create", thread, "--assistant", "asst_1", "--json")
    assert code == 0
    run = json.loads(out)
    assert run["object"] == "thread.run" and run["assistant_id"] == "asst_1"
    code, out = _run(server, "runs", "get", thread, run["id"])
    assert code == 0 and run["id"] in out and "status" in out
    code, out = _run(server, "runs", "list", thread, "--all", "--limit", "1")
    lines = out.strip().splitlines()
    assert code == 0 and lines[0].split()[:2] == ["ID", "STATUS"] and run["id"] in lines[1]


def test_list_all_follows_every_page(server: RunsServer) -> None:
    thread = server.add_thread(messages=["Hi"])
    for _ in range(5):  # one run at a time per thread: wait for each before the next
        code, out = _run(server, "runs", "create", thread, "--assistant", "asst_1", "--json")
        assert code == 0
        assert _run(server, "runs", "wait", thread, json.loads(out)["id"])[0] == 0
    code, out = _run(server, "runs", "list", thread, "--all", "--limit", "2", "--json")
    assert code == 0 and len(json.loads(out)) == 5
    code, out = _run(server, "runs", "list", thread, "--limit", "2", "--json")
    assert code == 0 and len(json.loads(out)) == 2


def test_create_stream_prints_text_as_it_arrives(server: RunsServer) -> None:
    thread = server.add_thread(messages=["Hi"])
    code, out = _run(server, "runs", "create", thread, "--assistant", "asst_1", "--stream")
    assert code == 0 and out.strip() == "streamed hello world"


def test_wait_and_cancel(server: RunsServer) -> None:
    thread = server.add_thread(messages=["Hi"])
    run_id = json.loads(_run(server, "runs", "create", thread, "--assistant", "asst_1", "--json")[1])["id"]
    code, out = _run(server, "runs", "wait", thread, run_id, "--json", "--timeout", "10")
    assert code == 0 and json.loads(out)["status"] == "completed"
    other = json.loads(_run(server, "runs", "create", thread, "--assistant", "asst_1", "--json")[1])["id"]
    code, out = _run(server, "runs", "cancel", thread, other, "--json")
    assert code == 0 and json.loads(out)["status"] in ("cancelling", "cancelled")


def test_api_error_goes_to_stderr_with_exit_1_and_no_traceback(
    server: RunsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(server, "runs", "get", "thread_missing", "run_missing")
    err = capsys.readouterr().err
    assert code == 1 and out == ""
    assert err.startswith("threadruns: error 404 (request req_") and "Traceback" not in err


def test_bad_argument_exits_1_naming_it(server: RunsServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = _run(server, "runs", "list", "thread/../x")
    assert code == 1 and "thread_id" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _listening_addresses(port: int) -> set[str]:
    """IPv4 addresses with a socket listening on ``port``, from /proc/net/tcp."""
    addresses = set()
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            host_hex, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:
                addresses.add(socket.inet_ntoa(bytes.fromhex(host_hex)[::-1]))
    return addresses


def test_serve_binds_loopback_and_answers_the_api() -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "threadruns._cli", "serve", "--port", str(port), "--auto-create"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 15
        response = None
        while time.monotonic() < deadline:
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/v1/threads/thread_x/runs", headers={"Authorization": "Bearer k"}
                )
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert response is not None and response.status_code == 200
        assert response.json()["object"] == "list"
        assert _listening_addresses(port) == {"127.0.0.1"}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize(
    ("script", "status"),
    [
        (Script.reply("fine"), "completed"),
        (Script.fail("server_error", "boom"), "failed"),
        (Script.incomplete("max_completion_tokens", "cut"), "incomplete"),
        (Script.call_tools([ToolCall("get_weather", {"city": "Oslo"})]), "requires_action"),
    ],
)
def test_wait_and_create_stream_exit_by_the_final_status(server: RunsServer, script: Script, status: str) -> None:
    from threadruns._cli import exit_codes

    server.add_assistant("asst_x", script=script)
    thread = server.add_thread(messages=["Hi"])
    code, out = _run(server, "runs", "create", thread, "--assistant", "asst_x", "--stream", "--json")
    run = json.loads(out)  # --json: stdout holds only the JSON of the final run
    assert run["status"] == status and code == exit_codes()[status]
    assert (code == 0) == (status == "completed")
    code, out = _run(server, "runs", "wait", thread, run["id"], "--json", "--timeout", "10")
    assert json.loads(out)["status"] == status and code == exit_codes()[status]


def test_the_exit_codes_are_in_the_help_of_wait_and_create() -> None:
    import contextlib

    from threadruns._cli import _exit_code_help

    for command in ("wait", "create"):
        text = io.StringIO()
        with contextlib.redirect_stdout(text), pytest.raises(SystemExit):
            main(["runs", command, "--help"])
        assert " ".join(_exit_code_help().split()) in " ".join(text.getvalue().split())


def test_a_run_waiting_for_tools_shows_its_calls_and_submit_answers_them(server: RunsServer) -> None:
    server.add_assistant(
        "asst_tools",
        script=Script.call_tools([ToolCall("get_weather", {"city": "Oslo"})], then=Script.reply("{outputs}")),
    )
    thread = server.add_thread(messages=["Weather?"])
    code, out = _run(server, "runs", "create", thread, "--assistant", "asst_tools", "--wait", "--json")
    run = json.loads(out)
    assert run["status"] == "requires_action" and code != 0
    call = run["required_action"]["submit_tool_outputs"]["tool_calls"][0]
    code, out = _run(server, "runs", "get", thread, run["id"])
    assert f"pending call: {call['id']} get_weather(" in out
    assert f"threadruns runs submit {thread} {run['id']} --output {call['id']}=..." in out
    assert " UTC)" in out  # times shown readable beside the Unix seconds
    code, out = _run(server, "runs", "submit", thread, run["id"], "--output", f"{call['id']}=sunny", "--wait", "--json")
    assert code == 0 and json.loads(out)["status"] == "completed"
    assert server.messages(thread)[-1]["content"][0]["text"]["value"] == "sunny"
    code, out = _run(server, "runs", "steps", "list", thread, run["id"], "--json")
    steps = json.loads(out)
    assert code == 0 and sorted(s["type"] for s in steps) == ["message_creation", "tool_calls"]
    code, out = _run(server, "runs", "steps", "get", thread, run["id"], steps[0]["id"], "--json")
    assert code == 0 and json.loads(out)["id"] == steps[0]["id"]


def test_create_with_a_message_and_wait(server: RunsServer) -> None:
    server.add_assistant("asst_echo", script=Script.echo())
    thread = server.add_thread()
    code, out = _run(server, "runs", "create", thread, "--assistant", "asst_echo", "--message", "ping 42", "--wait")
    assert code == 0 and "completed" in out
    assert server.messages(thread)[-1]["content"][0]["text"]["value"] == "ping 42"


def test_a_bad_output_is_a_usage_error_before_anything_is_sent(server: RunsServer) -> None:
    before = len(server.requests)
    code, _ = _run(server, "runs", "submit", "thread_1", "run_1", "--output", "no-equals-sign")
    assert code == 1 and len(server.requests) == before


def test_waiting_prints_no_spinner_when_stderr_is_not_a_terminal(
    server: RunsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    thread = server.add_thread(messages=["Hi"])
    code, out = _run(server, "runs", "create", thread, "--assistant", "asst_1", "--wait", "--json")
    assert code == 0 and json.loads(out)["status"] == "completed"
    assert capsys.readouterr().err == ""  # piped: only the JSON, and nothing on stderr


def test_waiting_shows_a_status_line_on_a_terminal() -> None:
    import contextlib

    from threadruns._cli import _waiting

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    with contextlib.redirect_stderr(terminal), _waiting("waiting for run_1...") as status:
        assert status is not None and type(status).__name__ == "Status"  # rich's status line
