"""Contacts: French phone numbers and e-mail addresses, normalised, in order."""

from __future__ import annotations

import pytest

from aggregator.understand.classify import Classifier
from aggregator.understand.contacts import contacts, normalise_phone

CLASSIFIER = Classifier()


@pytest.mark.parametrize(
    "written",
    [
        "0805 62 00 10",
        "08 05 62 00 10",
        "0805620010",
        "08.05.62.00.10",
        "08-05-62-00-10",
        "+33 805 62 00 10",
        "+33 (0)8 05 62 00 10",
        "+338 05 62 00 10",
        "0033 8 05 62 00 10",
        "0805\u00a062\u00a000\u00a010",
        "0 805 62 00 10",
    ],
)
def test_phone_numbers_in_any_spacing_are_normalised(written: str) -> None:
    text = f"Une ligne gratuite est ouverte au {written}, du lundi au vendredi."
    assert CLASSIFIER.classify("Numéro vert", text).contacts == ("0805 62 00 10",)


def test_numero_vert_keeps_its_number() -> None:
    text = "Numéro vert : 0800 12 34 56 (appel gratuit)."
    assert contacts(text) == ("0800 12 34 56",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Standard : 01 23 45 67 89.", ("01 23 45 67 89",)),
        ("Portable : 06.12.34.56.78", ("06 12 34 56 78",)),
        ("Écrire à Support-Officines@Exemple.fr.", ("support-officines@exemple.fr",)),
        ("Contact : a.b+pharma@mail.exemple.org ou 0805 62 00 10", None),
        ("Le 12/11/2025 à 15:00, lot 2025110315 rejeté.", ()),
        ("SIRET 12345678901234 ; commande 0123456789012.", ()),
        ("Plus de 33 000 000 d'assurés concernés.", ()),
        ("Courriel invalide : @exemple.fr ou nom@", ()),
    ],
)
def test_contacts_are_phones_and_emails_only(text: str, expected: tuple[str, ...] | None) -> None:
    if expected is None:
        expected = ("a.b+pharma@mail.exemple.org", "0805 62 00 10")
    assert contacts(text) == expected


def test_contacts_are_deduplicated_in_order_of_appearance() -> None:
    text = "Appelez le 08 05 62 00 10 ou écrivez à aide@exemple.fr ; rappel : 0805620010."
    assert contacts(text) == ("0805 62 00 10", "aide@exemple.fr")


def test_normalise_phone_groups_other_numbers_by_two() -> None:
    assert normalise_phone("0987654321") == "09 87 65 43 21"
