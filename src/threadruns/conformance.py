"""How far an Assistants-compatible server is from the Runs API: ``check(client, assistant_id=...)``.

It drives the server through every operation of the spec and judges each answer field by field
against the spec (missing keys, types, nulls, Unix times; keys the spec does not list are noted),
each list against the cursor rules, each stream against the event rules, each error against the
error shape, and the headers the API sends. Each check is ``pass``, ``deviation`` or ``not
supported`` (the server lacks the operation, or the check needs an input it was not given), and
each deviation says what clients will see. It only creates runs (and the messages they write) on
the thread it is given, or on a new thread id, and says so up front (``PLAN``); the only runs it
changes are its own.

The embedded server shows what a pass looks like, and reproduces known flaws of real servers on
request (``RunsServer(deviations=[...])``, ``threadruns serve --deviate NAME``).
"""

from __future__ import annotations

import math
import secrets

from ._client import Client
from ._conformance_checks import Driver
from ._conformance_report import CheckResult, Outcome, Report
from ._validation import check_id

PLAN = (
    "creates up to 6 runs (one streamed, one cancelled, two answered with tool outputs), and the messages "
    "they write, on the thread it is given, or on a new thread id if none is; it changes only the metadata "
    "of its own first run, and cancels one of its own runs"
)


def check(
    client: Client,
    *,
    assistant_id: str,
    thread_id: str | None = None,
    tool_assistant_id: str | None = None,
    poll_timeout: float = 60.0,
) -> Report:
    """Drive the server behind ``client`` through the Runs API and report how it conforms (see ``PLAN``).

    ``assistant_id``: an assistant whose runs reply with a message. ``tool_assistant_id``: one whose runs
    call a function, for the tool path (without it that path is "not supported"). ``thread_id``: where
    to create the runs (default: a new id, which the server must create on first use).
    ``poll_timeout``: the longest wait, in seconds, for any one run to end, stream or request.
    """
    if not isinstance(client, Client):
        raise TypeError(f"client must be a threadruns.Client, got {type(client).__name__}")
    check_id("assistant_id", assistant_id)  # the ids the runs are made with, checked as every call checks them
    for name, value in (("thread_id", thread_id), ("tool_assistant_id", tool_assistant_id)):
        if value is not None:
            check_id(name, value)
    if isinstance(poll_timeout, bool) or not isinstance(poll_timeout, int | float):
        raise TypeError(f"poll_timeout must be a number of seconds, got {type(poll_timeout).__name__}")
    if not math.isfinite(poll_timeout) or poll_timeout <= 0:
        raise ValueError(f"poll_timeout must be a finite number of seconds > 0, got {poll_timeout!r}")
    thread = thread_id or "thread_conformance_" + secrets.token_hex(6)
    driver = Driver(
        client,
        assistant_id=assistant_id,
        thread_id=thread,
        tool_assistant_id=tool_assistant_id,
        poll_timeout=poll_timeout,
    )
    return driver.run()


__all__ = ["PLAN", "CheckResult", "Outcome", "Report", "check"]
