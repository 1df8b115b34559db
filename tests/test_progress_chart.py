from __future__ import annotations

import io
import time
from dataclasses import replace

import pytest
from PIL import Image, ImageChops

from bot.render.progress_chart import CHART_SIZE, Progress, render_progress_chart

PROGRESS = Progress(
    title="Samen wonen, jong en oud",
    involved=47,
    involved_new_this_week=5,
    notes_per_quadrant={"wish": 18, "example": 7, "possibility": 11, "question": 4},
    tables=3,
    commitments=12,
    examples=6,
    moments_held=2,
)

ZERO = Progress(
    title="Gezond Doorwerth",
    involved=0,
    involved_new_this_week=0,
    notes_per_quadrant={"wish": 0, "example": 0, "possibility": 0, "question": 0},
    tables=0,
    commitments=0,
    examples=0,
    moments_held=0,
)


def _image(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def _differ(a: bytes, b: bytes) -> bool:
    return (
        ImageChops.difference(_image(a).convert("RGB"), _image(b).convert("RGB")).getbbox()
        is not None
    )


@pytest.mark.parametrize("language", ["nl", "en"])
def test_chart_is_a_square_png(language: str) -> None:
    png = render_progress_chart(PROGRESS, language=language)

    image = _image(png)
    assert image.format == "PNG"
    assert image.size == (CHART_SIZE, CHART_SIZE) == (1080, 1080)


def test_zero_progress_renders_a_full_chart() -> None:
    image = _image(render_progress_chart(ZERO)).convert("RGB")

    assert image.size == (1080, 1080)
    # Four coloured cards with text, not a blank or half-drawn picture.
    colours = image.getcolors(maxcolors=1_000_000)
    assert colours is not None
    assert len(colours) > 50


def test_missing_quadrants_count_as_zero() -> None:
    empty = replace(ZERO, notes_per_quadrant={})

    assert not _differ(render_progress_chart(empty), render_progress_chart(ZERO))


@pytest.mark.parametrize(
    "change",
    [
        {"involved": 48},
        {"involved_new_this_week": 0},
        {"notes_per_quadrant": {"wish": 18, "example": 7, "possibility": 11, "question": 40}},
        {"tables": 4},
        {"commitments": 13},
        {"examples": 7},
        {"moments_held": 3},
        {"title": "Hart voor elkaar"},
    ],
)
def test_different_numbers_give_different_images(change: dict[str, object]) -> None:
    changed = replace(PROGRESS, **change)  # type: ignore[arg-type]

    assert _differ(render_progress_chart(PROGRESS), render_progress_chart(changed))


def test_english_differs_from_dutch() -> None:
    assert _differ(
        render_progress_chart(PROGRESS, language="nl"),
        render_progress_chart(PROGRESS, language="en"),
    )


def test_same_progress_gives_the_same_image() -> None:
    assert render_progress_chart(PROGRESS) == render_progress_chart(PROGRESS)


@pytest.mark.parametrize(
    "progress",
    [
        replace(PROGRESS, title="Gezond Doorwerth 🌳 <3 & > " * 20),
        replace(PROGRESS, title=""),
        replace(PROGRESS, title="مرحبا \u202e\x00\ud800 中文 e\u0301" * 10),
        replace(
            PROGRESS,
            involved=10**12,
            involved_new_this_week=999_999,
            notes_per_quadrant={"wish": 10**9, "example": 1, "possibility": 0, "question": 5},
            tables=123_456_789,
            commitments=1,
            examples=10**15,
            moments_held=1_000_000,
        ),
        replace(
            PROGRESS,
            involved=-3,
            involved_new_this_week=-1,
            notes_per_quadrant={"wish": -5, "other": 9},
            tables=-1,
        ),
    ],
    ids=["emoji-long", "empty", "scripts", "huge", "negative"],
)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_odd_input_still_renders(progress: Progress, language: str) -> None:
    image = _image(render_progress_chart(progress, language=language))

    assert image.size == (1080, 1080)


def test_negative_counts_show_as_zero() -> None:
    negative = replace(
        ZERO,
        involved=-3,
        involved_new_this_week=-1,
        notes_per_quadrant={"wish": -5},
        tables=-1,
        commitments=-2,
        examples=-7,
        moments_held=-1,
    )

    assert not _differ(render_progress_chart(negative), render_progress_chart(ZERO))


def test_rendering_is_quick() -> None:
    render_progress_chart(PROGRESS)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        render_progress_chart(PROGRESS)
        times.append(time.perf_counter() - start)
    assert min(times) < 0.5
