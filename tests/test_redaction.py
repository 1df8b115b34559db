"""Finding and taking out contact details from a note."""

from __future__ import annotations

import pytest

from bot.village.redaction import PLACEHOLDER, apply, candidates, find_all, merge, uncovered


def pieces(text: str) -> list[str]:
    return [text[a:b] for a, b in candidates(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bel me op 06-12345678 voor info", ["06-12345678"]),
        ("Mijn nummer: +31 6 1234 5678.", ["+31 6 1234 5678"]),
        ("Mail naar piet.jansen@example.nl graag", ["piet.jansen@example.nl"]),
        ("Ik woon op de Kerkstraat 12a in 6865 AB", ["Kerkstraat 12a", "6865 AB"]),
        ("Bij Utrechtseweg 5 is een bankje", ["Utrechtseweg 5"]),
        ("Op 12-03-2027 om 14:00 in 2027 met 25 mensen", []),
        ("Meer bankjes langs het pad 3 keer per week", []),
    ],
)
def test_candidates(text: str, expected: list[str]) -> None:
    assert pieces(text) == expected


def test_find_all_ignores_case_and_spacing() -> None:
    text = "Piet de Vries zei: vraag piet  de vries maar"
    assert [text[a:b] for a, b in find_all(text, "Piet de Vries")] == [
        "Piet de Vries",
        "piet  de vries",
    ]
    assert find_all(text, " x ") == []
    assert find_all(text, "Jan") == []


def test_apply_keeps_the_rest() -> None:
    text = "Bel Piet op 06-12345678, groet Piet"
    spans = [*find_all(text, "piet"), *candidates(text)]
    assert apply(text, spans) == f"Bel {PLACEHOLDER} op {PLACEHOLDER}, groet {PLACEHOLDER}"
    assert apply(text, []) == text


def test_merge_and_uncovered() -> None:
    assert merge([(5, 8), (0, 3), (2, 4), (8, 9)]) == [(0, 4), (5, 9)]
    assert uncovered([(0, 2), (5, 7), (9, 12)], [(6, 10)]) == [(0, 2)]


def test_contact_details_in_names_each_kind() -> None:
    from bot.village.redaction import ContactKind, contact_details_in, without_contact_details

    text = "Bel me op 06-12345678 of mail sanne@example.org, Dorpsstraat 12, 6865 AB"
    assert contact_details_in(text) == [
        ContactKind.PHONE,
        ContactKind.EMAIL,
        ContactKind.POSTCODE,
        ContactKind.ADDRESS,
    ]
    assert contact_details_in("Meer bankjes bij de kerk") == []
    assert without_contact_details("Bel 06-12345678 graag") == "Bel […] graag"
