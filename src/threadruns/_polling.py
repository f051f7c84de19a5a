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

DEFAULT_POLL_INTERVAL = 1.0  # seconds, when the server does not say
DEFAULT_POLL_TIMEOUT = 3600.0  # seconds; runs expire server-side long before this
MIN_POLL_INTERVAL = 0.01  # never spin, whatever a server says


def is_terminal(run: RunObject) -> bool:
    """Whether polling stops at this run's status (the spec's facts: ``openapi/trim.yaml`` poll_stop_statuses)."""
    from threadruns_api.resources._operations import POLL_STOP_STATUSES

    return str(run.status) in POLL_STOP_STATUSES


def next_interval(headers: httpx.Headers, poll_interval: float | None) -> float:
    """``openai-poll-after-ms`` when the server sends it, else ``poll_interval`` (seconds), else 1 s."""
    from threadruns_api.resources._operations import POLL_AFTER_MS_HEADER

    raw = headers.get(POLL_AFTER_MS_HEADER)
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
            raise TypeError(f"poll_timeout must be a number of seconds, got {type(timeout).__name__}")
        if timeout is not None and not 0 < timeout < math.inf:
            raise ValueError(f"poll_timeout must be a positive, finite number of seconds, got {timeout}")
        self.timeout = DEFAULT_POLL_TIMEOUT if timeout is None else float(timeout)
        self._end = time.monotonic() + self.timeout

    def remaining(self) -> float:
        return self._end - time.monotonic()

    def expired(self, run: RunObject) -> PollTimeoutError:
        return PollTimeoutError(
            f"Run {run.id} is still {run.status} after polling for {self.timeout:g} s", run=run, timeout=self.timeout
        )


def poll_interval_seconds(poll_interval_ms: object) -> float | None:
    """``poll_interval_ms`` (openai-python's name) in seconds; None when not given."""
    from ._types import NotGiven

    if isinstance(poll_interval_ms, NotGiven) or poll_interval_ms is None:
        return None
    if isinstance(poll_interval_ms, bool) or not isinstance(poll_interval_ms, int | float):
        raise TypeError(f"poll_interval_ms must be a number of milliseconds, got {type(poll_interval_ms).__name__}")
    if not 0 < poll_interval_ms < math.inf:
        raise ValueError(f"poll_interval_ms must be a positive, finite number of milliseconds, got {poll_interval_ms}")
    return poll_interval_ms / 1000
