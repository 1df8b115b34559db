"""Small drawing pieces the pictures share: boxes, drop shadows, icons and PNG output."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter

from bot.render.palette import RGB, WHITE

# A warm brown rather than black, so shadows look like paper on a pin board.
_SHADOW: RGB = (60, 45, 30)


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels: left, top, right and bottom edge."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        """Return the width in pixels."""
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        """Return the height in pixels."""
        return self.y1 - self.y0


def paste_with_shadow(
    canvas: Image.Image,
    tile: Image.Image,
    centre: tuple[int, int],
    radius: int,
    tilt: float,
    offset: tuple[int, int] = (3, 6),
) -> None:
    """Paste an opaque rounded tile with a soft drop shadow, turned by tilt degrees."""
    margin = 18
    width, height = tile.size
    layer = Image.new("RGBA", (width + 2 * margin, height + 2 * margin), (*_SHADOW, 0))
    shadow = Image.new("L", layer.size, 0)
    ImageDraw.Draw(shadow).rounded_rectangle(
        (
            margin + offset[0],
            margin + offset[1],
            margin + offset[0] + width,
            margin + offset[1] + height,
        ),
        radius=radius,
        fill=70,
    )
    layer.putalpha(shadow.filter(ImageFilter.GaussianBlur(6)))
    mask = Image.new("L", tile.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, width - 1, height - 1), radius=radius, fill=255)
    layer.paste(tile, (margin, margin), mask)
    if tilt:
        layer = layer.rotate(tilt, resample=Image.Resampling.BILINEAR, expand=True)
    canvas.paste(layer, (centre[0] - layer.width // 2, centre[1] - layer.height // 2), layer)


def draw_camera(draw: ImageDraw.ImageDraw, x: int, y: int, ink: RGB) -> None:
    """Draw a 26 x 22 camera icon: the marker of a note that came in as a photo."""
    draw.rounded_rectangle((x, y + 5, x + 26, y + 22), radius=4, fill=ink)
    draw.rectangle((x + 8, y + 2, x + 16, y + 6), fill=ink)
    draw.ellipse((x + 8, y + 8, x + 18, y + 18), fill=WHITE)
    draw.ellipse((x + 11, y + 11, x + 15, y + 15), fill=ink)


def draw_microphone(draw: ImageDraw.ImageDraw, x: int, y: int, ink: RGB) -> None:
    """Draw a 24 x 24 microphone icon: the marker of a note that came in as a voice message."""
    draw.rounded_rectangle((x + 7, y, x + 17, y + 15), radius=5, fill=ink)
    draw.arc((x + 3, y + 4, x + 21, y + 20), start=0, end=180, fill=ink, width=2)
    draw.line((x + 12, y + 20, x + 12, y + 24), fill=ink, width=2)
    draw.line((x + 7, y + 24, x + 17, y + 24), fill=ink, width=2)


def draw_pin(draw: ImageDraw.ImageDraw, x: int, y: int, ink: RGB) -> None:
    """Draw an 18 x 26 map pin, the sign for a place."""
    draw.ellipse((x, y, x + 18, y + 18), fill=ink)
    draw.polygon(((x + 2, y + 13), (x + 16, y + 13), (x + 9, y + 26)), fill=ink)
    draw.ellipse((x + 5, y + 5, x + 13, y + 13), fill=WHITE)


def png_bytes(canvas: Image.Image) -> bytes:
    """Return canvas as PNG bytes, lightly compressed to render quickly: Telegram recompresses."""
    out = io.BytesIO()
    canvas.save(out, format="PNG", compress_level=3)
    return out.getvalue()
