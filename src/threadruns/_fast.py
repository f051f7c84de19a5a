"""The fast path of answer parsing: msgspec decodes a body straight into the Structs generated from the spec.

``threadruns_api.resources._decode`` mirrors each response model as a msgspec Struct, closed to
unknown keys, and builds the public attrs model from it. A body that decodes is one the model's
``from_dict`` takes as it is, and gives the same object, checked in C rather than field by field
in Python. Any other body (an unknown key, enum value or tag, a wrong type, a JSON quirk msgspec
reads differently) is left to ``from_dict``, which decides between forward compatible and an
error: the fast path never decides anything, so it cannot loosen a check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

FastParse = Callable[[bytes | str], Any]


def fast_parts(model: str) -> tuple[Callable[[bytes | str], Any], Callable[[Any], Any], type[Exception]] | None:
    """The decode, the build and the exception of a miss, for a caller that inlines ``fast_parser``'s work."""
    import msgspec
    from threadruns_api.resources._decode import FAST

    entry = FAST.get(model)
    if entry is None:
        return None
    struct, build = entry
    return msgspec.json.Decoder(struct).decode, build, msgspec.DecodeError


def fast_parser(model: str) -> FastParse | None:
    """The fast parse of ``model`` (None when the body is not exactly the schema), or None if it has none."""
    parts = fast_parts(model)
    if parts is None:
        return None
    decode, build, miss = parts  # (msgspec's ValidationError is a DecodeError too)

    def parse(content: bytes | str) -> Any:
        try:
            return build(decode(content))
        except miss:
            return None

    return parse
