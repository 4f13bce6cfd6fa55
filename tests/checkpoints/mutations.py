"""Random byte-level damage for property tests of the file parsers (hypothesis)."""

from __future__ import annotations

from hypothesis import strategies as st


def damage(draw: st.DrawFn, data: bytearray) -> bytes:
    """One to six bytes flipped, inserted or deleted at random positions."""
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        pos = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["flip", "insert", "delete"]))
        if op == "flip":
            data[pos] = draw(st.integers(0, 255))
        elif op == "insert":
            data.insert(pos, draw(st.integers(0, 255)))
        else:
            del data[pos]
    return bytes(data)
