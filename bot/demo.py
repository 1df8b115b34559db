"""`buurtbot demo`: the playground, the bot and a terminal chat in one process, no token needed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import tempfile
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from bot.core.clock import SystemClock
from bot.core.config import Config, ConfigError, parse_config
from bot.core.logs import setup_logging
from bot.demo_seed import PEOPLE, DemoPerson, seed_demo
from bot.runner import BotRunner
from playground.client import PlaygroundClient, PlaygroundError, SentMessage
from playground.server import Playground

DEMO_TOKEN = "4242424242:buurtbot-demo-token-for-the-local-playground"
HANDLED_TIMEOUT = 30.0
_INTRO = """\
Buurtbot demo: je chat met de bot zoals in Telegram, maar dan hier.
Typ een bericht, of een commando zoals /start.
Knoppen hebben een nummer: typ het nummer.
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


async def _demo(
    config_path: Path | None, data_dir: Path | None, script: Path | None, stdin: TextIO, out: TextIO
) -> int:
    setup_logging(DEMO_TOKEN, level=logging.WARNING)
    with contextlib.ExitStack() as stack:
        folder = data_dir or Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="buurtbot-demo-"))
        )
        folder.mkdir(parents=True, exist_ok=True)
        playground = Playground(token=DEMO_TOKEN)
        url = await playground.start()
        runner: BotRunner | None = None
        try:
            data = _config_data(config_path)
            data["telegram"] = {
                "base_url": f"{url}/bot",
                "base_file_url": f"{url}/file/bot",
                "poll_timeout": 5,
            }
            data["storage"] = {"path": str(folder / "buurtbot-demo.sqlite3")}
            config = parse_config(data, base_dir=folder, token=DEMO_TOKEN, source=config_path)
            runner = BotRunner(config)
            await runner.start()
            await seed_demo(runner.repo, config, SystemClock())
            chat = TerminalChat(runner, url, _people(config), out)
            async with chat.client:
                await chat.setup()
                if script is not None:
                    text = await asyncio.to_thread(script.read_text, "utf-8")
                    await chat.replay(text.splitlines())
                else:
                    out.write(_INTRO)
                    await chat.interactive(stdin)
        finally:
            if runner is not None:
                await runner.stop()
            await playground.stop()
    return 0


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

    def __init__(self, runner: BotRunner, url: str, people: list[DemoPerson], out: TextIO) -> None:
        self._runner = runner
        self._out = out
        self._people = {p.role: p for p in people}
        self.person = self._people["bewoner"]
        self._seen: dict[int, _Seen] = {}
        self._choices: list[tuple[SentMessage, str, str]] = []  # (message, kind, label)
        self._new_batch = True
        self.client = PlaygroundClient(url, waiter=self._handled)

    async def _handled(self, update_id: int) -> None:
        await asyncio.wait_for(self._runner.handled.wait(update_id), HANDLED_TIMEOUT)

    async def setup(self) -> None:
        """Make the demo's people known to the playground."""
        for person in self._people.values():
            await self.client.create_user(
                person.first_name, user_id=person.user_id, language_code="nl"
            )
            self._seen[person.user_id] = _Seen()

    async def replay(self, lines: Iterable[str]) -> None:
        """Play a chat from lines of input, printing the transcript."""
        for line in lines:
            line = line.rstrip()
            if not line or line.startswith("#"):
                continue
            self._out.write(f"\n{self.person.first_name}> {line}\n")
            if not await self.handle(line):
                break
            await self.show_new()

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
                if not await self.handle(line.strip()):
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
        if line.isdigit():
            await self._press(int(line))
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
        """Print the bot's messages (and edits) the person hasn't seen yet."""
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
                self._print(message, edited=False)
            elif known is not None and shown != known and not known.startswith(shown):
                # Only a change one can see is news; dropped buttons are not.
                self._print(message, edited=True)
            seen.contents[message.message_id] = shown
            seen.last_id = max(seen.last_id, message.message_id)
        self._out.flush()

    @staticmethod
    def _shown(message: SentMessage) -> str:
        # Buttons taken away after a press change nothing one needs to read again.
        return message.content + (repr(message.buttons) if message.buttons else "")

    def _print(self, message: SentMessage, *, edited: bool) -> None:
        head = "Bot (aangepast)" if edited else "Bot"
        lines: list[str] = []
        if message.photo is not None:
            lines.append(f"[foto {message.photo.width}×{message.photo.height}]")
        if message.document is not None:
            lines.append(f"[bestand {message.document.file_name} ({message.document.size} bytes)]")
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

    def _choice(self, message: SentMessage, kind: str, label: str) -> str:
        self._choices.append((message, kind, label))
        return f"[{len(self._choices)}] {label}"
