"""Config for running at scale: [storage] url (PostgreSQL) and [telegram.webhook]."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.backends import repository_for
from bot.core.config import Config, ConfigError, load_config
from storage.sqlite import SqliteRepository
from tests.process import ROOT, env_with

MINIMAL = '[municipality]\nname = "Renkum"\n'
HOOK = """
[telegram.webhook]
url = "https://buurtbot.renkum.nl/telegram/update"
listen = "0.0.0.0"
port = 8080
secret_token = "Zeer_geheim-123"
max_connections = 60
"""


def load(tmp_path: Path, text: str, **env: str) -> Config:
    path = tmp_path / "buurtbot.toml"
    path.write_text(MINIMAL + text, encoding="utf-8")
    return load_config(path, env=env)


def error(tmp_path: Path, text: str, **env: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text, **env)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_the_webhook_section(tmp_path: Path) -> None:
    config = load(tmp_path, HOOK)
    webhook = config.telegram.webhook
    assert webhook is not None
    assert webhook.url == "https://buurtbot.renkum.nl/telegram/update"
    assert webhook.path == "/telegram/update"  # the URL's own path, unless path is set
    assert (webhook.listen, webhook.port, webhook.max_connections) == ("0.0.0.0", 8080, 60)
    assert webhook.secret_token == "Zeer_geheim-123"
    assert "Zeer_geheim" not in repr(config)


def test_the_secret_may_come_from_the_environment(tmp_path: Path) -> None:
    text = '[telegram.webhook]\nurl = "https://bot.example.org/"\npath = "/hook"\n'
    config = load(tmp_path, text, BUURTBOT_WEBHOOK_SECRET="uit-de-omgeving")
    webhook = config.telegram.webhook
    assert webhook is not None
    assert webhook.secret_token == "uit-de-omgeving"
    assert (webhook.path, webhook.listen, webhook.port) == ("/hook", "127.0.0.1", 8443)
    assert load(tmp_path, "").telegram.webhook is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[telegram.webhook]\nsecret_token = "x"\n',
            "telegram.webhook.url: missing",
        ),
        (
            '[telegram.webhook]\nurl = "http://bot.example.org/"\nsecret_token = "x"\n',
            "telegram.webhook.url: Telegram delivers only to https:// addresses, got "
            '"http://bot.example.org/"',
        ),
        (
            '[telegram.webhook]\nurl = "https://bot.example.org/"\n',
            "telegram.webhook.secret_token: missing; set it (or BUURTBOT_WEBHOOK_SECRET) so "
            "that only Telegram can deliver updates",
        ),
        (
            '[telegram.webhook]\nurl = "https://b.example.org/"\nsecret_token = "met spatie"\n',
            "telegram.webhook.secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and - (as "
            "Telegram requires)",
        ),
        (
            '[telegram.webhook]\nurl = "https://b.example.org/"\nsecret_token = "x"\n'
            "port = 70000\n",
            "telegram.webhook.port: must be between 0 and 65535, got 70000",
        ),
        (
            '[telegram.webhook]\nurl = "https://b.example.org/"\nsecret_token = "x"\n'
            'path = "/health"\n',
            'telegram.webhook.path: expected a path starting with / (not /health), got "/health"',
        ),
        (
            '[telegram.webhook]\nurl = "https://b.example.org/"\nsecret_token = "x"\nhost = 1\n',
            "telegram.webhook.host: unknown key (known: url, path, listen, port, secret_token, "
            "max_connections)",
        ),
        (
            '[storage]\npath = "x.sqlite3"\nurl = "postgresql://db/buurtbot"\n',
            "storage: set path (SQLite) or url (PostgreSQL), not both",
        ),
        (
            '[storage]\nurl = "mysql://user:geheim@db/buurtbot"\n',
            "storage.url: expected a URL starting with postgresql://",
        ),
        (
            '[storage]\nurl = "postgresql://db/buurtbot"\npool_size = 2\n',
            "storage.pool_size: must be between 3 and 100, got 2",
        ),
    ],
)
def test_mistakes_are_one_line(tmp_path: Path, text: str, expected: str) -> None:
    assert error(tmp_path, text) == expected


def test_a_url_selects_postgresql_and_never_shows_its_password(tmp_path: Path) -> None:
    url = "postgresql://buurtbot:geheim@db.internal:5432/buurtbot"
    config = load(tmp_path, f'[storage]\nurl = "{url}"\npool_size = 20\n')
    storage = config.storage
    assert (storage.url, storage.pool_size) == (url, 20)
    assert "geheim" not in repr(config)
    repo = repository_for(storage)
    assert type(repo).__name__ == "PostgresRepository"
    # The environment wins, so the password can stay out of the file.
    other = "postgresql://buurtbot@elsewhere/buurtbot"
    assert load(tmp_path, "", BUURTBOT_DATABASE_URL=other).storage.url == other
    assert "geheim" not in error(tmp_path, "", BUURTBOT_DATABASE_URL="mysql://x:geheim@db/b")
    # A path (or nothing) keeps SQLite.
    plain = load(tmp_path, "").storage
    assert plain.url is None
    assert isinstance(repository_for(plain), SqliteRepository)


def test_run_webhook_without_the_section_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "buurtbot.toml"
    config.write_text(MINIMAL, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--webhook", "--config", str(config)],
        cwd=ROOT,
        env=env_with("123456789:cli-test-token-abcdefghijklmnopqrstu"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("buurtbot: config: telegram.webhook: missing; --webhook needs")
