"""Small but real files for what residents send, and a look at what the bot uploads."""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw, UnidentifiedImageError

# Telegram's photo sizes for a photo sent by a person: type letter and longest side.
PHOTO_SIZES = (("s", 90), ("m", 320), ("x", 800), ("y", 1280), ("w", 2560))


def _colour(seed: str) -> tuple[int, int, int]:
    digest = hashlib.sha256(seed.encode()).digest()
    return digest[0], digest[1], digest[2]


def make_image(width: int, height: int, seed: str, image_format: str = "JPEG") -> bytes:
    """An image of the given size whose colour depends on ``seed``."""
    image = Image.new("RGB", (max(1, width), max(1, height)), _colour(seed))
    draw = ImageDraw.Draw(image)
    draw.rectangle((width // 4, height // 4, width * 3 // 4, height * 3 // 4), outline=(255,) * 3)
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height when Pillow can read the image, else None."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def scaled(data: bytes, longest: int) -> tuple[bytes, int, int] | None:
    """A JPEG copy whose longest side is ``longest``, or None when the image cannot be read."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            copy = image.convert("RGB")
            copy.thumbnail((longest, longest))
            buffer = io.BytesIO()
            copy.save(buffer, format="JPEG")
            return buffer.getvalue(), copy.width, copy.height
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def photo_ladder(width: int, height: int) -> list[tuple[str, int, int]]:
    """The (type, width, height) of each size Telegram would keep of a photo."""
    longest = max(width, height)
    ladder: list[tuple[str, int, int]] = []
    for kind, side in PHOTO_SIZES:
        if side >= longest:
            break
        factor = side / longest
        ladder.append((kind, max(1, round(width * factor)), max(1, round(height * factor))))
    ladder.append(("y" if longest > 800 else "x" if longest > 320 else "m", width, height))
    return ladder


def make_voice(duration: int, seed: str) -> bytes:
    """Bytes that start like an Ogg file, about as long as a voice note of ``duration`` seconds."""
    body = hashlib.sha256(seed.encode()).digest() * max(1, duration * 32)
    return b"OggS\x00\x02" + body


def make_document(file_name: str, mime_type: str, seed: str) -> bytes:
    """A small file that fits its name and type."""
    if mime_type == "application/pdf" or file_name.lower().endswith(".pdf"):
        return (
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% "
            + seed.encode()
            + b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"
        )
    if mime_type.startswith("image/"):
        return make_image(200, 150, seed, "PNG")
    return f"{file_name}\n{seed}\n".encode()
