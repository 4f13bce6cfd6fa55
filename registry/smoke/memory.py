"""Host memory: what is free before a load, and the peak resident set size of a run.

The peak is per run even when ``smoke --all`` runs many checkpoints in one process: on
Linux, writing ``5`` to ``/proc/self/clear_refs`` resets the kernel's high-water mark
(``VmHWM``), which is read back from ``/proc/self/status``. Elsewhere the process-wide
``ru_maxrss`` is used, which can only grow.
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

# Added to the weights' size when judging whether a checkpoint fits: activations, the KV
# cache of a short generation, the framework's own buffers.
FIT_OVERHEAD_FRACTION = 0.10
FIT_OVERHEAD_BYTES = 128 * 1024 * 1024

_PROC_SELF = Path("/proc/self")


def required_bytes(weight_bytes: int) -> int:
    """Memory a load of ``weight_bytes`` of weights is expected to need."""
    return int(weight_bytes * (1 + FIT_OVERHEAD_FRACTION)) + FIT_OVERHEAD_BYTES


def free_host_bytes() -> int:
    """Memory the kernel says is available to a new allocation (MemAvailable)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    pages = os.sysconf("SC_AVPHYS_PAGES")
    return int(pages) * int(os.sysconf("SC_PAGE_SIZE"))


def reset_peak_rss() -> None:
    """Reset the high-water mark of the resident set (Linux only; a no-op elsewhere)."""
    try:
        (_PROC_SELF / "clear_refs").write_text("5")
    except OSError:
        pass


def peak_rss_bytes() -> int:
    """The peak resident set size since the last reset (or since the process started)."""
    try:
        for line in (_PROC_SELF / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024
