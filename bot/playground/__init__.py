"""The playground: a local, strict Telegram Bot API server, its control API and a client."""

from bot.playground.client import Button, Person, PlaygroundClient, SentMessage
from bot.playground.server import Playground

__all__ = ["Button", "Person", "Playground", "PlaygroundClient", "SentMessage"]
