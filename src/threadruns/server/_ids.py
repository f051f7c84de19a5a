"""Object and request IDs in OpenAI's shape (``run_`` + 24 letters and digits); reproducible with a seed."""

from __future__ import annotations

import random
import secrets
import string
import threading

_ALPHABET = string.ascii_letters + string.digits


class IdFactory:
    """Makes unique IDs with a prefix; the same ``seed`` gives the same sequence of IDs."""

    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._issued: set[str] = set()

    def new(self, prefix: str) -> str:
        """A fresh ID such as ``run_3kTMn8...`` that this factory has never returned before."""
        with self._lock:
            while True:
                candidate = prefix + "_" + "".join(self._random.choices(_ALPHABET, k=24))
                if candidate not in self._issued:
                    self._issued.add(candidate)
                    return candidate


def request_id() -> str:
    """A random request ID for the ``x-request-id`` header: ``req_`` + 32 hex digits."""
    return "req_" + secrets.token_hex(16)
