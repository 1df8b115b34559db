"""The playground: a local, strict Telegram Bot API server, its control API and a client."""

from playground.client import Button, Person, PlaygroundClient, SentMessage
from playground.server import Playground

__all__ = ["Button", "Person", "Playground", "PlaygroundClient", "SentMessage"]
