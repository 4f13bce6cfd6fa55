"""A stable partition of the variants, so a cluster job array can split ``--all`` work.

``--shard K/N`` (0 <= K < N) selects the variants whose name hashes to K modulo N: the
first 8 bytes of the SHA-256 of the UTF-8 name, big-endian. The partition depends on
nothing but the name and N, so every shard of a Slurm job array or a Kubernetes Indexed
Job computes it alike, and together the N shards cover every variant exactly once.
Variants registered while the shards run land in whichever shard their name falls in.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from registry.errors import InvalidInputError

MAX_SHARDS = 100_000
_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, name: str) -> bool:
        """Whether the variant called ``name`` belongs to this shard."""
        return shard_of(name, self.count) == self.index


def shard_of(name: str, count: int) -> int:
    """The shard (0 .. count-1) of the variant called ``name``."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count


def parse_shard(text: str) -> Shard:
    """``K/N`` with 0 <= K < N (a job array's index and size)."""
    m = _SHARD.match(text)
    if m is None:
        raise InvalidInputError(f"--shard {text!r}: expected K/N, for example 0/4")
    index, count = int(m.group(1)), int(m.group(2))
    if not 1 <= count <= MAX_SHARDS:
        raise InvalidInputError(f"--shard {text!r}: N must be between 1 and {MAX_SHARDS}")
    if index >= count:
        raise InvalidInputError(f"--shard {text!r}: K counts from 0 and must be below N")
    return Shard(index, count)
