"""The quickstart (what `make demo` runs) works end to end against the embedded server."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quickstart_runs_every_section_and_exits_zero() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Write one line about offline testing." in out  # streamed echo
    assert 'Here is the weather: {"city": "Oslo"' in out  # tool loop
    assert "create_and_poll:\n   -> run_" in out and "completed (metadata" in out
    listed = [line for line in out.splitlines() if re.match(r"\s+\d+\. run_", line)]
    assert len(listed) == 8  # 3 earlier runs + 5 created, walked two per page
    assert "(4 list requests)" in out
