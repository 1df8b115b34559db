"""`buurtbot demo`: the playground, the bot and a terminal chat in one process, no token needed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from bot.backends import repository_for
from bot.core.clock import SystemClock, local_today
from bot.core.config import Config, ConfigError
from bot.core.logs import setup_logging
from bot.demo_config import COUNTERS, DATABASE, DEMO_TOKEN, FILES, LOG, demo_config
from bot.demo_seed import NEIGHBOURS, PEOPLE, DemoPerson, seed_demo
from bot.runner import BotRunner
from playground.client import FileInfo, PlaygroundClient, PlaygroundError, SentMessage
from playground.server import Playground

HANDLED_TIMEOUT = 30.0
_SETTLE_TRIES = 200  # a script waits at most about 20 s for sending to finish
# A kept database from before the counters were kept: message ids far above its old ones.
_FRESH_MESSAGE_IDS = 1_000_001
# "#2" or "[2]" presses button 2; a plain "2" is text, as on a phone.
_PRESS = re.compile(r"#([0-9]{1,3})|\[([0-9]{1,3})\]")
_INTRO = """\
Buurtbot demo: je chat met de bot zoals in Telegram, maar dan hier.
Typ een bericht, of een commando zoals /start.
Knoppen hebben een nummer: typ #2 (of [2]) voor knop 2. Een los getal, zoals 2, is gewoon tekst.
/als bewoner | ambassadeur | moderator | beheerder wisselt wie je bent.
/foto [bijschrift], /spraak, /sticker, /locatie, /document, /telefoon:
sturen wat een telefoon stuurt.
/einde of Ctrl-D stopt de demo.
"""


def run_demo(config_path: Path | None, data_dir: Path | None, script: Path | None) -> int:
    """Run the demo; return the exit code."""
    try:
        return asyncio.run(_demo(config_path, data_dir, script, sys.stdin, sys.stdout))
    except KeyboardInterrupt:
        return 0
    except ConfigError as exc:
        print(f"buurtbot: config: {exc}", file=sys.stderr)
        return 2


async def _next_ids(config: Config, folder: Path) -> tuple[int, int]:
    """Where the playground's update and message ids go on, past all the kept data knows."""
    saved: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        saved = json.loads((folder / COUNTERS).read_text("utf-8"))
    if not (folder / DATABASE).exists():
        return 1, 1
    # The inbox recognises update ids it has seen: new ones must lie beyond them.
    repo = repository_for(config.storage)
    await repo.open()
    try:
        last_update = await repo.inbox_last_update_id() or 0
    finally:
        await repo.close()
    update_id = max(int(saved.get("update_id", 1)), last_update + 1)
    return update_id, int(saved.get("message_id", _FRESH_MESSAGE_IDS))


def _save_ids(playground: Playground, folder: Path) -> None:
    """Keep the playground's next ids for the next time this data folder is opened."""
    update_id, message_id = playground.state.next_ids
    counters = {"update_id": update_id, "message_id": message_id}
    (folder / COUNTERS).write_text(json.dumps(counters), "utf-8")


async def _demo(
    config_path: Path | None, data_dir: Path | None, script: Path | None, stdin: TextIO, out: TextIO
) -> int:
    with contextlib.ExitStack() as stack:
        # Resolved once: every path below is absolute, whatever folder the demo runs in.
        folder = (
            data_dir
            or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="buurtbot-demo-")))
        ).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        log = folder / LOG
        setup_logging(DEMO_TOKEN, level=logging.INFO, path=log)
        reopened = (folder / DATABASE).exists()
        update_id, message_id = await _next_ids(demo_config(config_path, folder, None), folder)
        playground = Playground(
            token=DEMO_TOKEN, first_update_id=update_id, first_message_id=message_id
        )
        url = await playground.start()
        runner: BotRunner | None = None
        try:
            config = demo_config(config_path, folder, url)
            runner = BotRunner(config)
            await runner.start()
            chat = TerminalChat(runner, url, _people(config), out, folder)
            async with chat.client:
                await chat.setup()
                await seed_demo(runner.repo, config, SystemClock())
                out.write(f"(logboek: {log}; foto's en bestanden: {folder / FILES})\n")
                await _say_how_to_export(runner, config, folder, out)
                if runner.web is not None:
                    out.write(f"(de webpagina's: http://127.0.0.1:{runner.web.port}/)\n")
                if reopened:
                    out.write("(je gesprekken van de vorige keer gaan verder)\n")
                chat.after_line = lambda: _save_ids(playground, folder)
                if script is not None:
                    text = await asyncio.to_thread(script.read_text, "utf-8")
                    await chat.replay(text.splitlines())
                else:
                    out.write(_INTRO)
                    await chat.interactive(stdin)
        finally:
            if runner is not None:
                await runner.stop()
            _save_ids(playground, folder)
            await playground.stop()
    return 0


async def _say_how_to_export(runner: BotRunner, config: Config, folder: Path, out: TextIO) -> None:
    """Name the command that makes a theme's files from this data folder, outside the chat."""
    today = local_today(SystemClock(), config.municipality.tz)
    for theme in (await runner.repo.list_active_themes(None, today))[:1]:
        out.write(
            f"(bestanden zonder chat: buurtbot export --data {folder} --theme {theme.code})\n"
        )


def _people(config: Config) -> list[DemoPerson]:
    """The demo's people, with role holders taken from the config when it names them."""
    roles = config.roles
    firsts = {
        "ambassadeur": next((a.user_id for a in roles.ambassadors), None),
        "moderator": min(roles.moderators, default=None),
        "beheerder": min(roles.admins, default=None),
    }
    people = []
    for person in PEOPLE:
        user_id = firsts.get(person.role) or person.user_id
        people.append(DemoPerson(person.role, user_id, person.first_name))
    return people


@dataclass
class _Seen:
    last_id: int = 0
    contents: dict[int, str] = field(default_factory=dict)


class TerminalChat:
    """Print the bot's messages with numbered buttons; read what the person types."""

    def __init__(
        self, runner: BotRunner, url: str, people: list[DemoPerson], out: TextIO, folder: Path
    ) -> None:
        self._runner = runner
        self._out = out
        self._folder = folder
        self._saved: dict[str, Path] = {}  # file_unique_id -> where it was saved
        self.after_line: Callable[[], None] = lambda: None
        self._people = {p.role: p for p in people}
        self.person = self._people["bewoner"]
        self._seen: dict[int, _Seen] = {}
        self._choices: list[tuple[SentMessage, str, str]] = []  # (message, kind, label)
        self._new_batch = True
        self.client = PlaygroundClient(url, waiter=self._handled)

    async def _handled(self, update_id: int) -> None:
        await asyncio.wait_for(self._runner.handled.wait(update_id), HANDLED_TIMEOUT)

    async def setup(self) -> None:
        """Make the demo's people and the neighbours who wrote the seeded notes chats."""
        # One chat per person: a --config may give one person two roles.
        chats = {p.user_id: p for p in (*NEIGHBOURS, *self._people.values())}
        for person in chats.values():
            await self.client.create_user(
                person.first_name, user_id=person.user_id, language_code="nl"
            )
        for person in self._people.values():
            self._seen[person.user_id] = _Seen()

    async def replay(self, lines: Iterable[str]) -> None:
        """Play a chat from lines of input, printing the transcript."""
        for line in lines:
            line = line.rstrip()
            # "# ..." is a comment; "#2" presses button 2.
            if not line or line == "#" or line.startswith("# "):
                continue
            self._out.write(f"\n{self.person.first_name}> {line}\n")
            if not await self.handle_safely(line):
                break
            await self._settle()
            await self.show_new()

    async def _settle(self) -> None:
        """Let sending finish and the chat fall quiet, so that a transcript shows the report."""
        try:
            await self._wait_until_quiet()
        except Exception:  # only a wait: the transcript goes on without it
            logging.getLogger(__name__).exception("the demo could not wait for the bot")

    async def _wait_until_quiet(self) -> None:
        for _ in range(_SETTLE_TRIES):
            if not await self._runner.repo.unfinished_broadcasts():
                break
            await asyncio.sleep(0.1)
        user_id = self.person.user_id
        revision = int((await self.client.chat(user_id))["revision"])
        for _ in range(_SETTLE_TRIES):
            changes = await self.client.changes(user_id, since=revision, wait=0.3)
            if not changes.messages:
                return
            revision = changes.revision

    async def interactive(self, stdin: TextIO) -> None:
        """Chat until /einde or end of input; messages that arrive later are shown too."""
        loop = asyncio.get_running_loop()
        watcher = asyncio.create_task(self._watch())
        try:
            while True:
                self._out.write(f"{self.person.first_name}> ")
                self._out.flush()
                line = await loop.run_in_executor(None, stdin.readline)
                if not line:
                    break
                if not await self.handle_safely(line.strip()):
                    break
                await self.show_new()
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            await self.show_new()

    async def handle_safely(self, line: str) -> bool:
        """Act on one line; whatever goes wrong, say so in one line and go on chatting."""
        try:
            return await self.handle(line)
        except Exception:  # the demo is the first thing people see: it must not fall over
            logging.getLogger(__name__).exception("the demo could not play %r", line[:40])
            self._out.write(f"   (dat lukte niet; zie het logboek: {self._folder / LOG})\n")
            return True
        finally:
            self.after_line()

    async def handle(self, line: str) -> bool:
        """Act on one line of input; False means stop."""
        user_id = self.person.user_id
        command, _, rest = line.partition(" ")
        client = self.client
        if command == "/einde":
            return False
        if command == "/als":
            self._switch(rest.strip())
            return True
        pressed = _PRESS.fullmatch(line)
        if pressed is not None:
            await self._press(int(pressed.group(1) or pressed.group(2)))
            return True
        sends: dict[str, dict[str, Any]] = {
            "/foto": {"photo": True, "caption": rest or None},
            "/spraak": {"voice": {"duration": 4}},
            "/sticker": {"sticker": {"emoji": "👍"}},
            "/locatie": {"location": {"latitude": 51.98, "longitude": 5.83}},
            "/document": {"document": {"file_name": "plan.pdf", "mime_type": "application/pdf"}},
            "/telefoon": {"contact": {"phone_number": "+31612345678"}},
        }
        if command in sends:
            queued = await client.send_message(user_id, **sends[command])
        elif line:
            queued = await client.send_message(user_id, text=line)
        else:
            return True
        await client.wait(queued.update_id)
        return True

    def _switch(self, role: str) -> None:
        person = self._people.get(role)
        if person is None:
            self._out.write(f"   (kies uit: {', '.join(self._people)})\n")
            return
        self.person = person
        self._choices = []
        self._out.write(f"   — je bent nu {person.first_name}, {person.role} —\n")

    async def _press(self, number: int) -> None:
        if not 1 <= number <= len(self._choices):
            self._out.write("   (zo'n knop is er niet)\n")
            return
        message, kind, label = self._choices[number - 1]
        user_id = self.person.user_id
        if kind == "contact":
            queued = await self.client.send_message(
                user_id, contact={"phone_number": "+31612345678"}
            )
            await self.client.wait(queued.update_id)
        elif kind == "reply":
            queued = await self.client.send_message(user_id, text=label)
            await self.client.wait(queued.update_id)
        else:
            try:
                pressed = await self.client.press_button(user_id, message.message_id, label=label)
            except PlaygroundError:
                self._out.write("   (die knop is er niet meer)\n")
                return
            await self.client.wait(pressed.update_id)
            answer = await self.client.callback_answer(pressed.callback_query_id)
            if answer is not None and answer.text:
                self._out.write(f"   (melding: {answer.text})\n")

    async def show_new(self) -> None:
        """Print the bot's messages (and edits) the person hasn't seen yet, come what may."""
        try:
            await self._show_new()
        except Exception:  # a message that cannot be shown must not end the demo
            logging.getLogger(__name__).exception("the demo could not show the chat")
            self._out.write(f"   (dat lukte niet; zie het logboek: {self._folder / LOG})\n")

    async def _show_new(self) -> None:
        seen = self._seen[self.person.user_id]
        # Buttons are numbered on from message to message within one batch, so that every
        # card shown at once (a moderation queue, say) keeps its own numbers.
        self._new_batch = True
        for message in await self.client.messages(self.person.user_id):
            if not message.from_bot or message.deleted:
                continue
            shown = self._shown(message)
            known = seen.contents.get(message.message_id)
            if known is None and message.message_id > seen.last_id:
                await self._print(message, edited=False)
            elif known is not None and shown != known and not known.startswith(shown):
                # Only a change one can see is news; dropped buttons are not.
                await self._print(message, edited=True)
            seen.contents[message.message_id] = shown
            seen.last_id = max(seen.last_id, message.message_id)
        self._out.flush()

    @staticmethod
    def _shown(message: SentMessage) -> str:
        # Buttons taken away after a press change nothing one needs to read again.
        return message.content + (repr(message.buttons) if message.buttons else "")

    async def _print(self, message: SentMessage, *, edited: bool) -> None:
        head = "Bot (aangepast)" if edited else "Bot"
        lines: list[str] = []
        if message.photo is not None:
            path = await self._save(message.message_id, message.photo, None)
            lines.append(f"[foto {message.photo.width}×{message.photo.height}: {path}]")
        if message.document is not None:
            document = message.document
            path = await self._save(message.message_id, document, document.file_name)
            lines.append(f"[bestand {document.file_name} ({document.size} bytes): {path}]")
        if message.voice is not None:
            path = await self._save(message.message_id, message.voice, "spraak.ogg")
            lines.append(f"[gesproken bericht, {message.voice.duration or 0} s: {path}]")
        lines.extend(message.content.splitlines() or [""])
        self._out.write(f"{head}: {lines[0]}\n")
        for line in lines[1:]:
            self._out.write(f"     {line}\n")
        if (message.buttons or message.keyboard) and self._new_batch:
            self._choices = []
            self._new_batch = False
        for row in message.buttons:
            self._out.write(
                "     " + "  ".join(self._choice(message, "inline", b.text) for b in row) + "\n"
            )
        for reply_row in message.keyboard or []:
            cells = [
                self._choice(message, "contact" if b.request_contact else "reply", b.text)
                for b in reply_row
            ]
            self._out.write("     " + "  ".join(cells) + "\n")

    async def _save(self, message_id: int, file: FileInfo, name: str | None) -> Path:
        """Write a file the bot sent into the data folder, so that one can open it."""
        known = self._saved.get(file.file_unique_id)
        if known is not None:
            return known
        data = await self.client.file_bytes(file.file_id)
        if name is None:
            name = "foto.png" if data.startswith(b"\x89PNG") else "foto.jpg"
        # Only the last part of the name, so that a file name cannot climb out of the folder.
        path = self._folder / FILES / f"{message_id}-{Path(name).name}"
        path.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(path.write_bytes, data)
        self._saved[file.file_unique_id] = path
        return path

    def _choice(self, message: SentMessage, kind: str, label: str) -> str:
        self._choices.append((message, kind, label))
        return f"[{len(self._choices)}] {label}"
