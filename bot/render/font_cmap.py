"""Which characters a TrueType font can draw, read straight from its cmap table.

Pillow has no API to ask whether a font has a glyph, and missing glyphs draw as empty boxes;
knowing the cmap lets emoji and unknown scripts be left out instead.
"""

from __future__ import annotations

import struct

# Preferred (platform, encoding) subtables: full Unicode before the Basic Multilingual Plane.
_SUBTABLE_PREFERENCE = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))


def cmap_code_points(data: bytes) -> frozenset[int] | None:
    """Return the code points the font maps to real glyphs, or None when it cannot be read."""
    try:
        (num_tables,) = struct.unpack_from(">H", data, 4)
        cmap = None
        for i in range(num_tables):
            tag, _checksum, offset, _length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
            if tag == b"cmap":
                cmap = offset
        if cmap is None:
            return None
        _version, count = struct.unpack_from(">HH", data, cmap)
        subtables: dict[tuple[int, int], int] = {}
        for i in range(count):
            platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
            subtables[(platform, encoding)] = cmap + offset
        for key in _SUBTABLE_PREFERENCE:
            start = subtables.get(key)
            if start is None:
                continue
            (fmt,) = struct.unpack_from(">H", data, start)
            if fmt == 12:
                return _format_12(data, start)
            if fmt == 4:
                return _format_4(data, start)
        return None
    except struct.error:
        return None


def _format_4(data: bytes, start: int) -> frozenset[int]:
    """Read a segment-mapped subtable: the Basic Multilingual Plane only."""
    (seg_x2,) = struct.unpack_from(">H", data, start + 6)
    segments = seg_x2 // 2
    ends = start + 14
    starts = ends + seg_x2 + 2
    deltas = starts + seg_x2
    range_offsets = deltas + seg_x2
    points: set[int] = set()
    for i in range(segments):
        (last,) = struct.unpack_from(">H", data, ends + 2 * i)
        (first,) = struct.unpack_from(">H", data, starts + 2 * i)
        (delta,) = struct.unpack_from(">H", data, deltas + 2 * i)
        where = range_offsets + 2 * i
        (range_offset,) = struct.unpack_from(">H", data, where)
        for code in range(first, min(last, 0xFFFE) + 1):
            if range_offset == 0:
                glyph = (code + delta) & 0xFFFF
            else:
                (glyph,) = struct.unpack_from(">H", data, where + range_offset + 2 * (code - first))
            if glyph:
                points.add(code)
    return frozenset(points)


def _format_12(data: bytes, start: int) -> frozenset[int]:
    """Read a segmented-coverage subtable: all of Unicode, in runs of code points."""
    (groups,) = struct.unpack_from(">I", data, start + 12)
    points: set[int] = set()
    for i in range(groups):
        first, last, glyph = struct.unpack_from(">III", data, start + 16 + 12 * i)
        last = min(last, 0x10FFFF)
        points.update(range(first + 1 if glyph == 0 else first, last + 1))
    return frozenset(points)
