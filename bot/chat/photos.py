"""A photo a resident sent, fetched back from Telegram for a picture the bot draws."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

_log = logging.getLogger(__name__)

# A photo larger than this is not fetched for a thumbnail (Telegram's own photos are far smaller).
PHOTO_DOWNLOAD_LIMIT = 10 * 1024 * 1024


async def photo_bytes(bot: Bot, file_id: str) -> bytes | None:
    """Return the photo's bytes, or None when Telegram cannot give it (the note still shows)."""
    try:
        file = await bot.get_file(file_id)
        if file.file_size is not None and file.file_size > PHOTO_DOWNLOAD_LIMIT:
            return None
        return bytes(await file.download_as_bytearray())
    except (TelegramError, OSError) as exc:
        _log.info("no thumbnail for a photo note: %s", type(exc).__name__)
        return None
