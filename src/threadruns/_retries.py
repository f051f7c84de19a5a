"""When to retry a request, and how long to wait first.

The policy of openai-python: retry 408, 409, 429 and >= 500 answers, connection
errors and timeouts; an ``x-should-retry: true|false`` header overrides the
status; wait what ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP
date) says when that is between 0 and 60 s, else back off exponentially from
0.5 s, doubling, capped at 8 s, with up to 25 % jitter.
"""

from __future__ import annotations

import email.utils
import random
import time

import httpx

from ._constants import INITIAL_RETRY_DELAY, MAX_RETRY_AFTER, MAX_RETRY_DELAY

RETRY_STATUSES = frozenset({408, 409, 429})


def should_retry(response: httpx.Response) -> bool:
    """Whether an error response is worth another attempt."""
    override = response.headers.get("x-should-retry")
    if override == "true":
        return True
    if override == "false":
        return False
    return response.status_code in RETRY_STATUSES or response.status_code >= 500


def retry_after(headers: httpx.Headers | None, *, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait, or None when it did not (or asked for too long)."""
    if headers is None:
        return None
    seconds: float | None = None
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        seconds = _float(raw_ms)
        seconds = None if seconds is None else seconds / 1000
    raw = headers.get("retry-after")
    if seconds is None and raw is not None:
        seconds = _float(raw)
        if seconds is None and _looks_like_date(raw):
            try:
                parsed = email.utils.parsedate_to_datetime(raw)
            except (TypeError, ValueError, OverflowError):
                parsed = None  # a date that cannot exist (31 February, hour 25): ignore it
            if parsed is not None:
                seconds = parsed.timestamp() - (time.time() if now is None else now)
    if seconds is not None and 0 <= seconds <= MAX_RETRY_AFTER:
        return seconds
    return None


def backoff(retries_taken: int) -> float:
    """Exponential backoff with jitter for the attempt after ``retries_taken`` retries."""
    delay = min(INITIAL_RETRY_DELAY * 2.0 ** min(retries_taken, 16), MAX_RETRY_DELAY)
    return delay * (1 - 0.25 * random.random())


def retry_delay(retries_taken: int, headers: httpx.Headers | None) -> float:
    """How long to sleep before the next attempt."""
    asked = retry_after(headers)
    return asked if asked is not None else backoff(retries_taken)


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None


def _looks_like_date(text: str) -> bool:
    try:
        return email.utils.parsedate_tz(text) is not None
    except (TypeError, ValueError):
        return False
