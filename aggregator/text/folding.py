"""Folding: text as matching reads it, accents stripped, apostrophes read as spaces.

"Viamédis", "VIAMEDIS" and "l’Assurance" fold to words that compare alike. The classifier
matches on folded text and the taxonomy checks its names with it; it has no vocabulary of its
own, so it lives with the other text helpers, apart from the understanding stage.

>>> fold("L’Assurance Maladie – Sévéane")
'l assurance maladie - seveane'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_REPLACE = {
    "'": " ",
    "\u2019": " ",
    "\u2018": " ",
    "\u02bc": " ",
    "`": " ",
    "\u00b4": " ",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u0153": "oe",
    "\u0152": "OE",
    "\u00e6": "ae",
    "\u00c6": "AE",
    "\u00df": "ss",
}
# A substitution only where needed: str.translate walks every character in Python-level
# dict lookups, several times slower on French text that has few such characters.
_PUNCT = re.compile("|".join(map(re.escape, _REPLACE)))
_MARKS = re.compile("[\u0300-\u036f]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_MARKS_ASIDE = re.compile("[^\x00-\x7f\u0300-\u036f]")  # other than ASCII and marks
# Characters outside the Latin blocks and general punctuation, where this folding and
# dedupe's normalise_text may part ways (the modifier apostrophe is a letter to one,
# "𝓐" and the Greek ypogegrammeni case-fold differently): such a text is not "plain".
# tests/test_properties.py checks every character inside against normalise_text.
_FOLDS_APART = re.compile("[^\x00-\u024f\u2000-\u206f]")


def _replacement(match: re.Match[str]) -> str:
    return _REPLACE[match.group()]


def fold_case_kept(text: str) -> str:
    """Accents stripped, apostrophes read as spaces, other non-ASCII as spaces; same case.

    >>> fold_case_kept("L'Assurance Maladie – Sévéane")
    'L Assurance Maladie - Seveane'
    """
    return fold_flagged(text)[0]


def fold_flagged(text: str) -> tuple[str, bool]:
    """:func:`fold_case_kept`, and whether the text is plain: made of the characters where
    this folding and :func:`~aggregator.understand.dedupe.normalise_text` agree
    (``_FOLDS_APART``), and folded to ASCII with nothing blanked. The words of a plain
    text, lower-cased, are the words normalise_text finds."""
    # The apostrophes, most of the replacements in French text, by str.replace (in C)
    # rather than a call of _replacement each.
    text_apart = text.replace("'", " ").replace("\u2019", " ")
    if not text_apart.isascii() or "`" in text_apart:
        text_apart = _PUNCT.sub(_replacement, text_apart)
    decomposed = unicodedata.normalize("NFKD", text_apart)
    if _MARKS_ASIDE.search(decomposed) is None:
        # ASCII and combining marks only (most French text): dropping every non-ASCII
        # character drops the marks, in C, faster than a substitution.
        stripped = decomposed.encode("ascii", "ignore").decode("ascii")
        return stripped, not _FOLDS_APART.search(text)
    # Something else than ASCII and marks is left once the marks go: blanked, not plain.
    return _NON_ASCII.sub(" ", _MARKS.sub("", decomposed)), False


@lru_cache(maxsize=4096)
def folded_length(character: str) -> int:
    """How many characters one character folds to (ASCII: one; a ligature: two...)."""
    return 1 if character.isascii() else len(fold_flagged(character)[0])


def fold(text: str) -> str:
    """What matching reads: :func:`fold_case_kept`, lower case (ASCII, so same length)."""
    return fold_case_kept(text).lower()
