"""RunsServer start/stop, the pytest plugin, ``serve()``, and the package's public surface."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

import threadruns.server
from threadruns.server import RunsServer

PYTHON = sys.executable


def test_runs_server_starts_fast_on_a_free_loopback_port_and_stops_cleanly(
    capsys: pytest.CaptureFixture[str],
) -> None:
    started = time.perf_counter()
    server = RunsServer().start()
    startup = time.perf_counter() - started
    try:
        with capsys.disabled():
            print(f"\nRunsServer start-up: {startup * 1000:.1f} ms")
        assert startup < 2.0
        assert server.url == f"http://127.0.0.1:{server.port}/v1"
        thread_id = server.add_thread()
        response = httpx.get(f"{server.url}/threads/{thread_id}/runs", headers={"Authorization": "Bearer k"})
        assert response.status_code == 200
    finally:
        stopping = time.perf_counter()
        server.stop()
        assert time.perf_counter() - stopping < 2.0
    with pytest.raises(RuntimeError):
        _ = server.url


def test_a_stopped_server_no_longer_accepts_connections() -> None:
    with RunsServer() as server:
        port = server.port
    with socket.socket() as probe, pytest.raises(OSError):
        probe.settimeout(1)
        probe.connect(("127.0.0.1", port))


def test_two_servers_run_side_by_side_with_separate_state() -> None:
    with RunsServer() as first, RunsServer() as second:
        assert first.port != second.port
        first.add_thread("thread_a")
        headers = {"Authorization": "Bearer k"}
        assert httpx.get(f"{first.url}/threads/thread_a/runs", headers=headers).status_code == 200
        assert httpx.get(f"{second.url}/threads/thread_a/runs", headers=headers).status_code == 404


def test_starting_twice_is_an_error_and_stopping_twice_is_harmless() -> None:
    server = RunsServer().start()
    try:
        with pytest.raises(RuntimeError, match="already running"):
            server.start()
    finally:
        server.stop()
    server.stop()


def test_a_busy_port_fails_fast() -> None:
    with RunsServer() as server, pytest.raises(OSError):
        RunsServer(port=server.port).start()


def test_the_pytest_plugin_gives_each_test_a_fresh_server(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["threadruns.server.pytest_plugin"]\n')
    (tmp_path / "test_user.py").write_text(
        textwrap.dedent(
            """
            import httpx
            import pytest

            @pytest.fixture
            def runs_server_options():
                return {"api_key": "sk-user", "auto_create": True}

            def test_first(runs_server):
                runs_server.add_thread("thread_1")
                r = httpx.get(runs_server.url + "/threads/thread_1/runs", headers={"Authorization": "Bearer sk-user"})
                assert r.status_code == 200

            def test_second_sees_no_state_from_the_first(runs_server):
                assert runs_server.requests == []
                r = httpx.get(runs_server.url + "/threads/thread_1/runs", headers={"Authorization": "Bearer nope"})
                assert r.status_code == 401
            """
        )
    )
    result = subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_serve_runs_in_the_foreground_on_loopback_and_never_logs_the_key(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    secret = "sk-very-secret-value"
    code = f"from threadruns.server import serve; serve(port={port}, api_key={secret!r}, log_level='debug')"
    process = subprocess.Popen([PYTHON, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}/v1/threads/thread_x/runs"
        deadline = time.monotonic() + 10
        while True:
            try:
                response = httpx.get(url, headers={"Authorization": f"Bearer {secret}"}, timeout=1)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "serve() did not come up"
                time.sleep(0.05)
        assert response.status_code == 200, "serve() creates unknown threads by default"
        assert httpx.get(url, headers={"Authorization": "Bearer wrong-key"}).status_code == 401
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert f"127.0.0.1:{port}" in output
    assert "GET /v1/threads/thread_x/runs" in output
    assert secret not in output and "wrong-key" not in output


def test_importing_threadruns_does_not_import_the_server() -> None:
    code = "import sys, threadruns; print('threadruns.server' in sys.modules, 'starlette' in sys.modules)"
    result = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, timeout=30, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_the_public_names_are_exported_once_and_sorted() -> None:
    names = threadruns.server.__all__
    assert names == sorted(names, key=lambda name: (not name.isupper(), name))  # constants first, as isort sorts
    assert len(set(names)) == len(names)
    for name in names:
        assert getattr(threadruns.server, name) is not None
    assert {"RunsServer", "Script", "ToolCall", "serve", "Clock", "Faults"} <= set(names)
