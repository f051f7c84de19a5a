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

ASSISTANTS_BETA_HEADER = "assistants=v2"
# What json.loads raises on bytes that are not usable JSON (too deep included): caught wherever JSON is decoded.
JSON_DECODE_ERRORS = (ValueError, UnicodeDecodeError, RecursionError)
RAW_BODY_PREVIEW = 500  # characters of a non-JSON error body kept in the exception message

# Ranges the API documents; checked before a request is sent.
PAGE_LIMIT_RANGE = (1, 100)
METADATA_MAX_KEYS = 16
METADATA_MAX_KEY_LENGTH = 64
METADATA_MAX_VALUE_LENGTH = 512
TEMPERATURE_RANGE = (0.0, 2.0)
TOP_P_RANGE = (0.0, 1.0)
MIN_MAX_TOKENS = 256
MAX_TOOLS = 20
