"""Which notes say nearly the same thing: the "lijkt dit op" question, Dubbel and the groups.

Pure and deterministic, no model: a note becomes a set of word stems (Snowball, Dutch or
English by the note's own small words), with the diminutive, plural and typo forms of a word
meeting in one stem, a short list of village synonyms, and the parts of Dutch compounds
("bushalte" / "halte"). Two notes are alike when most of each one's stems find a close stem
in the other (a soft overlap both ways), and neither says "geen" or "minder" where the other
does not. A wrong "lijkt dit op" is worse than a missed one, so the threshold leans strict:
``bench/similarity.py`` measures it on ``tests/data/similar_pairs.tsv``.

A ``ThemeIndex`` keeps one theme's notes in memory (an inverted index of stems, and of the
stems' letter trigrams for typos and compounds), so a new note is compared with the few notes
that share a stem, not with the whole board.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
from rapidfuzz.distance import OSA

THRESHOLD = 0.55
"""The score from which a note counts as saying the same (chosen on the labelled set)."""
INSIDE_WEIGHT = 0.25
"""How much one note found whole inside a longer one counts, beside both found in each other."""
GROUP_THRESHOLD = THRESHOLD
"""The score from which two notes land in one group."""

_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


def _wordset(text: str) -> frozenset[str]:
    """A set of words written as one string, as lists of small words read best."""
    return frozenset(text.split())


# Small words that carry no meaning of their own here. "meer"/"more" goes too: "meer bankjes"
# asks for the same as "bankjes". Negations are kept apart as polarity (below).
_STOP_NL = _wordset(
    """
    de het een en of maar dat die dit deze daar hier er is zijn was waren wordt worden word
    ben bent heb hebt heeft hebben had kan kun kunnen kunt mag mogen moet moeten wil willen
    zou zouden zal zullen gaat gaan ga doen doet graag ook nog al wel toch dan als om te voor
    van in op aan bij met naar uit over onder tot door tegen zonder na sinds tussen achter
    naast langs rond rondom ik je jij u we wij ze zij hij mijn jouw onze ons hun haar zijn
    me mij wat wie waar hoe waarom wanneer welke zo heel erg echt veel meer beetje iets
    alle alles elke ieder iedereen eens even weer nu soms altijd hele gewoon zoals dorp
    graag extra overal probleem iets organiseren kom bouwen echt heel wel zodat staat
    vind vinden denk denken lijkt mooi fijn leuk goed beter nodig gebeuren komt komen
    er's ons onze jullie men elkaar zelf zelfs daarom omdat want dus mee toe af
    """
)
_STOP_EN = _wordset(
    """
    the a an and or but that this these those there here is are was were be been being
    have has had can could may might must should would will shall do does did to for of
    in on at by with from into about over under up down out off near next than then so
    very really more much many some any all every i you we they he she it my your our
    their me us them what who where how why when which please also just still again now
    often always think like nice good better need needed would get got make more lot lots
    our there's it's let's its want wish village
    extra please everywhere problem could put
    """
)
_NEGATIONS = _wordset("geen niet nooit no not never without zonder")
# "minder X" and "X is een probleem" ask the same; only "minder" against "meer" disagrees.
_FEWER = _wordset("minder less fewer")
_MORE = _wordset("meer more extra vaker")
_DUTCH_MARKERS = _STOP_NL - _STOP_EN
_ENGLISH_MARKERS = _STOP_EN - _STOP_NL

# Words villagers use for one thing, after stemming: each maps to one stem. Kept to plain
# synonyms of the village's own vocabulary (never tuned pair by pair).
_SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("speeltuin", "speelplek", "speelplat", "speelplaat", "speelveld", "speelterrein"),
    ("bank", "zitbank", "bankj", "bench", "seat"),
    (
        "straatlicht",
        "lantaarnpaal",
        "straatlantaarn",
        "straatlamp",
        "straatverlicht",
        "verlicht",
        "lamp",
        "streetlight",
        "streetlamp",
        "light",
        "lighting",
    ),
    ("afvalbak", "prullenbak", "vuilnisbak", "afvalemmer", "bin"),
    (
        "afval",
        "zwerfafval",
        "zwerfvuil",
        "rommel",
        "vuilnis",
        "troep",
        "litter",
        "rubbish",
        "trash",
        "garbag",
    ),
    ("hondenpoep", "hondenstront", "hondepoep", "poep", "poo", "mess"),
    ("snel", "hardrijder", "hard", "fast", "speed", "speeder"),
    ("dorpshuis", "buurthuis", "ontmoetingsruimt", "centr"),
    ("jonger", "jeugd", "tiener", "young", "teen", "teenag", "youth", "youngster"),
    ("ouder", "senior", "bejaard", "bejaar", "elder", "elderly", "old"),
    ("winkel", "supermarkt", "shop", "store", "supermarket"),
    ("auto", "autos", "wagen", "car", "vehicl"),
    ("fiets", "rijwiel", "fietser", "bike", "bicycl", "cycl", "cyclist"),
    ("feest", "dorpsfeest", "buurtfeest", "straatfeest", "zomerfeest", "parti", "fete"),
    ("stoep", "trottoir", "pavement"),
    ("huisarts", "dokter", "arts", "doctor", "gp"),
    ("woning", "huis", "huiz", "home", "hous"),
    ("plek", "plat", "plaat", "plaats", "spot", "place"),
    ("bibliothek", "bibliotheek", "bieb", "minibieb", "librari"),
    ("aed", "defibrillator"),
    ("zebrapad", "oversteekplat", "oversteekplaat", "zebra", "crossing"),
    ("kind", "kinder", "kid", "child", "children"),
    ("wandelrout", "wandelpad", "ommetj", "walk", "footpath"),
    ("wifi", "internet"),
    ("laadpal", "laadpaal", "oplaadpunt", "laadpunt", "charger", "charg"),
    ("pinautomat", "pinautomaat", "geldautomat", "cash", "atm"),
    ("trapveld", "voetbalveld", "pitch"),
)
_SYNONYMS: dict[str, str] = {word: group[0] for group in _SYNONYM_GROUPS for word in group}
# Words of one language that mean something else in the other ("bank" is a bench in Dutch).
_FALSE_FRIENDS: frozenset[tuple[str, str]] = frozenset({("en", "bank")})
# Stems that say the opposite: two notes apart only by these ask for different things.
_OPPOSITES: tuple[frozenset[str], ...] = tuple(
    frozenset(pair)
    for pair in (
        ("weinig", "vaak"),
        ("open", "dicht"),
        ("ouder", "jonger"),
        ("rare", "often"),
        ("old", "young"),
        ("walk", "bicycl"),
        ("wandelrout", "fietsrout"),
        ("snel", "langzamer"),
        ("zomer", "winter"),
        ("summer", "winter"),
    )
)

_STEMMERS = {
    "nl": snowballstemmer.stemmer("dutch"),
    "en": snowballstemmer.stemmer("english"),
}
_DIMINUTIVE = re.compile(r"(?<=..)(?:etje|pje|tje|je)s?$")
_COMPOUND_PART = 4  # a compound's part must be this long to count on its own
_CANDIDATES = 40  # notes scored in full per question, the best by a quick first count


@dataclass(frozen=True, slots=True)
class Words:
    """A note as the matcher sees it: its stems, their first written forms, its polarity."""

    stems: frozenset[str]
    surface: tuple[tuple[str, str], ...]  # (stem, the word as written), in order
    negated: bool  # says "geen", "niet", "not"
    direction: int = 0  # -1 asks for less ("minder"), 1 for more ("meer"), 0 neither
    forms: Mapping[str, str] = field(default_factory=dict)  # stem -> first word written

    def written(self, stem: str) -> str:
        """The first word of the note that became this stem."""
        return self.forms.get(stem, stem)


@dataclass(frozen=True, slots=True)
class Match:
    """A note of the board that says nearly the same as the one asked about."""

    note_id: int
    score: float


@dataclass(frozen=True, slots=True)
class Group:
    """Notes that say nearly the same, labelled by the words they share."""

    label: tuple[str, ...]
    note_ids: tuple[int, ...]  # oldest (lowest id) first


def _fold(text: str) -> str:
    """Lower case without accents: "café" and "cafe", "één" and "een" meet."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    # "wi-fi" and "wifi", "e-bike" and "ebike", "jeu-de-boulesbaan" and "jeudeboulesbaan".
    return _HYPHEN.sub("", folded)


def language_of(words: Sequence[str]) -> str:
    """Dutch or English, by the small words a note uses; Dutch when it does not say."""
    english = sum(1 for word in words if word in _ENGLISH_MARKERS)
    dutch = sum(1 for word in words if word in _DUTCH_MARKERS)
    return "en" if english > dutch else "nl"


@lru_cache(maxsize=65536)
def _stem(word: str, lang: str) -> str:
    if lang == "nl":
        word = _DIMINUTIVE.sub("", word) if len(word) > 5 else word
    stem: str = _STEMMERS[lang].stemWord(word)
    if (lang, stem) in _FALSE_FRIENDS:
        return stem
    return _SYNONYMS.get(stem, stem)


def words_of(text: str) -> Words:
    """The stems of a note, without the small words; "geen"/"not" noted apart."""
    folded = [w.replace("’", "'") for w in _WORD.findall(_fold(text))]
    lang = language_of(folded)
    stop = _STOP_NL | _STOP_EN
    negated = False
    direction = 0
    surface: list[tuple[str, str]] = []
    for word in folded:
        if word in _NEGATIONS:
            negated = True
            continue
        if word in _FEWER:
            direction = -1
            continue
        if word in _MORE and direction == 0:
            direction = 1
        bare = word.replace("'", "")
        # Numbers stay (house numbers, "idee 1" and "idee 2"), matched only exactly.
        if word in stop or bare in stop or (len(bare) < 2 and not bare.isdigit()):
            continue
        surface.append((_stem(bare, lang), word))
    forms: dict[str, str] = {}
    for stem, word in surface:
        forms.setdefault(stem, word.replace("'", ""))
    return Words(frozenset(forms), tuple(surface), negated, direction, forms)


@lru_cache(maxsize=262144)
def stem_similarity(a: str, b: str) -> float:
    """How close two stems are: the same, a typo apart, or one a part of the other's compound."""
    if a == b:
        return 1.0
    if a.isdigit() or b.isdigit():
        return 0.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 5:
        allowed = 1 if len(long_) < 9 else 2
        if abs(len(a) - len(b)) <= allowed and OSA.distance(a, b, score_cutoff=allowed) <= allowed:
            return 0.9
    if len(short) >= _COMPOUND_PART and len(long_) - len(short) >= 3:
        if long_.endswith(short):  # "bushalte" is a "halte": the head of the compound
            return 0.8
        if long_.startswith(short):  # "fietspad" is about a "fiets", less surely the same
            return 0.6
    return 0.0


def _close(x: str, y: str, a: Words, b: Words) -> float:
    """Stems compared, and their written words too: a typo can change what a stem becomes."""
    value = stem_similarity(x, y)
    if value < 0.9:
        value = max(value, _typo(a.written(x), b.written(y)))
    return value


@lru_cache(maxsize=262144)
def _typo(a: str, b: str) -> float:
    """0.9 when two written words are a typo apart ("comunity", "community"), else 0."""
    if min(len(a), len(b)) < 5 or a.isdigit() or b.isdigit():
        return 0.0
    allowed = 1 if max(len(a), len(b)) < 9 else 2
    if abs(len(a) - len(b)) <= allowed and OSA.distance(a, b, score_cutoff=allowed) <= allowed:
        return 0.9
    return 0.0


def _bound(a: Words, b: Words, found: float) -> float:
    """The most score() can give two notes whose stems found each other at most this much."""
    both = (min(found, len(a.stems)) + min(found, len(b.stems))) / (len(a.stems) + len(b.stems))
    inside = min(1.0, found / min(len(a.stems), len(b.stems)))
    return (1 - INSIDE_WEIGHT) * both + INSIDE_WEIGHT * inside


def _numbers(words: Words) -> frozenset[str]:
    return frozenset(stem for stem in words.stems if stem.isdigit())


def _opposed(a: Words, b: Words) -> bool:
    """One note says a word whose opposite the other says (and not the word itself)."""
    only_a, only_b = a.stems - b.stems, b.stems - a.stems
    return any(
        len(pair & only_a) == 1 and len(pair & only_b) == 1 and pair & only_a != pair & only_b
        for pair in _OPPOSITES
    )


def score(a: Words, b: Words) -> float:
    """How much two notes say the same, from 0 to 1: each one's stems found in the other."""
    if not a.stems or not b.stems:
        return 0.0
    pairs = {(x, y): _close(x, y, a, b) for x in a.stems for y in b.stems}
    found_a = sum(max(pairs[x, y] for y in b.stems) for x in a.stems)
    found_b = sum(max(pairs[x, y] for x in a.stems) for y in b.stems)
    both = (found_a + found_b) / (len(a.stems) + len(b.stems))
    # One short note inside a longer one ("pannakooi" / "pannakooitje bij de school") counts
    # half as much as both saying all of it.
    inside = max(found_a / len(a.stems), found_b / len(b.stems))
    value = (1 - INSIDE_WEIGHT) * both + INSIDE_WEIGHT * inside
    if a.negated != b.negated or a.direction * b.direction < 0 or _opposed(a, b):
        value *= 0.5
    elif _numbers(a) and _numbers(b) and _numbers(a) != _numbers(b):
        # "Dorpsstraat 12" and "Dorpsstraat 14" are two places, "idee 1" and "idee 2" two ideas.
        value *= 0.5
    return value


def similar(text_a: str, text_b: str) -> float:
    """The score of two texts (for the labelled set and the tests)."""
    return score(words_of(text_a), words_of(text_b))


def _trigrams(stem: str) -> set[str]:
    padded = f"<{stem}>"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class ThemeIndex:
    """One theme's notes in memory, for quick questions about a new note."""

    def __init__(self) -> None:
        self._words: dict[int, Words] = {}
        self._postings: dict[str, set[int]] = defaultdict(set)
        self._grams: dict[str, set[str]] = defaultdict(set)
        self._near: dict[str, dict[str, float]] = {}  # _related() per stem, until a new stem

    def __len__(self) -> int:
        return len(self._words)

    def __contains__(self, note_id: object) -> bool:
        return note_id in self._words

    def add(self, note_id: int, text: str) -> None:
        """Put a note in the index (again, when its words changed)."""
        self.remove(note_id)
        words = words_of(text)
        self._words[note_id] = words
        for stem in words.stems:
            if stem not in self._postings:
                self._near.clear()
                for gram in _trigrams(stem):
                    self._grams[gram].add(stem)
            self._postings[stem].add(note_id)

    def remove(self, note_id: int) -> None:
        """Take a note out of the index (its stems' trigrams stay: harmless, cheap)."""
        words = self._words.pop(note_id, None)
        if words is None:
            return
        for stem in words.stems:
            ids = self._postings.get(stem)
            if ids is not None:
                ids.discard(note_id)
                if not ids:
                    del self._postings[stem]
                    self._near.clear()

    def _related(self, stem: str) -> dict[str, float]:
        """The stems of the index close to this one, with how close."""
        known = self._near.get(stem)
        if known is not None:
            return known
        shared: Counter[str] = Counter()
        grams = _trigrams(stem)
        for gram in grams:
            shared.update(self._grams.get(gram, ()))
        # A typo keeps most trigrams; a compound part keeps all of its own.
        need = max(1, (len(stem) - 1) // 2)
        out: dict[str, float] = {}
        for other, count in shared.items():
            if other in self._postings and count >= need:
                value = stem_similarity(stem, other)
                if value > 0:
                    out[other] = value
        if len(self._near) > 10_000:
            self._near.clear()
        self._near[stem] = out
        return out

    def similar(
        self,
        text: str,
        *,
        exclude: Collection[int] = (),
        threshold: float = THRESHOLD,
        limit: int = 1,
    ) -> list[Match]:
        """The notes most like this text, best first (ties: the older note first)."""
        return self.similar_words(words_of(text), exclude=exclude, threshold=threshold, limit=limit)

    def similar_words(
        self,
        words: Words,
        *,
        exclude: Collection[int] = (),
        threshold: float = THRESHOLD,
        limit: int = 1,
    ) -> list[Match]:
        """As similar(), for words already read."""
        if not words.stems:
            return []
        rough: dict[int, float] = defaultdict(float)
        for stem in words.stems:
            for other, value in self._related(stem).items():
                for note_id in self._postings[other]:
                    rough[note_id] += value
        for note_id in exclude:
            rough.pop(note_id, None)
        best = heapq.nsmallest(_CANDIDATES, rough.items(), key=lambda item: (-item[1], item[0]))
        scored = [
            Match(note_id, score(words, self._words[note_id]))
            for note_id, found in best
            if _bound(words, self._words[note_id], found) >= threshold
        ]
        kept = [m for m in scored if m.score >= threshold]
        kept.sort(key=lambda m: (-m.score, m.note_id))
        return kept[:limit]

    def ranked(self, text: str, *, exclude: Collection[int] = ()) -> list[Match]:
        """Every note sharing a stem with this text, most alike first (for Dubbel)."""
        return self.similar(text, exclude=exclude, threshold=0.01, limit=len(self._words))

    def groups(self, threshold: float = GROUP_THRESHOLD) -> list[Group]:
        """The notes in groups of alike ones, largest first; the same notes, the same groups."""
        parent = {note_id: note_id for note_id in self._words}

        def root(note_id: int) -> int:
            while parent[note_id] != note_id:
                parent[note_id] = parent[parent[note_id]]
                note_id = parent[note_id]
            return note_id

        for note_id in sorted(self._words):
            for match in self.similar_words(
                self._words[note_id], exclude=(note_id,), threshold=threshold, limit=10
            ):
                low, high = sorted((root(note_id), root(match.note_id)))
                parent[high] = low
        members: dict[int, list[int]] = defaultdict(list)
        for note_id in sorted(self._words):
            members[root(note_id)].append(note_id)
        groups = [Group(self._label(ids), tuple(ids)) for ids in members.values()]
        groups.sort(key=lambda g: (-len(g.note_ids), g.note_ids[0]))
        return groups

    def _label(self, note_ids: Sequence[int], most: int = 3) -> tuple[str, ...]:
        """The words most of a group's notes share, as the oldest note wrote them."""
        counts: Counter[str] = Counter()
        written: dict[str, str] = {}
        for note_id in note_ids:
            words = self._words[note_id]
            counts.update(words.stems)
            for stem, word in words.surface:
                written.setdefault(stem, word)
        half = max(1, (len(note_ids) + 1) // 2)
        shared = [stem for stem, n in counts.items() if n >= half]
        shared.sort(key=lambda stem: (-counts[stem], written[stem]))
        return tuple(written[stem] for stem in shared[:most])


def index_of(notes: Iterable[tuple[int, str]]) -> ThemeIndex:
    """An index of (note id, text) pairs."""
    index = ThemeIndex()
    for note_id, text in notes:
        index.add(note_id, text)
    return index


def group_notes(notes: Iterable[tuple[int, str]]) -> list[Group]:
    """The groups of a theme's notes, largest first, each listing every note in it."""
    return index_of(notes).groups()
