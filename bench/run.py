"""threadruns against the floor (raw httpx + json.loads) doing the same requests, in one run.

Usage: ``python bench/run.py [--quick] [--rounds N] [--case NAME ...] [--output PATH | --no-write]``
(``make bench``). Prints a markdown table and writes BENCHMARKS.md.

Each figure is the median of several rounds; within a round every client runs
the same batch, in an order that rotates from round to round, and the ratio to
the floor is taken per round before its median is reported (min and max shown
beside). A loopback server in its own process answers from precomputed bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import clients
import fixtures

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUTPUT = ROOT / "BENCHMARKS.md"
PY = sys.executable

warnings.filterwarnings("ignore", category=DeprecationWarning)


@dataclass
class Case:
    key: str
    title: str
    unit: str
    higher_is_better: bool
    target: float
    batch: int  # operations per timed batch (full run)
    quick_batch: int
    per_op: float = 1.0  # one "operation" counts this many units (runs parsed per page)
    method: str = ""  # the clients' method for an HTTP case

    def __post_init__(self) -> None:
        self.method = self.method or self.key


# Batches are short (about 0.1 s for the floor) and rounds many: on a shared machine the load
# drifts, and a ratio taken within a round of quickly alternating batches is what stays stable.
CASES = [
    Case("parse", "parse a 100-run list page", "µs/run", False, 0.6, 20, 20, per_op=fixtures.PARSE_PAGE),
    Case("get", "GET a 20-run page", "req/s", True, 1.0, 150, 100, method="get_page"),
    Case("create", "POST create a run", "req/s", True, 0.95, 200, 120),
    Case("walk", "walk 1000 runs (pages of 100)", "ms", False, 1.0, 6, 4),
    Case("stream", "SSE stream of 1000 deltas, a chunk per event", "ms", False, 1.0, 6, 4),
    Case("stream_whole", "SSE stream of 1000 deltas, one chunk", "ms", False, 1.0, 6, 4),
    Case("import", "cold `import threadruns` vs `import httpx`", "ms", False, 1.3, 0, 0),
    Case("rss", "peak RSS: import + list 1000 runs", "MiB", False, 1.2, 0, 0),
]
CASE_KEYS = [case.key for case in CASES]


@dataclass
class Result:
    """Samples (in the case's unit) per client, and per-round ratios to that client's floor."""

    case: Case
    samples: dict[str, list[float]] = field(default_factory=dict)
    ratios: dict[str, list[float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, value: float) -> None:
        self.samples.setdefault(name, []).append(value)

    def add_ratio(self, name: str, value: float) -> None:
        self.ratios.setdefault(name, []).append(value)


# ----------------------------------------------------------------------------- helpers


def median_min_max(values: Sequence[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def fmt(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def cell(values: Sequence[float] | None, suffix: str = "") -> str:
    if not values:
        return "n/a"
    mid, low, high = median_min_max(values)
    return f"{fmt(mid)}{suffix} [{fmt(low)}, {fmt(high)}]"


def ratio_cell(values: Sequence[float] | None) -> str:
    """A ratio's median to three places (it is what is held against the target), its range to two."""
    if not values:
        return "n/a"
    mid, low, high = median_min_max(values)
    return f"{mid:.3f}x [{low:.2f}, {high:.2f}]"


def rotate(items: list[str], by: int) -> list[str]:
    by %= len(items)
    return items[by:] + items[:by]


def timed_batch(run: Callable[[int], float], n: int) -> float:
    """One batch, with the collector left on but blind to what the driver holds.

    ``gc.freeze()`` moves every object alive now (modules, fixtures, the other
    clients) out of the collector's reach for the batch, so a full collection
    triggered by the batch costs what the batch's own objects cost, not the
    size of this driver's heap.
    """
    gc.collect()
    gc.freeze()
    try:
        return run(n)
    finally:
        gc.unfreeze()


# ----------------------------------------------------------------------------- server


class Server:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [PY, str(BENCH / "server.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=BENCH,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "PORT":
            self.close()
            raise RuntimeError(f"the benchmark server did not start: {line!r}")
        self.base_url = f"http://127.0.0.1:{line[1]}"

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# ----------------------------------------------------------------------------- cases


FLOOR = {"threadruns": "raw httpx", "threadruns async": "raw httpx async", "openai": "raw httpx"}


def run_http_case(case: Case, roster: dict[str, object], rounds: int, batch: int) -> Result:
    result = Result(case)
    names = list(roster)
    for index in range(rounds):
        values: dict[str, float] = {}
        for name in rotate(names, index):
            method = getattr(roster[name], case.method)
            elapsed = timed_batch(method, batch)
            values[name] = batch / elapsed if case.higher_is_better else elapsed / batch * 1e3
            result.add(name, values[name])
        for name, floor in FLOOR.items():
            if name in values and floor in values:
                result.add_ratio(name, values[name] / values[floor])
    return result


def run_parse_case(case: Case, with_openai: bool, rounds: int, batch: int) -> Result:
    result = Result(case)
    body = fixtures.parse_page()
    parsers: dict[str, Callable[[bytes, int], float]] = {
        "raw httpx": clients.parse_raw,
        "threadruns": clients.parse_threadruns,
    }
    if with_openai:
        parsers["openai"] = clients.parse_openai
    for parse in parsers.values():
        parse(body, 3)  # warm up (and import)
    names = list(parsers)
    for index in range(rounds):
        values: dict[str, float] = {}
        for name in rotate(names, index):
            elapsed = timed_batch(lambda n, parse=parsers[name]: parse(body, n), batch)
            values[name] = elapsed / (batch * case.per_op) * 1e6
            result.add(name, values[name])
        for name in ("threadruns", "openai"):
            if name in values:
                result.add_ratio(name, values[name] / values["raw httpx"])
    result.notes.append("raw = `json.loads` only; threadruns = `json.loads` + `ListRunsResponse.from_dict`")
    if with_openai:
        result.notes.append("openai = `json.loads` + `construct_type(SyncCursorPage[Run])` (what it does per page)")
    return result


# Fresh processes import from bytecode caches, as after `pip install` (which compiles them): a
# PYTHONDONTWRITEBYTECODE in the environment would make every probe compile the sources again.
PROBE_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def _run_python(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([PY, *args], check=True, env=PROBE_ENV, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


NO_HTTPX_CLI = "import sys; sys.modules['click'] = sys.modules['rich'] = sys.modules['pygments'] = None; "


# Each program's floor: what the same process does with httpx alone.
IMPORT_FLOORS = {
    "threadruns": "raw httpx",
    "threadruns + Client()": "raw httpx + Client()",
    "threadruns (no cli)": "raw httpx (no cli)",
    "openai": "raw httpx",
}


def run_import_case(case: Case, with_openai: bool, rounds: int) -> Result:
    """Whole fresh processes: ``-c 'import x'`` minus ``-c pass``, per round."""
    result = Result(case)
    programs = {
        "startup": "pass",
        "raw httpx": "import httpx",
        "threadruns": "import threadruns",
        "raw httpx + Client()": "import httpx; httpx.Client()",
        "threadruns + Client()": "import threadruns; threadruns.Client(api_key='sk', base_url='http://127.0.0.1:9/v1')",
        "raw httpx (no cli)": NO_HTTPX_CLI + "import httpx",
        "threadruns (no cli)": NO_HTTPX_CLI + "import threadruns",
    }
    if with_openai:
        programs["openai"] = "import openai"
    for program in programs.values():  # write and warm the bytecode caches
        _run_python(["-c", program])
    names = list(programs)
    for index in range(rounds):
        seconds = {name: _run_python(["-c", programs[name]]) for name in rotate(names, index)}
        base = seconds["startup"]
        for name in names:
            if name != "startup":
                result.add(name, (seconds[name] - base) * 1e3)
        for name, floor in IMPORT_FLOORS.items():
            if name in seconds:
                result.add_ratio(name, (seconds[name] - base) / (seconds[floor] - base))
        result.add("startup", base * 1e3)
    result.notes.append(
        "interpreter start-up (`python -c pass`, median "
        f"{fmt(statistics.median(result.samples['startup']))} ms) is subtracted from every figure"
    )
    result.notes.append("bytecode caches written and warm (PYTHONDONTWRITEBYTECODE dropped for the probes)")
    result.notes.append(
        "`(no cli)`: click/rich/pygments hidden, as for a user without httpx's CLI extra "
        "(httpx imports its CLI when they are installed, as they are in the dev venv)"
    )
    return result


def run_rss_case(case: Case, base_url: str, with_openai: bool, rounds: int) -> Result:
    result = Result(case)
    modes = ["raw", "threadruns"] + (["openai"] if with_openai else [])
    label = {"raw": "raw httpx", "threadruns": "threadruns", "openai": "openai"}
    for index in range(rounds):
        kib: dict[str, int] = {}
        for mode in rotate(modes, index):
            out = subprocess.run(
                [PY, str(BENCH / "rss_probe.py"), mode, base_url],
                check=True,
                capture_output=True,
                text=True,
                env=PROBE_ENV,
            )
            kib[mode] = int(out.stdout.split()[-1])
            result.add(label[mode], kib[mode] / 1024)
        for mode in ("threadruns", "openai"):
            if mode in kib:
                result.add_ratio(label[mode], kib[mode] / kib["raw"])
    result.notes.append(
        "peak RSS (`VmHWM`; `ru_maxrss` is inherited across exec on Linux) of a fresh process that imports "
        "the client and keeps all 1000 runs in a list"
    )
    return result


# ----------------------------------------------------------------------------- report


# A median this close to its target (relative) can fall on either side from one run to the next.
NARROW_MARGIN = 0.03
NOT_MET, NARROWLY = "**no**", "yes, narrowly"


def met(case: Case, ratios: Sequence[float] | None) -> str:
    if not ratios:
        return "n/a"
    ratio = statistics.median(ratios)
    slack = ratio / case.target - 1 if case.higher_is_better else case.target / ratio - 1
    if slack < 0:
        return NOT_MET
    return NARROWLY if slack < NARROW_MARGIN else "yes"


def target_text(case: Case) -> str:
    return f"{'≥' if case.higher_is_better else '≤'} {case.target:.2f}x"


def main_table(results: list[Result]) -> list[str]:
    lines = [
        "| case | unit | raw httpx + json.loads | threadruns (sync) | ratio | target | met |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for res in results:
        case = res.case
        raw = res.samples.get("raw httpx")
        mine = res.samples.get("threadruns")
        ratios = res.ratios.get("threadruns")
        lines.append(
            f"| {case.title} | {case.unit} | {cell(raw)} | {cell(mine)} | {ratio_cell(ratios)} "
            f"| {target_text(case)} | {met(case, ratios)} |"
        )
    return lines


def other_table(results: list[Result]) -> list[str]:
    lines = [
        "| case | unit | raw httpx async | threadruns async | ratio vs raw async | openai | ratio vs raw httpx |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for res in results:
        case = res.case
        lines.append(
            f"| {case.title} | {case.unit} | {cell(res.samples.get('raw httpx async'))} "
            f"| {cell(res.samples.get('threadruns async'))} | {ratio_cell(res.ratios.get('threadruns async'))} "
            f"| {cell(res.samples.get('openai'))} | {ratio_cell(res.ratios.get('openai'))} |"
        )
    return lines


def import_detail(result: Result) -> list[str]:
    lines = ["| program | ms over start-up | ratio |", "| --- | --- | --- |"]
    for name, values in result.samples.items():
        if name == "startup":
            continue
        ratio = result.ratios.get(name)
        suffix = f" vs `{IMPORT_FLOORS[name]}`" if ratio else ""
        lines.append(f"| `{name}` | {cell(values)} | {ratio_cell(ratio)}{suffix} |")
    return lines


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> list[str]:
    def pkg(name: str) -> str:
        try:
            return version(name)
        except Exception:
            return "not installed"

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return [
        f"- CPU: {cpu_model()}, {os.cpu_count()} logical cores ({platform.machine()}, {platform.system()});"
        f" load average at the end {load}",
        f"- Python {platform.python_version()} ({platform.python_implementation()})",
        f"- httpx {pkg('httpx')}, h11 {pkg('h11')}, attrs {pkg('attrs')}, threadruns {pkg('threadruns')}, "
        f"openai {pkg('openai')}",
    ]


METHOD = [
    "- Server: `bench/server.py`, an asyncio HTTP/1.1 keep-alive server in its own process; every answer is",
    "  bytes built before the first request (20-run page, ten 100-run pages chained by `after` and `has_more`,",
    '  a RunObject, and for `"stream": true` an SSE body sent chunked, one chunk per event, or with',
    "  `?whole=1` the whole body in one chunk).",
    "- HTTP cases: each client is warmed up (connection open, imports done, answers checked) before round 1;",
    "  a round runs one batch per client, in an order that rotates every round; the ratio is taken within the",
    "  round. Raw clients hold their last result like the SDK does (`runs.extend(...)` for the walk).",
    "- Before every batch: `gc.collect()` then `gc.freeze()`, so the collector stays on (its cost is part of",
    "  building objects) but does not rescan the driver's own heap.",
    "- Parse: in-process, the same 100-run body; `µs/run` is per run of the page. threadruns runs its own",
    "  answer parser for `list_runs` (msgspec fast path, id checks) over one received response; the floor",
    "  is `json.loads` of the same bytes.",
    "- Cold import and RSS: fresh `python` processes with bytecode caches written (as after `pip install`);",
    "  RSS is `VmHWM` read by the probe itself.",
]


ANALYSIS = Path(__file__).with_name("analysis.md")


def not_met_analysis(results: list[Result]) -> list[str]:
    """The profile notes of bench/analysis.md for every case whose target this run missed or only just met."""
    sections: dict[str, list[str]] = {}
    key = None
    for line in ANALYSIS.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            key = line[3:].strip()
            sections[key] = []
        elif key is not None:
            sections[key].append(line)
    out: list[str] = []
    for res in results:
        verdict = met(res.case, res.ratios.get("threadruns"))
        if verdict not in (NOT_MET, NARROWLY):
            continue
        if not out:
            out = [
                "",
                "## Targets not met or met narrowly: where the time goes, what is left to try",
                "",
                f"A target counts as met narrowly when the median is within {NARROW_MARGIN:.0%} of it: the next run",
                "may land on the other side.",
            ]
        body = [line for line in sections.get(res.case.key, ["(no profile notes yet)"]) if line.strip()]
        out += ["", f"### {res.case.title} ({'not met' if verdict == NOT_MET else 'met narrowly'})", "", *body]
    return out


def render(results: list[Result], args: argparse.Namespace, notes: list[str], seconds: float) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    rounds = f"{args.rounds} rounds" + (" (--quick)" if args.quick else "")
    out = [
        "# Benchmarks",
        "",
        "threadruns against the floor, raw `httpx` + `json.loads` doing the same requests, measured in the",
        "same run against a loopback HTTP/1.1 keep-alive server (its own process, answers precomputed from",
        "the spec's `RunObject` example with distinct ids). Ratios are threadruns / raw per round, then the",
        "median; `median [min, max]` everywhere. Throughput (req/s): higher is better, ratio target is a floor.",
        "Times, µs/run, MiB: lower is better, ratio target is a ceiling.",
        "",
        "Rerun: `make bench`, i.e. `.venv/bin/python bench/run.py` (`--quick` for a fast pass, `--case NAME` for one",
        "case). Not part of `make test`. The `openai` column appears when `openai<2` (which still has",
        "`client.beta.threads.runs`) is importable, and is skipped with a note otherwise.",
        "",
        f"## Results ({when}, {rounds}, {seconds:.0f} s)",
        "",
        *main_table(results),
        "",
        "### Async client and the official `openai` client",
        "",
        "The async client is compared with raw `httpx.AsyncClient` + `json.loads` (the floor for async code).",
        "",
        *other_table(results),
    ]
    importing = next((r for r in results if r.case.key == "import"), None)
    if importing is not None:
        out += ["", "### Cold import", "", *import_detail(importing)]
    all_notes = notes + [f"{r.case.title}: {note}" for r in results for note in r.notes]
    if all_notes:
        out += ["", "### Notes", "", *[f"- {note}" for note in all_notes]]
    out += not_met_analysis(results)
    out += ["", "## How it is measured", "", *METHOD, ""]
    out += ["## Machine", "", *machine(), ""]
    out += [
        "## Targets",
        "",
        "Ratios to raw httpx in the same run: parse a 100-run page, fully validated, ≤ 0.6x `json.loads`;",
        "GET a 20-run page ≥ 1.0x raw throughput; POST create ≥ 0.95x; walk 1000 runs ≤ 1.0x raw time; SSE",
        "1000 deltas ≤ 1.0x (a chunk per event, and the whole body in one chunk); cold import ≤ 1.3x",
        "`import httpx`; peak RSS import + list 1000 runs ≤ 1.2x.",
        "",
    ]
    return "\n".join(out)


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and smaller batches (about a minute)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds per case (default 15, --quick 5)")
    parser.add_argument("--case", action="append", choices=CASE_KEYS, help="run only these cases (repeatable)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="markdown file to write (default BENCHMARKS.md)")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    if args.rounds is None:
        args.rounds = 5 if args.quick else 15
    selected = [case for case in CASES if not args.case or case.key in args.case]
    started = time.perf_counter()

    with_openai, openai_note = clients.openai_status()
    notes = [f"openai column: {openai_note}"]
    server = Server()
    loop = asyncio.new_event_loop()
    roster: dict[str, object] = {
        "raw httpx": clients.RawSync(server.base_url),
        "threadruns": clients.ThreadrunsSync(server.base_url),
        "raw httpx async": clients.RawAsync(server.base_url, loop),
        "threadruns async": clients.ThreadrunsAsync(server.base_url, loop),
    }
    if with_openai:
        roster["openai"] = clients.OpenAISync(server.base_url)
    results: list[Result] = []
    try:
        http_cases = [case for case in selected if case.key in ("get", "create", "walk", "stream", "stream_whole")]
        for name, client in roster.items():  # warm up: connections, imports, caches; checks every answer
            for case in http_cases:
                getattr(client, case.method)(1)
            print(f"warmed up {name}", file=sys.stderr)
        for case in selected:
            batch = case.quick_batch if args.quick else case.batch
            print(f"running {case.key} ...", file=sys.stderr, flush=True)
            if case.key == "parse":
                results.append(run_parse_case(case, with_openai, args.rounds, batch))
            elif case.key == "import":
                results.append(run_import_case(case, with_openai, args.rounds * 2))
            elif case.key == "rss":
                results.append(run_rss_case(case, server.base_url, with_openai, max(3, args.rounds // 2)))
            else:
                results.append(run_http_case(case, roster, args.rounds, batch))
    finally:
        for client in roster.values():
            client.close()  # type: ignore[attr-defined]
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        server.close()
    report = render(results, args, notes, time.perf_counter() - started)
    print(report)
    if not args.no_write:
        args.output.write_text(report, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
