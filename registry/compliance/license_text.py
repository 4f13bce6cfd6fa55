"""Comparing license texts as people copy them: typography and layout normalised.

Two normal forms:

- :func:`typography` (for notices, which must be reproduced exactly): Unicode NFKC, curly
  quotes and primes as straight quotes, every dash as ``-``, ``©``/``(c)``/``(C)`` as
  ``(c)``, runs of whitespace as one space. Case and the words themselves still count.
- :func:`words` (for agreement texts): the same, then HTML entities and literal ``\\n``
  and ``\\uXXXX`` escapes (a card's YAML or JSON string) undone, case folded, and every
  run of characters that is not a letter or digit turned into one space, so quotes,
  dashes, bullets, section numbering, markdown, hyphens broken across lines and line
  breaks no longer matter. A sentence is present when its word sequence appears whole
  in the text's.

An agreement is recognised by how many of its distinctive sentences a text holds
(:func:`sentences_present`); the sentences and the number needed are policy data.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable

_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
    }
)
_COPYRIGHT = re.compile(r"\s*(?:\u00a9|\([cC]\))\s*")
_ESCAPES = re.compile(r"\\(?:[nrt]|u([0-9a-fA-F]{4}))")
_WORD = re.compile(r"[^\W_]+")


def typography(text: str) -> str:
    """``text`` with typographic variants unified and whitespace collapsed (case kept)."""
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY)
    text = _COPYRIGHT.sub(" (c) ", text)
    return " ".join(text.split())


def _unescape(m: re.Match[str]) -> str:
    return chr(int(m.group(1), 16)) if m.group(1) else " "


def words(text: str) -> str:
    """The lower-case words of ``text`` separated by single spaces, punctuation dropped."""
    text = _ESCAPES.sub(_unescape, html.unescape(text))
    return " ".join(_WORD.findall(typography(text).casefold()))


def contains(haystack_words: str, phrase: str) -> bool:
    """Whether the words of ``phrase`` appear, whole and in order, in ``haystack_words``."""
    needle = words(phrase)
    return bool(needle) and f" {needle} " in f" {haystack_words} "


def sentences_present(haystack_words: str, sentences: Iterable[str]) -> int:
    """How many of ``sentences`` the (already :func:`words`-normalised) text holds."""
    return sum(contains(haystack_words, s) for s in sentences)
