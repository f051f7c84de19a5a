"""The ``threadruns`` command: run the embedded server, or call a Runs API from the shell.

API errors print one line to stderr and exit with status 1 (no traceback);
usage errors exit with status 2; ``wait`` and ``create --stream`` exit by the run's
final status (``exit_codes``: 0 only for completed). ``--json`` prints only JSON on stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import shlex
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from threadruns_api.models import RunObject
from threadruns_api.resources import _operations as _ops

from ._client import Client
from ._exceptions import APIError, APIStatusError, PollTimeoutError, ThreadRunsError
from ._tools import pending_calls
from ._version import __version__

_COLUMNS = ("id", "status", "created_at", "assistant_id", "model")

# What `threadruns serve` starts with when given no --seed: something to try at once.
DEMO_SEED: dict[str, Any] = {
    "threads": [{"id": "thread_demo", "messages": ["What is the weather in Oslo?"]}],
    "assistants": [
        {"id": "asst_echo", "instructions": "Repeat the last user message.", "script": {"echo": True}},
        {
            "id": "asst_weather",
            "instructions": "Answer with the weather.",
            "tools": [{"type": "function", "function": {"name": "get_weather"}}],
            "script": {
                "call_tools": [{"name": "get_weather", "arguments": {"city": "Oslo"}}],
                "then": {"reply": "The weather: {outputs}"},
            },
        },
    ],
}
_DEMO_BANNER = """\
threadruns demo data: thread thread_demo; assistants asst_echo (echoes the last message) and
asst_weather (calls get_weather, then answers). Any non-empty API key works. Try:
  export OPENAI_BASE_URL={base} OPENAI_API_KEY=sk-anything
  threadruns runs create thread_demo --assistant asst_echo --stream
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="threadruns", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"threadruns {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve",
        help="run the embedded Runs server (needs threadruns[server])",
        description="Run the embedded, spec-faithful Runs server in the foreground (Ctrl-C stops it). Without "
        "--seed it starts with a demo thread and two assistants, whose ids it prints.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--seed", help="YAML/JSON file of threads and assistants to create at start, not the demo")
    serve.add_argument("--api-key", help="accept only this bearer key (default: any non-empty key)")
    serve.add_argument(
        "--auto-create",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="create unknown threads and assistants on first use (default: on)",
    )
    serve.add_argument(
        "--time-mode",
        choices=["realtime", "manual"],
        default="realtime",
        help="realtime: runs move on by the wall clock; manual: only when a test steps the clock (default realtime)",
    )
    serve.add_argument("--tick", type=float, default=0.5, help="seconds per run state in realtime mode (default 0.5)")
    serve.add_argument("--prefix", default="/v1", help="path the API is served under (default /v1)")
    serve.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"], help="(default info)"
    )
    serve.add_argument(
        "--deviate",
        action="append",
        default=[],
        metavar="NAME",
        help="reproduce a known flaw of compatible servers, to see what clients and `threadruns conformance` "
        "make of it (repeatable; --list-deviations names them)",
    )
    serve.add_argument("--list-deviations", action="store_true", help="print the flaws --deviate knows, and exit")

    conformance = commands.add_parser(
        "conformance",
        help="check how far a server is from the Runs API",
        description="Drive a server through every operation of the Runs API, check each answer field by field "
        "against the spec, and report every check as pass, deviation (with what clients will see) or not "
        "supported. Exit 0 only when nothing deviates. It creates up to 6 runs (and the messages they write) on "
        "--thread, or on a new thread id the server must create on first use; it changes only the metadata of "
        "its own first run, and cancels one of its own runs.",
    )
    conformance.add_argument("--base-url", help="API base URL (default: OPENAI_BASE_URL)")
    conformance.add_argument("--api-key", help="API key (default: OPENAI_API_KEY)")
    conformance.add_argument("--assistant", required=True, dest="assistant_id", help="an assistant that replies")
    where = conformance.add_mutually_exclusive_group()
    where.add_argument("--thread", dest="thread_id", help="the thread to create the runs on")
    where.add_argument(
        "--new-thread-command",
        metavar="COMMAND",
        help="a command that creates a thread and prints its id (or its JSON, with an id), for a server that "
        "does not create threads on first use; e.g. curl -s -X POST URL/threads -H 'Authorization: Bearer KEY'",
    )
    conformance.add_argument(
        "--tool-assistant", dest="tool_assistant_id", help="an assistant whose runs call a function (the tool path)"
    )
    conformance.add_argument("--json", action="store_true", help="print the report as JSON")
    conformance.add_argument("--junit", metavar="FILE", help="also write the report as JUnit XML, for CI")
    conformance.add_argument(
        "--poll-timeout", type=float, default=60.0, help="longest wait, in seconds, for one run to end (default 60)"
    )

    runs = commands.add_parser("runs", help="call the Runs API of a server").add_subparsers(
        dest="action", required=True
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--base-url", help="API base URL (default: OPENAI_BASE_URL, else OpenAI's)")
    common.add_argument("--api-key", help="API key (default: OPENAI_API_KEY)")
    common.add_argument("--json", action="store_true", help="print JSON instead of a table")

    listing = runs.add_parser("list", parents=[common], help="list the runs of a thread")
    listing.add_argument("thread_id")
    listing.add_argument("--all", action="store_true", help="follow every page")
    limit, order = (_ops.LIST_RUNS.by_name[name].schema for name in ("limit", "order"))
    listing.add_argument("--limit", type=int, help=f"page size, {limit.get('minimum')}..{limit.get('maximum')}")
    listing.add_argument("--order", choices=order.get("enum"))

    epilog = _exit_code_help()
    create = runs.add_parser(
        "create",
        parents=[common],
        help="create a run",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    create.add_argument("thread_id")
    create.add_argument("--assistant", required=True, dest="assistant_id")
    create.add_argument("--instructions")
    create.add_argument("--additional-instructions")
    create.add_argument("--model")
    create.add_argument("--stream", action="store_true", help="print the reply as it arrives")
    create.add_argument("--wait", action="store_true", help="poll the run until it needs action or is over")
    create.add_argument("--message", help="a user message added to the thread with the run")

    for name, text in (("get", "show one run"), ("cancel", "cancel a run")):
        one = runs.add_parser(name, parents=[common], help=text)
        one.add_argument("thread_id")
        one.add_argument("run_id")

    submit = runs.add_parser(
        "submit",
        parents=[common],
        help="submit tool outputs to a run that requires action",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    submit.add_argument("thread_id")
    submit.add_argument("run_id")
    submit.add_argument(
        "--output", action="append", required=True, metavar="CALL_ID=TEXT", help="one tool call's output (repeat)"
    )
    submit.add_argument("--wait", action="store_true", help="then poll the run until it needs action or is over")

    steps = runs.add_parser("steps", help="the steps of a run").add_subparsers(dest="step_action", required=True)
    steps_list = steps.add_parser("list", parents=[common], help="list the steps of a run")
    steps_list.add_argument("thread_id")
    steps_list.add_argument("run_id")
    steps_get = steps.add_parser("get", parents=[common], help="show one step")
    steps_get.add_argument("thread_id")
    steps_get.add_argument("run_id")
    steps_get.add_argument("step_id")

    wait = runs.add_parser(
        "wait",
        parents=[common],
        help="poll a run until it needs action or is over",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    wait.add_argument("thread_id")
    wait.add_argument("run_id")
    wait.add_argument("--timeout", type=float, default=600.0, help="overall deadline in seconds (default 600)")
    return parser


def exit_codes() -> dict[str, int]:
    """The exit status of `wait` and `create --stream` for each final run status: 0 only for completed;
    the others, in alphabetical order, from 3 (1 is an API error, 2 a usage error). Derived from the
    spec's statuses that end polling, so a new one gets a code of its own."""
    from threadruns_api.models import RunStatus

    others = sorted(status for status in _ops.POLL_STOP_STATUSES if status != RunStatus.COMPLETED)
    return {str(RunStatus.COMPLETED): 0, **{status: 3 + index for index, status in enumerate(others)}}


def _exit_code_help() -> str:
    codes = ", ".join(f"{code} {status}" for status, code in exit_codes().items())
    return f"exit status by the run's final status: {codes}; 1 an API error, 2 a usage error"


def _final(run: RunObject) -> int:
    return exit_codes().get(str(run.status), 1)


def _row(run: RunObject) -> dict[str, Any]:
    data = run.to_dict()
    return {column: data.get(column) for column in _COLUMNS}


def _print_table(runs: Iterable[RunObject], out: TextIO) -> None:
    rows = [[str(_row(run)[c]) for c in _COLUMNS] for run in runs]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(_COLUMNS)]
    out.write("  ".join(c.upper().ljust(w) for c, w in zip(_COLUMNS, widths, strict=True)).rstrip() + "\n")
    for row in rows:
        out.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")


def _when(value: object) -> object:
    """A Unix time as the API sends it, with the UTC date and time beside it."""
    if isinstance(value, int) and not isinstance(value, bool):
        from datetime import UTC, datetime

        return f"{value} ({datetime.fromtimestamp(value, UTC):%Y-%m-%d %H:%M:%S} UTC)"
    return value


def _print_run(run: RunObject, as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json.dumps(run.to_dict(), indent=2) + "\n")
        return
    data = run.to_dict()
    for key in (*_COLUMNS, "thread_id", "started_at", "completed_at", "last_error", "usage"):
        value = _when(data.get(key)) if key.endswith("_at") else data.get(key)
        out.write(f"{key:>14}: {value}\n")
    calls = pending_calls(run)
    for call in calls:
        out.write(f"{'pending call':>14}: {call.id} {call.function.name}({call.function.arguments})\n")
    if calls:
        outputs = " ".join(f"--output {call.id}=..." for call in calls)
        out.write(f"{'answer with':>14}: threadruns runs submit {run.thread_id} {run.id} {outputs}\n")


def _print_steps(steps: Iterable[Any], as_json: bool, out: TextIO) -> None:
    steps = list(steps)
    if as_json:
        out.write(json.dumps([step.to_dict() for step in steps], indent=2) + "\n")
        return
    for step in steps:
        out.write(f"{step.id}  {step.type_}  {step.status}  {_when(step.created_at)}\n")


def _waiting(what: str) -> contextlib.AbstractContextManager[object]:
    """A spinner with ``what`` on stderr while the command waits: on a terminal only, and only with rich
    (the ``cli`` extra); piped or redirected output stays clean."""
    if not sys.stderr.isatty():
        return contextlib.nullcontext()
    try:
        from rich.console import Console
    except ImportError:
        return contextlib.nullcontext()
    return Console(stderr=True).status(what)


def _client(args: argparse.Namespace) -> Client:
    return Client(api_key=args.api_key, base_url=args.base_url, max_retries=2)


def _runs(args: argparse.Namespace, out: TextIO) -> int:
    with _client(args) as client:
        if args.action == "list":
            options: dict[str, Any] = {}
            if args.limit is not None:
                options["limit"] = args.limit
            if args.order is not None:
                options["order"] = args.order
            page = client.runs.list(args.thread_id, **options)
            runs = list(page) if args.all else page.data
            if args.json:
                out.write(json.dumps([run.to_dict() for run in runs], indent=2) + "\n")
            else:
                _print_table(runs, out)
            return 0
        if args.action == "create":
            fields: dict[str, Any] = {"assistant_id": args.assistant_id}
            for name in ("instructions", "additional_instructions", "model"):
                if getattr(args, name) is not None:
                    fields[name] = getattr(args, name)
            if args.message is not None:
                fields["additional_messages"] = [{"role": "user", "content": args.message}]
            if args.stream and args.wait:
                raise ValueError("--stream and --wait: choose one (a streamed run is followed to its end anyway)")
            if args.wait:
                with _waiting(f"waiting for the run on {args.thread_id}..."):
                    run = client.runs.create_and_poll(thread_id=args.thread_id, **fields)
                _print_run(run, args.json, out)
                return _final(run)
            if args.stream:
                with client.runs.stream(thread_id=args.thread_id, **fields) as stream:
                    if args.json:  # stdout carries only the JSON of the final run
                        stream.until_done()
                    else:
                        for text in stream.text_deltas:
                            out.write(text)
                            out.flush()
                        out.write("\n")
                    run = stream.final_run()
                if args.json:
                    _print_run(run, True, out)
                return _final(run)
            _print_run(client.runs.create(args.thread_id, **fields), args.json, out)
            return 0
        if args.action == "get":
            _print_run(client.runs.retrieve(args.run_id, thread_id=args.thread_id), args.json, out)
        elif args.action == "cancel":
            _print_run(client.runs.cancel(args.run_id, thread_id=args.thread_id), args.json, out)
        elif args.action == "submit":
            outputs = []
            for item in args.output:
                call_id, sep, text = item.partition("=")
                if not sep or not call_id:
                    raise ValueError(f"--output must be CALL_ID=TEXT, got {item!r}")
                outputs.append({"tool_call_id": call_id, "output": text})
            if args.wait:
                with _waiting(f"waiting for {args.run_id}..."):
                    run = client.runs.submit_tool_outputs_and_poll(
                        tool_outputs=outputs, run_id=args.run_id, thread_id=args.thread_id
                    )
                _print_run(run, args.json, out)
                return _final(run)
            run = client.runs.submit_tool_outputs(args.run_id, thread_id=args.thread_id, tool_outputs=outputs)
            _print_run(run, args.json, out)
        elif args.action == "steps":
            if args.step_action == "list":
                _print_steps(client.runs.steps.list(args.run_id, thread_id=args.thread_id), args.json, out)
            else:
                step = client.runs.steps.retrieve(args.step_id, thread_id=args.thread_id, run_id=args.run_id)
                if args.json:
                    out.write(json.dumps(step.to_dict(), indent=2) + "\n")
                else:
                    _print_steps([step], False, out)
        elif args.action == "wait":
            with _waiting(f"waiting for {args.run_id}..."):
                run = client.runs.poll(args.run_id, args.thread_id, poll_timeout=args.timeout)
            _print_run(run, args.json, out)
            return _final(run)
        return 0


def _conformance(args: argparse.Namespace, out: TextIO) -> int:
    from .conformance import PLAN, check

    thread_id = args.thread_id if args.new_thread_command is None else _new_thread(args.new_thread_command)
    sys.stderr.write(f"threadruns conformance {PLAN}\n")
    sys.stderr.flush()
    with Client(api_key=args.api_key, base_url=args.base_url) as client, _waiting(f"checking {client.base_url}..."):
        report = check(
            client,
            assistant_id=args.assistant_id,
            thread_id=thread_id,
            tool_assistant_id=args.tool_assistant_id,
            poll_timeout=args.poll_timeout,
        )
    if args.junit:
        with open(args.junit, "w", encoding="utf-8") as junit:
            junit.write(report.to_junit())
    if args.json:
        out.write(report.to_json() + "\n")
    elif out.isatty() and importlib.util.find_spec("rich") is not None:
        from rich.console import Console

        Console(file=out).print(report.rich_table())
    else:
        out.write(report.table() + "\n")
    return 0 if report.ok else 1


def _new_thread(command: str) -> str:
    """Run ``--new-thread-command`` (no shell, at most a minute): the thread id it printed."""
    try:
        done = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=60)
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        raise ThreadRunsError(f"--new-thread-command could not run: {exc}") from exc
    if done.returncode != 0:
        raise ThreadRunsError(f"--new-thread-command exited {done.returncode}: {done.stderr.strip()[:300]}")
    printed = done.stdout.strip()
    try:
        answer = json.loads(printed)
    except ValueError:
        answer = printed
    thread = answer.get("id") if isinstance(answer, dict) else answer
    if not isinstance(thread, str) or not thread or any(c.isspace() for c in thread):
        raise ThreadRunsError(f"--new-thread-command printed no thread id (got {printed[:200]!r})")
    return thread


def _serve(args: argparse.Namespace) -> int:
    try:
        from .server import DEVIATIONS, serve
    except ImportError as exc:
        raise ThreadRunsError(f"the embedded server needs its extra: pip install 'threadruns[server]' ({exc})") from exc

    if args.list_deviations:
        width = max(map(len, DEVIATIONS))
        sys.stdout.write("".join(f"{name:<{width}}  {what}\n" for name, what in DEVIATIONS.items()))
        return 0
    unknown = [name for name in args.deviate if name not in DEVIATIONS]
    if unknown:
        raise ValueError(f"--deviate: unknown {', '.join(unknown)}; threadruns serve --list-deviations names them")
    seed = args.seed if args.seed is not None else DEMO_SEED
    if args.seed is None:
        base = f"http://{args.host}:{args.port}{args.prefix}"
        sys.stderr.write(_DEMO_BANNER.format(base=base))
        sys.stderr.flush()
    serve(
        host=args.host,
        port=args.port,
        seed=seed,
        api_key=args.api_key,
        auto_create=args.auto_create,
        time_mode=args.time_mode,
        tick=args.tick,
        prefix=args.prefix,
        log_level=args.log_level,
        deviations=args.deviate,
    )
    return 0


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of the ``threadruns`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    stdout = out or sys.stdout
    started = time.monotonic()
    try:
        if args.command == "serve":
            return _serve(args)
        if args.command == "conformance":
            return _conformance(args, stdout)
        return _runs(args, stdout)
    except APIStatusError as exc:
        request_id = f" (request {exc.request_id})" if exc.request_id else ""
        print(f"threadruns: error {exc.status_code}{request_id}: {exc.message}", file=sys.stderr)
    except PollTimeoutError as exc:
        print(f"threadruns: {exc} (waited {time.monotonic() - started:.1f} s)", file=sys.stderr)
    except (APIError, ThreadRunsError, ValueError, TypeError) as exc:
        print(f"threadruns: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("threadruns: interrupted", file=sys.stderr)
        return 130
    return 1


if __name__ == "__main__":
    sys.exit(main())
