"""Compiled patterns: whole-word matches of many regex alternatives in folded text.

The taxonomy's patterns are regex alternatives over folded text, with ``{gap}`` for a few
words in between. A :class:`Matcher` files each alternative under the literal words every
match of it must start with (read by a small parser of the regex, :func:`required`), and runs
it only on a text some of whose words start with them; :class:`NameFinder` finds payer and
organisation names. This machinery knows nothing of payers or incidents, hence its own module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from aggregator.text.folding import fold, fold_case_kept
from aggregator.understand.taxonomy import Named

_GAP = r"(?:(?!(?:ne|n|pas|aucune?s?|jamais|sans|ni)\b)[\w-]+\s+){0,6}?"
_SEP = re.compile(r"[\s-]+")
_EDGES = re.compile(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$")


def expand(alternative: str) -> str:
    """An alternative with its ``{gap}`` (a few words, none a negation) spelt out."""
    return alternative.replace("{gap}", _GAP)


def whole_words(alternatives: Sequence[str]) -> str:
    """One alternation, each alternative a whole word (or words) of folded text."""
    body = "|".join(f"(?:{expand(alt)})" for alt in alternatives)
    # (or at the very start: "^\W*non\s*," may open a title with a quote mark, where no
    # word boundary is)
    return rf"(?:^|\b)(?:{body})(?![\w])"


def compile_words(alternatives: Sequence[str]) -> re.Pattern[str]:
    """:func:`whole_words`, compiled."""
    return re.compile(whole_words(alternatives))


# Python's regex engine tries every alternative of a large alternation at every word start,
# which makes one pass over 2 KB cost ~100 us. Most alternatives start with a literal word
# ("panne", "retabli"), so the text's word prefixes tell which can match at all: each
# alternative is compiled alone and run only when every literal word it needs (see
# required()) starts some word of the text.
WORD = re.compile(r"[a-z0-9]+")
# Folded, lower-cased text is ASCII: with every character but a-z and 0-9 made a space,
# str.split finds the words WORD finds, about twice as fast.
WORD_GAPS = str.maketrans({chr(c): " " for c in range(128) if not WORD.fullmatch(chr(c))})
_HEAD = re.compile(r"[a-z0-9]*")
_KEY = 5  # letters of a head looked up among the words' prefixes


def prefixes(all_words: Iterable[str]) -> frozenset[str]:
    """Every word's first 3, 4 and 5 letters, so that a head of 3 letters or more is found
    by its first five (or all of its letters when shorter)."""
    words = set(all_words)
    return frozenset([w[:3] for w in words] + [w[:4] for w in words] + [w[:_KEY] for w in words])


class WordKeys(dict[str, tuple[str, ...]]):
    """The matchers' keys each word starts with (for most words, none), worked out once per
    word: the words of a language repeat from text to text, so a text's keys are a few
    lookups rather than three new prefixes of each of its words."""

    LIMIT = 200_000  # words remembered; past it, new words are worked out each time

    def __init__(self, keys: Iterable[str]) -> None:
        super().__init__()
        self.known = frozenset(keys)

    def __missing__(self, word: str) -> tuple[str, ...]:
        found = tuple(self.known.intersection(prefixes((word,))))
        if len(self) < self.LIMIT:
            self[word] = found
        return found

    def of(self, words: Iterable[str]) -> frozenset[str]:
        """The known keys the words start with: what :func:`prefixes` of them has of them."""
        # Most words start no key: their empty tuples are left out of the union.
        return frozenset().union(*filter(None, map(self.__getitem__, set(words))))


def _distribute(alternative: str, depth: int = 0) -> list[str]:
    """A leading group spread out: ``(?:a|b)c`` gives ``ac`` and ``bc``, each with a literal
    start the regex engine can search for quickly."""
    if not alternative.startswith("(?:") or depth >= 3:
        return [alternative]
    end = _closing(alternative)
    if end < 0 or alternative[end + 1 : end + 2] in ("?", "*", "{", "+"):
        return [alternative]
    rest = alternative[end + 1 :]
    options = _split_top(alternative[3:end])
    return [spread for option in options for spread in _distribute(option + rest, depth + 1)]


def _head(alternative: str) -> str:
    """The literal letters an alternative must start with ("" if none)."""
    match = _HEAD.match(alternative)
    text = match.group() if match else ""
    if text and alternative[len(text) : len(text) + 1] in ("?", "*", "{"):
        text = text[:-1]  # the last letter is optional
    return text


# What may follow an element of a regex to repeat it (greedy, lazy or possessive).
_QUANTIFIER = re.compile(r"(?:[?*+]|\{\d*(?:,\d*)?\})[?+]?")
_LOOKAROUND = ("(?=", "(?!", "(?<=", "(?<!")
_LETTERS = re.compile(r"[A-Za-z0-9]*")


def required(alternative: str) -> list[str]:
    """The heads (three letters or more) of the literal words that start a word in every
    match of an alternative: its first word, and each later one that a run of spaces
    (``\\s+``, possibly then a gap) or ``\\b`` opens. "comptes?\\s+{gap}compromis"
    gives "compte" and "compromis"; a word inside a group, or after an optional element
    with no space before it, is not known to be there and is left out (so the list may be
    short, never wrong). Letters are read in lower case, as the keys of a text are."""
    heads: list[str] = []
    opened, index = True, 0  # a match starts a word (see Matcher.find)
    while index < len(alternative):
        rest = alternative[index:]
        if rest.startswith(_GAP):
            index += len(_GAP)  # empty, or ends with spaces: a word still starts next
            continue
        if rest.startswith((r"\s+", r"\b")):
            opened, index = True, index + (3 if rest[1] == "s" else 2)
            if rest[1] == "s" and alternative[index : index + 1] in ("?", "+"):
                index += 1  # lazy or possessive: still one space or more
            continue
        letters = _LETTERS.match(rest).group()  # type: ignore[union-attr]
        if letters:
            index += len(letters)
            quantifier = _QUANTIFIER.match(alternative, index)
            if quantifier:
                index = quantifier.end()
                if not quantifier.group().startswith("+"):
                    letters = letters[:-1]  # the last letter may be missing (or repeated)
            if opened and len(letters) >= 3:
                heads.append(letters.lower())
            opened = False
            continue
        if rest.startswith("("):
            end = _closing(rest)
            if end < 0:
                break
            index += end + 1
            if rest.startswith(_LOOKAROUND):
                continue  # zero-width: what comes next starts where this looked
        elif rest.startswith("\\"):
            index += 2
        elif rest.startswith("["):
            end = rest.find("]", 2 if rest.startswith("[^") or rest.startswith("[]") else 1)
            while end > 0 and rest[end - 1] == "\\" and rest[end - 2] != "\\":
                end = rest.find("]", end + 1)
            if end < 0:
                break
            index += end + 1
        elif rest[0] in "^$|)":
            break  # not expected in an alternative: stop with what is known
        else:
            index += 1  # one literal character that is not a letter
        quantifier = _QUANTIFIER.match(alternative, index)
        if quantifier:
            index = quantifier.end()
        opened = False
    return heads


def _depths(pattern: str) -> Iterator[tuple[int, str, int]]:
    """Each unescaped character of a pattern: its index, itself, and the parenthesis depth
    once it is read."""
    depth, index = 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        depth += char == "("
        depth -= char == ")"
        yield index, char, depth
        index += 1


def _closing(pattern: str) -> int:
    """Index of the parenthesis closing the one at index 0, or -1."""
    return next((index for index, _, depth in _depths(pattern) if depth == 0), -1)


def _split_top(pattern: str) -> list[str]:
    """The alternatives of a pattern, split on its top-level bars."""
    parts, start = [], 0
    for index, char, depth in _depths(pattern):
        if char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
    parts.append(pattern[start:])
    return parts


# A matcher's alternative: its regex, its tag, and the keys of the words it needs beside
# the one it is filed under.
_Part = tuple[re.Pattern[str], int, frozenset[str] | None]


@dataclass(frozen=True)
class Hit:
    tag: int  # which entry, kind, action... the alternative belongs to
    start: int
    end: int


class Matcher:
    """Whole-word matches of tagged alternatives, each run only if the text can hold it."""

    def __init__(self, tagged: Iterable[tuple[int, str]], cased: bool = False) -> None:
        self.cased = cased
        # Each part: its regex, its tag, and the keys of the words it needs beside the one
        # it is filed under (None when there are none).
        self.always: list[_Part] = []  # "ne", "a": in every text
        self.keyed: dict[str, list[_Part]] = {}
        seen: set[tuple[int, str]] = set()
        needed: set[str] = set()
        for tag, alternative in tagged:
            spread = (r for option in _split_top(expand(alternative)) for r in _distribute(option))
            for regex in spread:
                if (tag, regex) in seen:
                    continue
                seen.add((tag, regex))
                plain = regex.lower() if cased else regex
                lead = "" if _head(plain) else r"\b"
                pattern = re.compile(rf"{lead}(?:{regex})(?![\w])")
                # The first required word files the part; the others are checked as well,
                # so that "comptes? ... compromis" runs on a text with "compte" only when
                # a word also starts with "compr".
                keys = list(dict.fromkeys(head[:_KEY] for head in required(regex)))
                needed.update(keys)
                if not keys:
                    self.always.append((pattern, tag, None))
                    continue
                others = frozenset(keys[1:]) or None
                self.keyed.setdefault(keys[0], []).append((pattern, tag, others))
        self.filed = frozenset(self.keyed)
        self.keys = frozenset(needed)  # every key a text is looked up for

    def find(self, text: str, prefixes: frozenset[str]) -> list[Hit]:
        parts = list(self.always)
        for key in self.filed.intersection(prefixes):
            parts += self.keyed[key]
        hits: list[Hit] = []
        for pattern, tag, others in parts:
            if others is not None and not others <= prefixes:
                continue  # a word the alternative needs is missing from the text
            position = 0
            while match := pattern.search(text, position):
                start = match.start()
                if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
                    position = start + 1  # inside a word: "msa" in "emsa"
                    continue
                hits.append(Hit(tag, start, match.end()))
                position = max(match.end(), start + 1)
        hits.sort(key=lambda hit: (hit.start, hit.tag))
        return hits


def _alias_regex(alias: str, keep_case: bool) -> str:
    """A name as a regex: spaces and hyphens inside may be either or nothing; punctuation
    around it ("(Harmonie)") is not part of the name."""
    folded = _EDGES.sub("", fold_case_kept(alias) if keep_case else fold(alias))
    parts = [re.escape(part) for part in _SEP.split(folded) if part]
    return r"[\s-]*".join(parts)


@dataclass(frozen=True)
class Mention:
    slug: str
    start: int
    end: int


class Folded(Protocol):
    """What a :class:`NameFinder` reads of a document (the classifier's): its folded text,
    in lower case and with its case kept, and the keys its words start with."""

    text: str
    cased: str
    prefixes: frozenset[str]


class NameFinder:
    """Whole-word mentions of payers or organisations in folded text."""

    def __init__(self, entries: Sequence[Named]) -> None:
        self.slugs = tuple(entry.slug for entry in entries)
        self.lower = Matcher(self._tagged(entries, keep_case=False))
        self.cased = Matcher(self._tagged(entries, keep_case=True), cased=True)

    @staticmethod
    def _tagged(entries: Sequence[Named], keep_case: bool) -> Iterator[tuple[int, str]]:
        for index, entry in enumerate(entries):
            names = entry.match_case if keep_case else entry.aliases
            regexes = {_alias_regex(name, keep_case) for name in names} - {""}
            for regex in sorted(regexes, key=len, reverse=True):
                yield index, regex

    def find(self, doc: Folded) -> list[Mention]:
        hits = self.lower.find(doc.text, doc.prefixes)
        hits += self.cased.find(doc.cased, doc.prefixes)
        mentions = {(h.start, self.slugs[h.tag]): h.end for h in hits}
        found = [Mention(slug, start, end) for (start, slug), end in mentions.items()]
        found.sort(key=lambda m: m.start)
        return found
