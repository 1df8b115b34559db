"""The matcher of alike notes: its quality on the labelled set, and the Dutch it must read."""

from __future__ import annotations

from pathlib import Path

from bench.similarity import load_pairs, quality
from bot.village.similarity import THRESHOLD, ThemeIndex, group_notes, similar


def test_labelled_set_is_big_enough() -> None:
    pairs = load_pairs()
    assert sum(1 for p in pairs if p.language == "nl") >= 300
    assert sum(1 for p in pairs if p.language == "en") >= 100
    assert {p.same for p in pairs} == {True, False}


def test_precision_and_recall_on_the_labelled_set() -> None:
    q = quality(load_pairs())
    assert q.precision >= 0.9, q.false_alarms
    assert q.recall >= 0.6


def test_dutch_forms_meet() -> None:
    assert similar("bankje bij de kerk", "Bankjes bij de kerk") >= THRESHOLD
    assert similar("meer banken bij de kerk", "een bankje bij de kerk") >= THRESHOLD
    assert similar("speeltuin bij de school", "speelplek bij de school") >= THRESHOLD
    assert similar("een speeltuin bij de scohol", "bij de school een speeltuin") >= THRESHOLD


def test_near_misses_stay_apart() -> None:
    assert similar("bankje bij de bushalte", "bushokje bij de bank") < THRESHOLD
    assert similar("geen windmolens", "windmolens bij het dorp") < THRESHOLD
    assert similar("bankje bij de kerk", "bankje bij de school") < THRESHOLD


def test_index_excludes_and_orders() -> None:
    index = ThemeIndex()
    index.add(1, "Een bankje bij de kerk")
    index.add(2, "Een speeltuin bij de school")
    index.add(3, "Bankjes bij de kerk graag")
    found = index.similar("bankje bij de kerk", limit=5)
    assert [m.note_id for m in found] == [1, 3]
    assert [m.note_id for m in index.similar("bankje bij de kerk", exclude={1})] == [3]
    index.remove(3)
    assert 3 not in index
    assert {m.note_id for m in index.ranked("speeltuin bij de kerk")} == {1, 2}


def test_groups_are_deterministic_and_largest_first() -> None:
    notes = [
        (1, "Een speeltuin bij de school"),
        (2, "Betere verlichting op het fietspad"),
        (3, "Speelplek bij de school"),
        (4, "Speeltuintje naast de school"),
        (5, "Straatverlichting langs het fietspad"),
        (6, "Een markt op zaterdag"),
    ]
    groups = group_notes(notes)
    assert groups == group_notes(list(reversed(notes)))
    assert [g.note_ids for g in groups] == [(1, 3, 4), (2, 5), (6,)]
    assert "school" in groups[0].label


async def test_the_index_in_memory_follows_storage(tmp_path: Path) -> None:
    """A note hidden, changed or added elsewhere (another replica) is seen at the next question."""
    from bot.services.similar_notes import SimilarNotes
    from storage.models import MUNICIPALITY, NoteKind, NoteStatus, Quadrant, ThemeStatus
    from tests.backends import new_repository

    repo = new_repository(tmp_path / "bot.sqlite3")
    await repo.open()
    try:
        await repo.ensure_resident(1, "nl")
        await repo.ensure_resident(2, "nl")
        theme = await repo.create_theme(
            title="Groen",
            invitation="",
            question="",
            place=MUNICIPALITY,
            status=ThemeStatus.ACTIVE,
            starts_on=None,
            ends_on=None,
        )
        similar = SimilarNotes(repo)

        async def add(author: int, text: str, status: NoteStatus) -> int:
            note = await repo.add_note(
                theme_id=theme.id,
                author_id=author,
                kind=NoteKind.TEXT,
                text=text,
                file_id=None,
                quadrant=Quadrant.WISH,
                status=status,
                source_update_id=None,
            )
            return note.id

        bench = await add(1, "Een bankje bij de kerk", NoteStatus.VISIBLE)
        await add(1, "Een speeltuin bij de school", NoteStatus.PENDING)
        assert (await similar.alike(theme.id, "bankjes bij de kerk", writer=2)) is not None
        assert await similar.alike(theme.id, "bankjes bij de kerk", writer=1) is None  # own
        assert await similar.alike(theme.id, "speeltuin bij de school", writer=2) is None
        await repo.set_note_quadrant(bench, Quadrant.WISH, NoteStatus.HIDDEN)
        assert await similar.alike(theme.id, "bankjes bij de kerk", writer=2) is None
        await repo.set_note_text(bench, "Een markt op zaterdag")
        await repo.set_note_quadrant(bench, Quadrant.WISH, NoteStatus.VISIBLE)
        found = await similar.alike(theme.id, "markt op zaterdag", writer=2)
        assert found is not None and found.note_id == bench
    finally:
        await repo.close()
