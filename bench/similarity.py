"""The similar-notes matcher: precision and recall on the labelled set, and its cost per note.

    .venv/bin/python -m bench.similarity [--notes 10000] [--repeat 5]

Reads ``tests/data/similar_pairs.tsv`` (pairs of short village notes, labelled 1 when they
say the same), prints precision and recall at the chosen threshold per language and for a
few thresholds around it; then builds a theme of ``--notes`` notes from village words and
times one "lijkt dit op" question per new note (median with spread, and the load average)
and the grouping of the whole theme (/voortgang's groups, the exports).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from bench.harness import machine
from bot.village.similarity import THRESHOLD, ThemeIndex, similar

PAIRS = Path(__file__).resolve().parent.parent / "tests" / "data" / "similar_pairs.tsv"


@dataclass(frozen=True)
class Pair:
    same: bool
    language: str
    a: str
    b: str


@dataclass(frozen=True)
class Quality:
    precision: float
    recall: float
    pairs: int
    false_alarms: tuple[Pair, ...]
    missed: tuple[Pair, ...]


def load_pairs(path: Path = PAIRS) -> list[Pair]:
    """The labelled pairs, skipping the comment line."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        same, language, a, b = line.split("\t")
        pairs.append(Pair(same == "1", language, a, b))
    return pairs


def quality(pairs: list[Pair], threshold: float = THRESHOLD) -> Quality:
    """Precision and recall of "says the same" at a threshold."""
    said = [(pair, similar(pair.a, pair.b) >= threshold) for pair in pairs]
    hits = sum(1 for pair, yes in said if yes and pair.same)
    alarms = tuple(pair for pair, yes in said if yes and not pair.same)
    missed = tuple(pair for pair, yes in said if not yes and pair.same)
    positives = sum(1 for pair in pairs if pair.same)
    precision = hits / (hits + len(alarms)) if hits + len(alarms) else 1.0
    recall = hits / positives if positives else 1.0
    return Quality(precision, recall, len(pairs), alarms, missed)


WORDS = (
    "bankje bankjes speeltuin speelplek bomen boompjes fietspad verlichting lantaarnpaal "
    "dorpshuis ouderen jongeren markt bushalte bushokje school kerk park afvalbak "
    "hondenpoep drempel zebrapad stoep weg brug sloot plein winkel huisarts glasvezel "
    "woningen starters moestuin ijsbaan skatebaan koffieochtend wifi laadpaal auto fiets "
    "bloemen berm wandelroute picknicktafel water vijver bibliotheek feest zomer winter"
)
PLACES = "Dorpsstraat Kerkweg Molenpad Schoolstraat Dijk Brink Esch Veld Haven Hoek"


def village_note(rng: random.Random) -> str:
    """A made-up note of three to eight words."""
    words = rng.sample(WORDS.split(), rng.randint(2, 5))
    place = rng.choice(PLACES.split())
    return f"Graag {' en '.join(words)} bij de {place} {rng.randint(1, 99)}"


def cost(notes: int, repeat: int) -> None:
    """Time the question of a new note against a theme of this many notes."""
    rng = random.Random(15)
    index = ThemeIndex()
    started = time.perf_counter()
    for note_id in range(1, notes + 1):
        index.add(note_id, village_note(rng))
    built = time.perf_counter() - started
    questions = [village_note(rng) for _ in range(200)]
    per_note: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        for text in questions:
            index.similar(text)
        per_note.append((time.perf_counter() - started) / len(questions) * 1000)
    started = time.perf_counter()
    groups = index.groups()
    grouped = time.perf_counter() - started
    load = os.getloadavg()
    print(
        f"theme of {notes:,} notes: index built in {built:.2f} s; one question "
        f"median {statistics.median(per_note):.2f} ms "
        f"(min {min(per_note):.2f}, max {max(per_note):.2f}, {repeat} runs of "
        f"{len(questions)} notes); grouping the theme {grouped:.2f} s ({len(groups):,} groups); "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--show", action="store_true", help="print the wrong answers")
    args = parser.parse_args()
    print(machine())
    pairs = load_pairs()
    for language in ("nl", "en", None):
        chosen = [p for p in pairs if language is None or p.language == language]
        q = quality(chosen)
        print(
            f"{language or 'all'}: {q.pairs} pairs, threshold {THRESHOLD:.2f}: "
            f"precision {q.precision:.3f}, recall {q.recall:.3f}"
        )
    for threshold in (THRESHOLD - 0.1, THRESHOLD - 0.05, THRESHOLD + 0.05, THRESHOLD + 0.1):
        q = quality(pairs, threshold)
        print(f"  at {threshold:.2f}: precision {q.precision:.3f}, recall {q.recall:.3f}")
    if args.show:
        q = quality(pairs)
        for pair in q.false_alarms:
            print(f"  false alarm {similar(pair.a, pair.b):.2f}: {pair.a} | {pair.b}")
        for pair in q.missed:
            print(f"  missed {similar(pair.a, pair.b):.2f}: {pair.a} | {pair.b}")
    cost(args.notes, args.repeat)


if __name__ == "__main__":
    main()
