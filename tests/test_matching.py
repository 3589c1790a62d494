"""The prefiltered matcher: whole-word matches, the words each alternative needs, word keys."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregator.text.folding import fold
from aggregator.understand.classify import Classifier
from aggregator.understand.matching import (
    WORD,
    Matcher,
    NameFinder,
    WordKeys,
    expand,
    prefixes,
    required,
)
from aggregator.understand.taxonomy import Taxonomy, load_taxonomy

CASES = Path(__file__).parent / "data" / "classify"  # whole articles, as sample texts


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        ("panne|bugs?", "un bug hier", ["bug"]),  # a top-level bar: both sides are tried
        ("(?:chang|modifi)\\w*", "modifiez puis changez", ["modifiez", "changez"]),
        ("msa", "emsa msa msap", ["msa"]),  # whole words only, even after a false start
        ("sp[\\s-]*sante", "spsante, sp-sante", ["spsante", "sp-sante"]),
        ("(?:a|b)?cde", "abcde cde", ["cde"]),
        ("n\\s+est\\s+plus", "il n est plus la", ["n est plus"]),
        ("a\\s+l\\s+arret", "le site est a l arret", ["a l arret"]),  # keyed on "arret"
        ("ab?\\s+cdef", "a cdef et ab cdef", ["a cdef", "ab cdef"]),
    ],
)
def test_matcher_finds_whole_words_of_every_alternative(
    pattern: str, text: str, found: list[str]
) -> None:
    hits = Matcher([(0, pattern)]).find(text, prefixes(WORD.findall(text)))
    assert [text[hit.start : hit.end] for hit in hits] == found


def _all_matchers(taxonomy: Taxonomy) -> list[Matcher]:
    rules = Classifier(taxonomy).rules
    found: list[Matcher] = []
    for value in vars(rules).values():
        if isinstance(value, Matcher):
            found.append(value)
        elif isinstance(value, NameFinder):
            found += [value.lower, value.cased]
    return found


def test_the_word_key_table_knows_every_matchers_keys() -> None:
    taxonomy = load_taxonomy(None)
    matchers = _all_matchers(taxonomy)
    assert len(matchers) > 15  # kinds, actions, payers, status... all seen
    known = Classifier(taxonomy).rules.word_keys.known
    for matcher in matchers:
        assert matcher.keys <= known


@pytest.mark.parametrize(
    ("alternative", "heads"),
    [
        ("comptes?\\s+{gap}compromis", ["compte", "compromis"]),  # the gap may be empty
        ("a\\s+l\\s+arret", ["arret"]),  # words under three letters are no key
        ("ne\\s+(?:peut|peuvent)\\s+plus\\s+etre", ["plus", "etre"]),  # past a group
        ("pirates?(?:\\s+informatiques?)?", ["pirate"]),  # an optional group: not there
        ("(?:a|b)?cde\\s+fghi", ["fghi"]),  # "cde" may be glued to "a" or "b"
        ("x\\s*panne", []),  # no space needed: "xpanne" is one word
        ("cyber[\\s-]?attaques?", ["cyber"]),  # "cyberattaque" is one word
        ("[abc]\\s+panne\\s+\\w+\\s+totale", ["panne", "totale"]),
        ("attaque(?<=\\bete\\sattaque)e?s?\\s+grave", ["attaque", "grave"]),  # zero width
        ("Sp\\S+\\s+SANTE", ["sante"]),  # read in lower case, escapes as written
        ("bon{1,2}jour\\s+abc+de", ["abc"]),  # letters past a repeat are not known
    ],
)
def test_required_words_are_those_every_match_starts_a_word_with(
    alternative: str, heads: list[str]
) -> None:
    assert required(expand(alternative)) == heads


def _parts(taxonomy: Taxonomy) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """Every filed alternative of the built-in matchers, with every key it needs."""
    found = []
    for matcher in _all_matchers(taxonomy):
        for key, parts in matcher.keyed.items():
            for pattern, _, others in parts:
                found.append((pattern, frozenset({key}) | (others or frozenset())))
    return found


PARTS = _parts(load_taxonomy(None))


@pytest.mark.slow
@given(st.data())
@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_match_of_an_alternative_holds_the_words_it_is_keyed_on(data: st.DataObject) -> None:
    # Any text an alternative matches at a word start (as Matcher.find counts them) has
    # words starting with each of its keys: looking the keys up never skips a match.
    pattern, needs = data.draw(st.sampled_from(PARTS))
    text = data.draw(st.from_regex(pattern, alphabet=st.characters(max_codepoint=127)))
    keys = prefixes(WORD.findall(text.lower()))
    for match in pattern.finditer(text):
        start = match.start()
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue
        assert needs <= keys


def test_a_matcher_finds_what_its_alternatives_find_when_all_are_run() -> None:
    texts = [
        path.read_text("utf-8").partition("\n---\n")[2] for path in sorted(CASES.glob("*.txt"))
    ]
    texts += ["les comptes de dix officines ont été compromis", "un compte rendu compromis"]
    for matcher in _all_matchers(load_taxonomy(None)):
        for text in map(fold, texts):
            run_all = matcher.find(text, matcher.keys)  # every key: every alternative runs
            assert matcher.find(text, prefixes(WORD.findall(text))) == run_all


WORDLIKE = st.text(st.sampled_from("abcdeilmnoprstuvy0123"), max_size=9)


@pytest.mark.slow
@given(
    st.lists(
        st.one_of(
            WORDLIKE, st.sampled_from(sorted(Classifier(load_taxonomy(None)).rules.word_keys.known))
        ),
        max_size=40,
    ),
    st.booleans(),
)
@settings(max_examples=400)
def test_the_keys_of_a_text_are_those_its_word_prefixes_give(
    words: list[str], forgetful: bool
) -> None:
    table = WordKeys(Classifier(load_taxonomy(None)).rules.word_keys.known)
    if forgetful:
        table.LIMIT = 0  # nothing remembered: worked out each time, same answer
    for _ in range(2):  # asked twice: the second answer comes from what was remembered
        assert table.of(words) == table.known & prefixes(words)
    assert len(table) == (0 if forgetful else len(set(words)))


def test_a_long_key_is_found_from_a_longer_word_and_a_short_one_from_itself() -> None:
    table = WordKeys({"pann", "msa", "retab"})
    assert table.of(["pannes", "msa", "retablissement", "ms", "retab"]) == {
        "pann",
        "msa",
        "retab",
    }
    assert table.of(["emsa", "pan", "re"]) == frozenset()
