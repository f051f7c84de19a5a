"""Shared test setup: repository paths, the pipeline scripts on sys.path, the upstream reference documents.

Keep this file minimal; sub-folders add their own fixtures in their own conftest.py.
Test modules should not ``from conftest import ...``: every conftest.py in a folder
without ``__init__.py`` is imported under the same module name ``conftest``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "threads-runs.yaml"
SHARED_UPSTREAM = ROOT.parent / "shared" / "upstream"
UPSTREAM_FILES = ("openai-openapi-2025-04-29-oas3.0.yaml", "openai-openapi-2025-08-22-oas3.1.yaml")
UPSTREAM_ABSENT = "../shared/upstream is absent: upstream reference documents are only in the development checkout"

# scripts/ is not a package: put it on sys.path so tests can `import update_spec, regenerate`.
if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))


@pytest.fixture(scope="session")
def upstream_docs() -> tuple[Path, Path]:
    """The two full upstream OpenAPI documents (3.0, then 3.1); skips when ../shared/upstream is absent."""
    paths = tuple(SHARED_UPSTREAM / name for name in UPSTREAM_FILES)
    if not all(path.is_file() for path in paths):
        pytest.skip(UPSTREAM_ABSENT)
    return paths[0], paths[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


ServeCommand = Callable[..., tuple[subprocess.Popen[str], int]]


@pytest.fixture
def serve_command() -> Iterator[ServeCommand]:
    """Start ``threadruns serve ARGS`` (a real process) and wait, boundedly, until its port listens.

    ``start(*args, port=None, stderr=DEVNULL) -> (process, port)``, on a free port unless given one;
    every process started is stopped when the test ends."""
    started: list[subprocess.Popen[str]] = []

    def start(
        *args: str, port: int | None = None, stderr: int = subprocess.DEVNULL
    ) -> tuple[subprocess.Popen[str], int]:
        port = _free_port() if port is None else port
        command = [sys.executable, "-m", "threadruns._cli", "serve", "--port", str(port), *args]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        process = subprocess.Popen(command, stderr=stderr, text=True, env=env)
        started.append(process)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and process.poll() is None:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return process, port
            time.sleep(0.05)
        raise AssertionError(f"threadruns serve {' '.join(args)} did not listen on port {port}")

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()
