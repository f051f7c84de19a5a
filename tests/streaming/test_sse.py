"""The SSE decoder follows the WHATWG rules and cannot be broken by chunking or by bytes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threadruns._sse import ServerSentEvent, SSEDecoder, iter_events

WHATWG_SAMPLE = (
    b"\xef\xbb\xbf: a comment\r\n"
    b"event: thread.run.created\r\n"
    b"data: line one\r\n"
    b"data:line two\r\r"
    b"id: 7\n"
    b"retry: 1500\n"
    b"data: x\n\n"
    b"retry: soon\n"
    b"data\n\n"
    b"event: done\n"
    b"data: [DONE]"
)

EXPECTED = [
    ServerSentEvent("thread.run.created", "line one\nline two"),
    ServerSentEvent("message", "x", "7", 1500),
    ServerSentEvent("message", "", "7", 1500),
    ServerSentEvent("done", "[DONE]", "7", 1500),
]


def test_sample_decodes_per_whatwg_rules() -> None:
    """BOM and comments skipped, data lines joined, CR/LF/CRLF all end lines, id/retry kept, bad retry ignored."""
    assert list(iter_events([WHATWG_SAMPLE])) == EXPECTED


def test_every_two_way_split_decodes_identically() -> None:
    """Splitting the stream at any byte boundary, even inside CRLF, changes nothing."""
    for cut in range(len(WHATWG_SAMPLE) + 1):
        assert list(iter_events([WHATWG_SAMPLE[:cut], WHATWG_SAMPLE[cut:]])) == EXPECTED, cut


def test_final_event_without_blank_line_is_delivered_on_flush() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"event: thread.run.completed\ndata: {}") == []
    assert decoder.flush() == [ServerSentEvent("thread.run.completed", "{}")]


def test_event_name_resets_after_dispatch_and_empty_event_is_not_dispatched() -> None:
    events = list(iter_events([b"event: a\n\ndata: 1\n\n"]))
    assert events == [ServerSentEvent("message", "1")]


def test_id_with_nul_is_ignored() -> None:
    assert list(iter_events([b"id: a\x00b\ndata: 1\n\n"])) == [ServerSentEvent("message", "1", None)]


def test_invalid_utf8_is_replaced_not_raised() -> None:
    assert list(iter_events([b"data: \xff\xfe\n\n"])) == [ServerSentEvent("message", "\ufffd\ufffd")]


_names = st.sampled_from(["thread.run.created", "thread.message.delta", "error", "x-custom", "done"])
_text = st.text(alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=20)
_events = st.lists(st.tuples(_names, st.lists(_text, min_size=1, max_size=3)), min_size=1, max_size=8)
_line_ends = st.sampled_from(["\n", "\r", "\r\n"])


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(events=_events, end=_line_ends, data=st.data())
def test_any_valid_sequence_decodes_identically_however_chunked(
    events: list[tuple[str, list[str]]], end: str, data: st.DataObject
) -> None:
    """Hypothesis: encode events, cut the bytes at random points, decode: same events, in order."""
    encoded = "".join(
        f"event: {name}{end}" + "".join(f"data: {line}{end}" for line in lines) + end for name, lines in events
    ).encode()
    cuts = sorted(data.draw(st.lists(st.integers(0, len(encoded)), max_size=10)))
    chunks = [encoded[a:b] for a, b in zip([0, *cuts], [*cuts, len(encoded)], strict=True)]
    expected = [ServerSentEvent(name, "\n".join(lines)) for name, lines in events]
    assert list(iter_events(chunks)) == expected
    assert list(iter_events([encoded])) == expected


@settings(max_examples=300, deadline=None, derandomize=True)
@given(chunks=st.lists(st.binary(max_size=64), max_size=10))
def test_arbitrary_bytes_never_raise(chunks: list[bytes]) -> None:
    """Hypothesis: any bytes decode to well-formed events (str fields), without exceptions."""
    for event in iter_events(chunks):
        assert isinstance(event.event, str) and isinstance(event.data, str)
        assert "\r" not in event.data and "\n" not in event.event


_framed = st.lists(
    st.tuples(st.sampled_from(["", "a", " x", "thread.message.delta", "\u00e9v"]), st.lists(_text, max_size=2)),
    max_size=6,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(events=_framed, noise=st.lists(st.binary(max_size=12), max_size=4), data=st.data())
def test_the_framed_fast_path_decodes_as_the_line_path(
    events: list[tuple[str, list[str]]], noise: list[bytes], data: st.DataObject
) -> None:
    """Hypothesis: whole chunks of `event: NAME\\ndata: DATA\\n\\n` events (which the decoder reads with one
    regex) interleaved with arbitrary bytes decode exactly as the same bytes fed one byte at a time (which
    only the line path ever sees)."""
    parts = [
        "".join(f"event: {name}\n" + "".join(f"data: {line}\n" for line in lines) + "\n") for name, lines in events
    ]
    pieces = [p.encode() for p in parts]
    for junk in noise:
        pieces.insert(data.draw(st.integers(0, len(pieces))), junk)
    body = b"".join(pieces)
    assert list(iter_events(pieces)) == list(iter_events([body])) == list(iter_events([bytes([b]) for b in body]))
