"""`threadruns serve` as a newcomer meets it: every option of `serve()`, demo data, and the README's shell block."""

from __future__ import annotations

import argparse
import inspect
import os
import socket
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

from threadruns._cli import DEMO_SEED, _parser
from threadruns.server import serve
from threadruns.server._clock import TimeMode

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "threadruns._cli"]


def _serve_parser() -> argparse.ArgumentParser:
    commands = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    parser: argparse.ArgumentParser = commands.choices["serve"]
    return parser


def test_serve_help_describes_every_option_of_the_python_serve() -> None:
    help_text = _serve_parser().format_help()
    names = [p for p in inspect.signature(serve).parameters if p != "options"]
    flags = {"deviations": "deviate"}  # the and the shell's singular: --deviate NAME, repeatable
    for name in names:
        assert f"--{flags.get(name, name).replace('_', '-')}" in help_text, name
    time_mode = next(a for a in _serve_parser()._actions if a.dest == "time_mode")
    assert set(time_mode.choices or ()) == set(typing.get_args(TimeMode))


def test_the_readme_shell_block_works_as_written_against_serve(serve_command: Any) -> None:
    """`threadruns serve` with no options seeds the demo data and prints how to use it; the commands work."""
    server, port = serve_command("--tick", "0.05", "--log-level", "warning", stderr=subprocess.PIPE)
    banner = "".join(server.stderr.readline() for _ in range(4))
    assert "thread_demo" in banner and "asst_echo" in banner and "asst_weather" in banner
    assert "Any non-empty API key works" in banner
    shell_env = {**os.environ, "OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1", "OPENAI_API_KEY": "sk-anything"}
    created = subprocess.run(
        [*CLI, "runs", "create", "thread_demo", "--assistant", "asst_echo", "--stream"],
        capture_output=True,
        text=True,
        env=shell_env,
        timeout=60,
    )
    assert created.returncode == 0, created.stderr
    assert DEMO_SEED["threads"][0]["messages"][0] in created.stdout  # the echo assistant answered
    listed = subprocess.run(
        [*CLI, "runs", "list", "thread_demo"], capture_output=True, text=True, env=shell_env, timeout=60
    )
    assert listed.returncode == 0 and "completed" in listed.stdout


def test_the_readme_states_the_exit_codes_the_cli_uses() -> None:
    from threadruns._cli import _exit_code_help

    assert _exit_code_help() in (ROOT / "README.md").read_text(encoding="utf-8")


def _readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Example", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_readme_example_runs_as_written_against_threadruns_serve(serve_command: Any) -> None:
    """The README's Python example, unchanged, against `threadruns serve` on the port it names (8000)."""
    import pytest

    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 8000)) == 0:
            pytest.skip("port 8000, which the README's example uses, is taken on this machine")
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "OPENAI_API_KEY": "sk-anything"}
    env.pop("OPENAI_BASE_URL", None)
    serve_command("--tick", "0.05", "--log-level", "warning", port=8000)
    example = subprocess.run(
        [sys.executable, "-c", _readme_example()], capture_output=True, text=True, env=env, timeout=90
    )
    assert example.returncode == 0, example.stderr
    lines = example.stdout.splitlines()
    assert lines[0].startswith("completed ")  # create_and_poll, with its usage
    assert any(line.startswith("run_") and line.endswith(" completed") for line in lines[1:])
