"""The command line: exit codes and one-line messages, the demo transcript."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.process import ROOT, env_with, write_config

TOKEN = "123456789:cli-test-token-abcdefghijklmnopqrstu"


def run(*args: str, token: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env_with(token, **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_run_without_token_exits_2_naming_the_token_and_the_demo() -> None:
    result = run("run")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "BUURTBOT_TOKEN" in lines[0]
    assert "buurtbot demo" in lines[0]


def test_bad_config_exits_2_with_one_line_naming_the_key(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "bad.toml",
        "http://127.0.0.1:9",
        tmp_path / "db.sqlite3",
        extra='[roles]\nambassadors = [{ user_id = 5, area = "zuid" }]\n',
    )
    result = run("run", "--config", str(config), token=TOKEN)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "roles.ambassadors[0].area" in lines[0]
    assert "zuid" in lines[0]


def test_unknown_key_and_wrong_type(tmp_path: Path) -> None:
    config = tmp_path / "typo.toml"
    config.write_text('[municipality]\nname = "Renkum"\n[telegram]\nbase_ur = "x"\n')
    result = run("run", "--config", str(config), token=TOKEN)
    assert result.returncode == 2
    assert "telegram.base_ur: unknown key" in result.stderr
    config.write_text('[municipality]\nname = "Renkum"\n[telegram]\npoll_timeout = "lang"\n')
    result = run("run", token=TOKEN, BUURTBOT_CONFIG=str(config))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "telegram.poll_timeout" in result.stderr


def test_demo_script_prints_a_transcript(tmp_path: Path) -> None:
    script = ROOT / "tests" / "scripts" / "demo_chat.txt"
    result = run("demo", "--script", str(script), "--data", str(tmp_path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Sanne> /start" in out
    assert "Bot: Hoi Sanne! Welkom bij de buurtbot van gemeente Heuveldal." in out
    assert "[1] Bosrand  [2] Heidedorp" in out
    assert "Bot: Ontmoeten in Bosrand" in out
    assert "Bot: Mooi, dank je. Waar hoort dit bij?" in out
    assert "Staat bij de wensen." in out
    assert "Leuke sticker!" in out
    assert "je bent nu Ahmed, ambassadeur" in out
    assert "Je bent hier ook gebiedsambassadeur." in out
    assert "Traceback" not in result.stderr
    # --data keeps the database: the note is still there.
    assert (tmp_path / "buurtbot-demo.sqlite3").exists()


def test_plain_buurtbot_without_a_token_starts_the_demo() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=ROOT,
        env=env_with(None),
        input="/start\n/einde\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Buurtbot demo" in result.stdout
    assert "Hoi Sanne! Welkom bij de buurtbot van gemeente Heuveldal." in result.stdout
