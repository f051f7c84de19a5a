"""Build the wheel, install it into a fresh virtual environment, and import both packages.

Proves that the distribution ships ``threadruns`` and ``threadruns_api`` with
their ``py.typed`` markers and the LICENSE, and installs with nothing but its
declared deps (msgspec among them: the fast path works from the wheel).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import importlib.resources as r, threadruns, threadruns_api
for pkg in ("threadruns", "threadruns_api"):
    assert r.files(pkg).joinpath("py.typed").is_file(), pkg + " lacks py.typed"
    assert "site-packages" in str(r.files(pkg)), pkg + " not imported from the wheel"
from threadruns_api.models import RunObject, ListRunsResponse, CreateRunRequest
from threadruns._fast import fast_parser
assert fast_parser("ListRunsResponse") is not None, "the fast path (msgspec) is not installed with the wheel"
print("wheel ok:", threadruns.__version__)
"""


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="threadruns-wheel-") as tmp:
        dist, env = Path(tmp) / "dist", Path(tmp) / "venv"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--no-deps",
                "--no-build-isolation",
                "-w",
                str(dist),
                ".",
            ],
            cwd=ROOT,
            check=True,
        )
        wheels = list(dist.glob("threadruns-*.whl"))
        if len(wheels) != 1:
            print(f"expected one wheel, found {wheels}", file=sys.stderr)
            return 1
        with zipfile.ZipFile(wheels[0]) as archive:
            licenses = [name for name in archive.namelist() if ".dist-info/" in name and name.endswith("LICENSE")]
        if not licenses:
            print("the wheel carries no LICENSE in its .dist-info", file=sys.stderr)
            return 1
        venv.EnvBuilder(with_pip=True).create(env)
        python = env / "bin" / "python"
        # Dependencies come from this environment's pins (same versions, no network needed).
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                str(wheels[0]),
                "-c",
                str(ROOT / "requirements-dev.lock"),
            ],
            check=True,
        )
        subprocess.run([str(python), "-c", PROBE], cwd=tmp, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
