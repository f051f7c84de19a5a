"""Peak RSS of a fresh process that imports a client and lists 1000 runs (pages of 100).

``python bench/rss_probe.py raw|threadruns|openai BASE_URL`` prints the process's
peak RSS in KiB once every run is held in one list (the same work for each mode).

The peak is ``VmHWM`` of ``/proc/self/status`` where there is one: Linux carries
``ru_maxrss`` over ``execve`` from the process that forked us (the benchmark
driver, larger than any probe), so ``getrusage`` alone would report the driver's
size. Elsewhere ``ru_maxrss`` is used.
"""

from __future__ import annotations

import resource
import sys

THREAD_ID = "thread_bench"
PATH = f"/v1/threads/{THREAD_ID}/runs"
TOTAL = 1000
PAGE = 100


def raw(base_url: str) -> int:
    import json

    import httpx

    runs = []
    with httpx.Client(base_url=base_url, headers={"Authorization": "Bearer sk-bench"}) as http:
        params: dict[str, object] = {"limit": PAGE}
        while True:
            data = json.loads(http.get(PATH, params=params).content)
            runs.extend(data["data"])
            if not data["has_more"] or not data["data"]:
                break
            params = {"limit": PAGE, "after": data["data"][-1]["id"]}
    return len(runs)


def threadruns(base_url: str) -> int:
    import threadruns as tr

    with tr.Client(api_key="sk-bench", base_url=base_url + "/v1") as client:
        runs = list(client.runs.list(THREAD_ID, limit=PAGE))
    return len(runs)


def openai(base_url: str) -> int:
    import warnings

    import openai as oa

    warnings.simplefilter("ignore")
    with oa.OpenAI(api_key="sk-bench", base_url=base_url + "/v1") as client:
        runs = list(client.beta.threads.runs.list(THREAD_ID, limit=PAGE))
    return len(runs)


def main() -> None:
    mode, base_url = sys.argv[1], sys.argv[2]
    count = {"raw": raw, "threadruns": threadruns, "openai": openai}[mode](base_url)
    if count != TOTAL:
        raise SystemExit(f"listed {count} runs, expected {TOTAL}")
    print(peak_rss_kib())


def peak_rss_kib() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    main()
