"""The prose of a model card (README.md) that a bill of materials carries.

Hub model cards follow a template whose level-2/3 headings name the sections: "Uses" /
"Intended Use", "Bias, Risks, and Limitations" / "Limitations", "Training Details" /
"Training Data". The first paragraph after the title is the summary. Each section is kept
as its text (front matter and HTML comments removed, at most 4,000 characters).
"""

from __future__ import annotations

import re
from pathlib import Path

from registry.formats.bom_input import CardSections

MAX_CHARS = 4000
MAX_BYTES = 1 << 20
_HEADING = re.compile(r"^(#{1,3})\s+(.*?)\s*#*\s*$")
_KEYS = (
    ("limitation", "limitations"),
    ("intended use", "intended_use"),
    ("uses", "intended_use"),
    ("training", "training"),
)


def _clip(text: str) -> str | None:
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S).strip()
    return text[:MAX_CHARS] if text else None


def parse_sections(text: str) -> CardSections:
    if text.startswith("---"):
        end = text.find("\n---", 3)
        text = text[end + 4 :] if end != -1 else text
    found: dict[str, list[str]] = {}
    current: str | None = "summary"
    for line in text.splitlines():
        m = _HEADING.match(line)
        if m:
            title = m.group(2).lower()
            if len(m.group(1)) == 1:
                current = "summary" if "summary" not in found else None
                continue
            current = next((key for word, key in _KEYS if word in title), None)
            if current in found:
                current = None  # the first such section wins
            continue
        if current is not None:
            found.setdefault(current, []).append(line)
    summary = "\n".join(found.get("summary", [])).strip().split("\n\n")[0]
    return CardSections(
        summary=_clip(summary),
        intended_use=_clip("\n".join(found.get("intended_use", []))),
        limitations=_clip("\n".join(found.get("limitations", []))),
        training=_clip("\n".join(found.get("training", []))),
    )


def read_sections(root: Path) -> CardSections | None:
    card = root / "README.md"
    try:
        with card.open("rb") as fh:
            data = fh.read(MAX_BYTES)
    except OSError:
        return None
    sections = parse_sections(data.decode("utf-8", errors="replace"))
    return sections if any(vars(sections).values()) else None
