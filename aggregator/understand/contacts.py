"""Contacts: the French phone numbers and e-mail addresses an item gives, normalised.

Plain patterns over the original text (not folded), with no vocabulary: apart from the
classifier, which lists them on every item it tags.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]{1,63}"
    r"(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}(?![\w-])"
)
# Starts with a character class so the engine scans for "+" and "0" quickly; the lookbehind
# right after keeps numbers out of longer digit runs and words.
_INTL = r"\s?33[\s.\-]?(?:\(0\)[\s.\-]?)?"
_PHONE = re.compile(
    rf"[+0](?<![\w+][+0])(?:(?<=\+){_INTL}|(?<=0)0{_INTL}|(?<=0)[\s.\-]?(?=[1-9]))"
    r"([1-9](?:[\s.\-]?\d){8})(?![\s.\-]?\d)(?!\w)"
)


def normalise_phone(digits: str) -> str:
    """A French number in the usual grouping: "0805 62 00 10", "01 23 45 67 89".

    >>> normalise_phone("+33 (0)8 05 62 00 10")
    '0805 62 00 10'
    """
    only = re.sub(r"\D", "", digits)
    if only.startswith("0033"):
        only = only[2:]
    if only.startswith("33"):
        only = "0" + only[2:].removeprefix("0")
    if only.startswith("08"):
        return f"{only[:4]} {only[4:6]} {only[6:8]} {only[8:10]}"
    return " ".join(only[i : i + 2] for i in range(0, 10, 2))


def contacts(text: str) -> tuple[str, ...]:
    """French phone numbers (normalised) and e-mail addresses (lower case), in order."""
    found = [(m.start(), normalise_phone("0" + m.group(1))) for m in _PHONE.finditer(text)]
    if "@" in text:
        found += [(m.start(), m.group(0).lower()) for m in _EMAIL.finditer(text)]
    found.sort()
    return tuple(dict.fromkeys(value for _, value in found))
