"""The demo's config and the files of its data folder, the same for `buurtbot demo` and export."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from bot.core.config import Config, ConfigError, parse_config

DEMO_TOKEN = "4242424242:buurtbot-demo-token-for-the-local-playground"
DATABASE = "buurtbot-demo.sqlite3"
LOG = "buurtbot-demo.log"
FILES = "files"
# The playground's next update and message ids, so that a reopened demo plays on after them.
COUNTERS = "playground.json"


def _config_data(config_path: Path | None) -> dict[str, Any]:
    if config_path is not None:
        try:
            with config_path.open("rb") as handle:
                return tomllib.load(handle)
        except FileNotFoundError as exc:
            raise ConfigError(f"{config_path}: file not found") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{config_path}: invalid TOML: {exc}") from exc
    text = resources.files("bot").joinpath("demo.toml").read_text("utf-8")
    return tomllib.loads(text)


def demo_config(config_path: Path | None, folder: Path, playground_url: str | None) -> Config:
    """The demo municipality (or the one in config_path) with its database in folder."""
    data = _config_data(config_path)
    if playground_url is not None:
        data["telegram"] = {
            "base_url": f"{playground_url}/bot",
            "base_file_url": f"{playground_url}/file/bot",
            "poll_timeout": 5,
        }
    else:
        data.pop("telegram", None)
    # Absolute, so that a relative --data is not counted from the data folder a second time.
    data["storage"] = {"path": str(folder.resolve() / DATABASE)}
    return parse_config(data, base_dir=folder.resolve(), token=DEMO_TOKEN, source=config_path)
