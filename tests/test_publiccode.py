"""publiccode.yml holds what the Standard for Public Code requires, and stays true to the code."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml

from bot.core.i18n import catalog

ROOT = Path(__file__).resolve().parent.parent


def _publiccode() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "publiccode.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_required_fields_are_there() -> None:
    data = _publiccode()
    for key in (
        "publiccodeYmlVersion",
        "name",
        "url",
        "platforms",
        "categories",
        "developmentStatus",
        "softwareType",
        "description",
        "legal",
        "maintenance",
        "localisation",
    ):
        assert key in data, key
    assert data["publiccodeYmlVersion"] == "0.4"
    assert data["developmentStatus"] in {"concept", "development", "beta", "stable", "obsolete"}
    assert data["maintenance"]["type"] in {"internal", "contract", "community", "none"}


def test_each_description_fits_the_standard_s_lengths() -> None:
    for language, text in _publiccode()["description"].items():
        assert len(text["shortDescription"]) <= 150, language
        assert 150 <= len(text["longDescription"]) <= 10_000, language
        assert text["features"], language


def test_version_licence_and_languages_match_the_project() -> None:
    data = _publiccode()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert data["softwareVersion"] == project["version"]
    assert data["legal"]["license"] == project["license"]
    # The licence's own text ships beside the code (the EUPL asks a copy to go with the Work).
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2")
    assert project["license"] == "EUPL-1.2"
    languages = data["localisation"]["availableLanguages"]
    assert sorted(languages) == sorted(
        p.name
        for p in (ROOT / "bot/core/locales").iterdir()
        if p.is_dir() and not p.name.startswith("_")
    )
    for language in languages:
        assert catalog(language)
