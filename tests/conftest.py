"""Shared test setup: repository paths, the pipeline scripts on sys.path, the upstream reference documents.

Keep this file minimal; sub-folders add their own fixtures in their own conftest.py.
Test modules should not ``from conftest import ...``: every conftest.py in a folder
without ``__init__.py`` is imported under the same module name ``conftest``.
"""

from __future__ import annotations

import sys
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
