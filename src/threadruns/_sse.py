"""Server-sent events decoding, following the WHATWG rules, on bytes.

Lines end with ``\\r\\n``, ``\\r`` or ``\\n`` (also when a ``\\r\\n`` pair is split
across network chunks); ``:`` lines are comments; ``data`` lines of one event are
joined with ``\\n``; ``event``, ``id`` and ``retry`` fields are kept; a blank line
dispatches the event. Unlike a browser, a final event without its blank line is
still delivered when the stream ends, since the API's last event can be cut so.
Invalid UTF-8 is replaced, never raised: decoding cannot fail on any bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# One whole event in the framing the API uses: an `event` line, one `data` line, a blank line, LF endings.
_FRAMED = re.compile(rb"event: ([^\r\n]*)\ndata: ([^\r\n]*)\n\n")


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One decoded event; ``event`` defaults to ``"message"`` as the standard says."""

    event: str
    data: str
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Incremental decoder: ``feed`` bytes as they arrive, ``flush`` at the end."""

    __slots__ = ("_buffer", "_data", "_event", "_last_id", "_retry", "_skip_lf", "_started")

    def __init__(self) -> None:
        self._buffer = b""
        self._skip_lf = False  # the previous chunk ended in "\r": a leading "\n" belongs to it
        self._started = False
        self._data: list[str] = []
        self._event = ""
        self._last_id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Events completed by ``chunk`` (possibly none)."""
        if not chunk:
            return []
        if self._skip_lf and chunk[:1] == b"\n":
            chunk = chunk[1:]
        self._skip_lf = False
        buffer = self._buffer + chunk if self._buffer else chunk
        last = buffer[-1:]
        if last == b"\n" or last == b"\r":  # the usual case: the chunk ends a line, nothing to keep
            complete, self._buffer = buffer, b""
        else:
            end = max(buffer.rfind(b"\n"), buffer.rfind(b"\r"))
            if end < 0:
                self._buffer = buffer
                return []
            complete, self._buffer = buffer[: end + 1], buffer[end + 1 :]
        self._skip_lf = not self._buffer and complete[-1:] == b"\r"
        events: list[ServerSentEvent] = []
        if self._started and not self._data and not self._event:
            # Between events, the usual framing (`event: NAME\ndata: DATA\n\n`, as the API writes every event)
            # is read by one regex in C; the rest of the chunk, from the first line it does not cover, by lines.
            end = 0
            match = _FRAMED.match(complete)
            while match is not None:
                name, data = match.groups()
                events.append(
                    ServerSentEvent(
                        name.decode("utf-8", "replace") or "message",
                        data.decode("utf-8", "replace"),
                        self._last_id,
                        self._retry,
                    )
                )
                end = match.end()
                match = _FRAMED.match(complete, end)
            if end:
                complete = complete[end:]
                if not complete:
                    return events
        if not self._started:  # the first line may carry a byte order mark: the general path handles it
            lines = complete.splitlines()
            first = self._line(lines[0])
            if first is not None:
                events.append(first)
            rest: list[bytes] | bytes = lines[1:]
        else:
            rest = complete
        self._lines(rest if isinstance(rest, list) else rest.splitlines(), events)
        return events

    def _lines(self, lines: list[bytes], events: list[ServerSentEvent]) -> None:
        """``_line`` for each line, with the three lines of the usual event (``event:``, ``data:``, blank)
        handled inline: the same rules, without a call per line."""
        data = self._data
        general = self._line
        for raw in lines:
            head = raw[:6]
            if head == b"data: ":
                data.append(raw[6:].decode("utf-8", "replace"))
            elif not raw:
                if data:
                    name = self._event or "message"
                    events.append(ServerSentEvent(name, "\n".join(data), self._last_id, self._retry))
                    data = self._data = []
                self._event = ""
            elif head == b"event:" and raw.isascii():
                value = raw[6:].decode("ascii")
                self._event = value[1:] if value[:1] == " " else value
            else:
                event = general(raw)
                data = self._data  # a dispatch in the general path starts a new list
                if event is not None:
                    events.append(event)

    def flush(self) -> list[ServerSentEvent]:
        """Events left when the stream ends: a last line and event without their terminators."""
        events: list[ServerSentEvent] = []
        if self._buffer:
            rest, self._buffer = self._buffer, b""
            event = self._line(rest)
            if event is not None:
                events.append(event)
        event = self._dispatch()
        if event is not None:
            events.append(event)
        return events

    def _line(self, raw: bytes) -> ServerSentEvent | None:
        if self._started and raw[:5] == b"data:":
            # The common line, without decoding what the general path below would only split off.
            data = raw[6:] if raw[5:6] == b" " else raw[5:]
            self._data.append(data.decode("utf-8", "replace"))
            return None
        line = raw.decode("utf-8", "replace")
        if not self._started:
            self._started = True
            if line.startswith("\ufeff"):
                line = line[1:]
        if not line:
            return self._dispatch()
        if line[0] == ":":
            return None
        field, sep, value = line.partition(":")
        if sep and value[:1] == " ":
            value = value[1:]
        if field == "data":
            self._data.append(value)
        elif field == "event":
            self._event = value
        elif field == "id":
            if "\0" not in value:
                self._last_id = value
        elif field == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        if not self._data:
            self._event = ""
            return None
        event = ServerSentEvent(self._event or "message", "\n".join(self._data), self._last_id, self._retry)
        self._data = []
        self._event = ""
        return event


def iter_events(chunks: Iterable[bytes]) -> Iterator[ServerSentEvent]:
    """Decode a whole byte stream."""
    decoder = SSEDecoder()
    for chunk in chunks:
        yield from decoder.feed(chunk)
    yield from decoder.flush()
