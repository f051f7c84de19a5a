"""Polling a run until it reaches a status where the caller must act or it is over.

Unlike openai-python, the wait has an overall deadline: ``PollTimeoutError``
(carrying the last run seen) is raised when it passes, and no single request
may outlive it.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import httpx

from ._exceptions import PollTimeoutError

if TYPE_CHECKING:  # annotations only
    from threadruns_api.models import RunObject

TERMINAL_STATUSES = frozenset({"requires_action", "cancelled", "completed", "failed", "expired", "incomplete"})
DEFAULT_POLL_INTERVAL = 1.0  # seconds, when the server does not say
DEFAULT_POLL_TIMEOUT = 3600.0  # seconds; runs expire server-side long before this
MIN_POLL_INTERVAL = 0.01  # never spin, whatever a server says


def is_terminal(run: RunObject) -> bool:
    return str(run.status) in TERMINAL_STATUSES


def next_interval(headers: httpx.Headers, poll_interval: float | None) -> float:
    """``openai-poll-after-ms`` when the server sends it, else ``poll_interval``, else 1 s."""
    raw = headers.get("openai-poll-after-ms")
    if raw is not None:
        try:
            seconds = float(raw) / 1000
        except ValueError:
            seconds = math.nan
        if math.isfinite(seconds):
            return max(seconds, MIN_POLL_INTERVAL)
    return max(poll_interval if poll_interval is not None else DEFAULT_POLL_INTERVAL, MIN_POLL_INTERVAL)


class Deadline:
    """An overall time limit for a poll loop."""

    def __init__(self, timeout: float | None) -> None:
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int | float)):
            raise TypeError(f"timeout must be a number of seconds, got {type(timeout).__name__}")
        if timeout is not None and not 0 < timeout < math.inf:
            raise ValueError(f"timeout must be a positive, finite number of seconds, got {timeout}")
        self.timeout = DEFAULT_POLL_TIMEOUT if timeout is None else float(timeout)
        self._end = time.monotonic() + self.timeout

    def remaining(self) -> float:
        return self._end - time.monotonic()

    def expired(self, run: RunObject) -> PollTimeoutError:
        return PollTimeoutError(
            f"Run {run.id} is still {run.status} after polling for {self.timeout:g} s", run=run, timeout=self.timeout
        )


def check_poll_interval(poll_interval: float | None) -> None:
    if poll_interval is None:
        return
    if isinstance(poll_interval, bool) or not isinstance(poll_interval, int | float):
        raise TypeError(f"poll_interval must be a number of seconds, got {type(poll_interval).__name__}")
    if not 0 < poll_interval < math.inf:
        raise ValueError(f"poll_interval must be a positive, finite number of seconds, got {poll_interval}")
