"""The ``threadruns`` logger: off by default, ``THREADRUNS_LOG=debug|info`` turns it on.

Header values that carry secrets are redacted before anything is logged.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable

logger = logging.getLogger("threadruns")

SENSITIVE_HEADERS = frozenset({"authorization", "api-key", "x-api-key", "openai-organization", "openai-project"})


def setup_logging() -> None:
    """Apply ``THREADRUNS_LOG`` once, at import, like openai-python's ``OPENAI_LOG``."""
    level = os.environ.get("THREADRUNS_LOG", "").lower()
    if level not in ("debug", "info"):
        return
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(asctime)s - %(name)s:%(lineno)d - %(levelname)s] %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if level == "debug" else logging.INFO)


def redact_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """A copy of ``headers`` safe to log."""
    return {name: "<redacted>" if name.lower() in SENSITIVE_HEADERS else value for name, value in headers}
