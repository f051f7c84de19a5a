"""The clock that drives run lifecycles: virtual ("manual") or wall time ("realtime").

Runs never progress on their own in a background task. They move one state per *tick*:

* ``manual`` — time stands still until a test calls :meth:`Clock.advance`, and ticks happen only when
  something calls :meth:`Clock.tick` (``server.step()`` does), or, if the server was created with
  ``advance_on_read=True``, when a client retrieves the run. Tests therefore decide every transition.
* ``realtime`` — the clock follows wall time, and every run takes one state per ``tick`` seconds, computed
  lazily when the run is read. :meth:`Clock.advance` still works: it moves the clock forward, so expiry and
  pending transitions can be fast-forwarded in a demo without sleeping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Literal

TimeMode = Literal["manual", "realtime"]
"""How the server's clock moves: ``"manual"`` (tests drive it) or ``"realtime"`` (wall time)."""

TickListener = Callable[[], None]


class Clock:
    """A clock that tests control; every timestamp the server writes comes from :meth:`now`."""

    def __init__(self, mode: TimeMode = "manual", *, tick: float = 0.05, start: float | None = None) -> None:
        if mode not in ("manual", "realtime"):
            raise ValueError(f"time_mode must be 'manual' or 'realtime', not {mode!r}")
        if tick <= 0:
            raise ValueError("tick must be a positive number of seconds")
        self._mode: TimeMode = mode
        self._tick = float(tick)
        self._lock = threading.Lock()
        self._virtual = float(int(time.time()) if start is None else start)
        self._offset = 0.0 if start is None else float(start) - time.time()
        self._ticks = 0
        self._listeners: list[TickListener] = []

    @property
    def mode(self) -> TimeMode:
        """``"manual"`` or ``"realtime"``."""
        return self._mode

    @property
    def tick_seconds(self) -> float:
        """How long one state lasts in realtime mode (seconds)."""
        return self._tick

    @property
    def ticks(self) -> int:
        """How many explicit ticks (:meth:`tick`) have happened so far."""
        return self._ticks

    def now(self) -> float:
        """Current time in Unix seconds (virtual in manual mode)."""
        with self._lock:
            if self._mode == "manual":
                return self._virtual
            return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (never backwards); runs past ``expires_at`` then expire."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._virtual += seconds
            self._offset += seconds

    def tick(self, n: int = 1) -> None:
        """Move every active run ``n`` states forward (one state per tick), in any time mode."""
        if n < 0:
            raise ValueError("n must be >= 0")
        for _ in range(n):
            with self._lock:
                self._ticks += 1
                listeners = list(self._listeners)
            for listener in listeners:
                listener()

    def subscribe(self, listener: TickListener) -> None:
        """Call ``listener`` on every :meth:`tick` (the run store uses this)."""
        with self._lock:
            self._listeners.append(listener)
