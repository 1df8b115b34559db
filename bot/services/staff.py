"""Who moderates: the config's moderators and those given the role in the chat."""

from __future__ import annotations

from bot.core.config import Config
from storage.models import GrantRole
from storage.repository import Repository


async def moderator_ids(config: Config, repo: Repository) -> list[int]:
    """Everyone who moderates, once each, in a stable order."""
    ids = set(config.roles.moderators)
    ids.update(g.user_id for g in await repo.list_grants() if g.role == GrantRole.MODERATOR)
    return sorted(ids)
