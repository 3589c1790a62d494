"""Folding: accents, case and apostrophes read alike, by the fast path and the plain one."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.text import folding
from aggregator.text.folding import fold


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Viamédis", "viamedis"),
        ("L’Assurance Maladie", "l assurance maladie"),
        ("Œuvre", "oeuvre"),
        ("SP‑Santé", "sp-sante"),
        ("ﬁchier", "fichier"),
        ("déjà\u00a0là", "deja la"),
    ],
)
def test_fold_strips_accents_and_case(text: str, expected: str) -> None:
    assert fold(text) == expected


def _fold_by_substitution(text: str) -> tuple[str, bool]:
    """fold_flagged as first written: marks removed by a substitution, every text alike."""
    decomposed = unicodedata.normalize("NFKD", folding._PUNCT.sub(folding._replacement, text))
    stripped = folding._MARKS.sub("", decomposed)
    if stripped.isascii():
        return stripped, not folding._FOLDS_APART.search(text)
    return folding._NON_ASCII.sub(" ", stripped), False


@pytest.mark.slow
@given(
    st.one_of(
        st.text(max_size=60),
        st.text(
            alphabet="aeiouAEIOUéèêëàâîïôöùûüçÉÈÀÇœŒæßÅñ' ’-–«»\u0301\u0327\u00a0xyz", max_size=60
        ),
    )
)
@settings(max_examples=1500)
def test_folding_by_encoding_agrees_with_the_substitution(text: str) -> None:
    """ASCII-and-marks text drops its marks by encoding: the same as the substitution."""
    assert folding.fold_flagged(text) == _fold_by_substitution(text)
