"""Default numbers in one place (the same as openai-python's, unless noted)."""

from __future__ import annotations

import httpx

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# 600 s in total, 5 s to connect: long enough for slow runs, never unlimited.
DEFAULT_TIMEOUT = httpx.Timeout(timeout=600.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
DEFAULT_CONNECTION_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)

INITIAL_RETRY_DELAY = 0.5  # seconds; doubles on every retry
MAX_RETRY_DELAY = 8.0  # cap of the exponential backoff
MAX_RETRY_AFTER = 60.0  # a server-given retry-after above this is ignored (backoff is used instead)

# What json.loads raises on bytes that are not usable JSON (too deep included): caught wherever JSON is decoded.
JSON_DECODE_ERRORS = (ValueError, UnicodeDecodeError, RecursionError)
RAW_BODY_PREVIEW = 500  # characters of a non-JSON error body kept in the exception message
