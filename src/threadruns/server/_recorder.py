"""What the server saw: every request received (without credentials) and streams clients walked away from."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

REDACTED_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


@dataclass(frozen=True)
class RecordedRequest:
    """One request as received: method, path (prefix included), raw query string, headers minus credentials."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]


class Recorder:
    """Thread-safe log of requests, and a count of streams the client closed before they ended."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._stream_disconnects = 0

    def record(self, method: str, path: str, query: str, headers: Mapping[str, str]) -> None:
        """Log a request; credential headers are dropped here, before anything is stored."""
        safe = {key.lower(): value for key, value in headers.items() if key.lower() not in REDACTED_HEADERS}
        with self._lock:
            self._requests.append(RecordedRequest(method, path, query, safe))

    def stream_disconnected(self) -> None:
        """Count a stream whose client went away mid-stream."""
        with self._lock:
            self._stream_disconnects += 1

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the request log, oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def stream_disconnects(self) -> int:
        """How many streams lost their client before the server finished them."""
        with self._lock:
            return self._stream_disconnects

    def clear(self) -> None:
        """Forget every logged request and disconnect."""
        with self._lock:
            self._requests.clear()
            self._stream_disconnects = 0
