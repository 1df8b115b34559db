"""The command line: exit codes and one-line messages, the demo transcript."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.process import ROOT, env_with, write_config

TOKEN = "123456789:cli-test-token-abcdefghijklmnopqrstu"


# How a log line starts: "2026-12-03 07:49:13,973 ERROR bot.services.delivery: ..."
LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ ")


def run(
    *args: str, token: str | None = None, cwd: Path = ROOT, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
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


def test_demo_broadcast_reaches_the_seeded_residents_and_files_are_saved(tmp_path: Path) -> None:
    script = ROOT / "tests" / "scripts" / "demo_staff.txt"
    result = run("demo", "--script", str(script), "--data", str(tmp_path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # The four neighbours who wrote the seeded notes are real chats: all four get the message.
    assert "Aangekomen: 4 van 4" in out, out
    assert "Mislukt: 0" in out
    # Log lines go to the log file the demo names, never into the chat (stdout or stderr).
    log = tmp_path / "buurtbot-demo.log"
    assert f"logboek: {log}" in out
    assert log.exists()
    assert not LOG_LINE.search(out), out
    assert not LOG_LINE.search(result.stderr), result.stderr
    # The board picture and the export are files one can open, named beside the line.
    saved = re.findall(r"\[(?:foto \d+×\d+|bestand [^\]]*\)): ([^\]]+)\]", out)
    assert len(saved) == 2, out
    for path in map(Path, saved):
        assert path.parent == tmp_path / "files"
        assert path.stat().st_size > 0
    assert saved[0].endswith(".png")
    assert saved[1].endswith(".md")
    # At the capacity step a typed "2" is text (a number of places), "²" gets a kind answer.
    assert "zo'n knop is er niet" not in out
    assert "Bot: Schrijf een getal van 1 tot 500, of tik op Geen maximum." in out
    assert "Bot: Wat is het initiatief?" in out
    assert "er ging bij mij iets mis" not in out
    assert "Traceback" not in out + result.stderr


def test_a_reopened_demo_goes_on_with_the_stored_conversations(tmp_path: Path) -> None:
    first = tmp_path / "first.txt"
    first.write_text("/start\n#1\n#1\n/thema\nEen bankje bij de kerk.\n#1\n/einde\n")
    result = run("demo", "--script", str(first), "--data", str(tmp_path / "data"))
    assert result.returncode == 0, result.stderr
    assert "Bot: Mooi, dank je. Waar hoort dit bij?" in result.stdout
    again = tmp_path / "again.txt"
    again.write_text("Nog een idee: een pannakoekenmiddag.\n/mijn\n/einde\n")
    result = run("demo", "--script", str(again), "--data", str(tmp_path / "data"))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = result.stdout
    assert "je gesprekken van de vorige keer gaan verder" in out
    # The first message is answered, in the theme Sanne chose last time.
    assert "Bot: Mooi, dank je. Waar hoort dit bij?" in out, out
    assert "Een bankje bij de kerk." in out


def test_a_relative_data_folder_holds_the_database_itself(tmp_path: Path) -> None:
    script = tmp_path / "chat.txt"
    script.write_text("/start\n/einde\n")
    result = run("demo", "--script", str(script), "--data", "data3", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data3" / "buurtbot-demo.sqlite3").exists()
    assert not (tmp_path / "data3" / "data3").exists()
    assert f"logboek: {tmp_path / 'data3' / 'buurtbot-demo.log'}" in result.stdout


def test_export_from_a_demo_data_folder(tmp_path: Path) -> None:
    script = tmp_path / "chat.txt"
    script.write_text("/start\n/einde\n")
    result = run("demo", "--script", str(script), "--data", str(tmp_path))
    assert result.returncode == 0, result.stderr
    hint = re.search(r"buurtbot export --data (\S+) --theme (\S+)\)", result.stdout)
    assert hint is not None, result.stdout
    assert hint.group(1) == str(tmp_path)
    result = run("export", "--data", str(tmp_path), "--theme", hint.group(2), "--format", "md")
    assert result.returncode == 0, result.stderr
    written = tmp_path / "exports" / result.stdout.strip().rsplit("/", 1)[-1]
    assert written.exists()
    assert "Een moestuin waar jong en oud samen werken." in written.read_text("utf-8")
    assert run("export", "--help").returncode == 0


def test_demo_with_a_config_where_one_person_has_two_roles(tmp_path: Path) -> None:
    config = tmp_path / "heuveldal.toml"
    demo = (ROOT / "bot" / "demo.toml").read_text("utf-8")
    config.write_text(demo.replace("moderators = [1000003]", "moderators = [1000004]"))
    script = tmp_path / "chat.txt"
    script.write_text("/als moderator\n/start\n/einde\n")
    result = run("demo", "--config", str(config), "--script", str(script), "--data", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "je bent nu Els, moderator" in result.stdout
    assert "Welkom bij de buurtbot van gemeente Heuveldal." in result.stdout
