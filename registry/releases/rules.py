"""The config file's ``[release]`` table: what a release request demands of its evidence.

```toml
[release]
max_verify_age = "30d"   # the latest verification must be ok and at most this old
require_smoke = false    # true: a passing smoke run of the variant is required too
```

A duration is ``N`` followed by ``h``, ``d`` or ``w`` (or a number of days).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from registry.errors import InvalidInputError

DEFAULT_MAX_VERIFY_AGE = dt.timedelta(days=30)
_UNITS = {"h": dt.timedelta(hours=1), "d": dt.timedelta(days=1), "w": dt.timedelta(weeks=1)}


@dataclass(frozen=True)
class ReleaseRules:
    max_verify_age: dt.timedelta = DEFAULT_MAX_VERIFY_AGE
    require_smoke: bool = False
    source: str = "default"

    def to_dict(self) -> dict[str, Any]:
        return {
            "max_verify_age_seconds": int(self.max_verify_age.total_seconds()),
            "require_smoke": self.require_smoke,
            "source": self.source,
        }


def parse_duration(value: object, what: str) -> dt.timedelta:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return dt.timedelta(days=value)
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{1,5})\s*([hdw])\s*", value.lower())
        if m and int(m.group(1)) > 0:
            return int(m.group(1)) * _UNITS[m.group(2)]
    raise InvalidInputError(f"{what} must be a duration such as 30d, 12h or 2w, not {value!r}")


def parse_rules(table: object, where: str) -> ReleaseRules:
    """The ``[release]`` table of the config file at ``where``."""
    if not isinstance(table, dict):
        raise InvalidInputError(f"{where}: [release] must be a table")
    unknown = sorted(set(table) - {"max_verify_age", "require_smoke"})
    if unknown:
        raise InvalidInputError(
            f"{where}: unknown key(s) in [release]: {', '.join(unknown)}; "
            "known keys are max_verify_age, require_smoke"
        )
    age = DEFAULT_MAX_VERIFY_AGE
    if "max_verify_age" in table:
        age = parse_duration(table["max_verify_age"], f"{where}: [release] max_verify_age")
    smoke = table.get("require_smoke", False)
    if not isinstance(smoke, bool):
        raise InvalidInputError(f"{where}: [release] require_smoke must be true or false")
    return ReleaseRules(age, smoke, where)


def rules_from_dict(doc: dict[str, Any] | None) -> ReleaseRules:
    """The inverse of :meth:`ReleaseRules.to_dict` (the server's workers get it so)."""
    if not doc:
        return ReleaseRules()
    return ReleaseRules(
        dt.timedelta(seconds=int(doc["max_verify_age_seconds"])),
        bool(doc["require_smoke"]),
        str(doc.get("source", "config file")),
    )
