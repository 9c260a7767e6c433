"""Role band colours: text that reads on each band, and bands that gates can tell apart at a glance.

Distance is CIEDE2000 (ΔE00), which follows what people see: below about 15 two bands on a badge
across a hall, or printed by an office printer, pass for the same colour.
"""

import functools
from itertools import combinations

MIN_DIFFERENCE = 15.0
MIN_CONTRAST = 4.5  # WCAG AA for the role name on its band
DARK_TEXT, LIGHT_TEXT = "#111111", "#ffffff"


@functools.cache
def _color_class():
    """coloraide's Color, imported on first use (a tenth of a second every start of the app would pay)."""
    from coloraide import Color

    return Color


def text_colour(background: str) -> str:
    """Near-black or white, whichever contrasts more with the band."""
    Color = _color_class()
    band = Color(background)
    return DARK_TEXT if band.contrast(Color(DARK_TEXT)) >= band.contrast(Color(LIGHT_TEXT)) else LIGHT_TEXT


def contrast(background: str) -> float:
    """The contrast ratio of the band with its text."""
    Color = _color_class()
    return Color(background).contrast(Color(text_colour(background)))


def difference(first: str, second: str) -> float:
    Color = _color_class()
    return Color(first).delta_e(Color(second), method="2000")


def look_alike(roles) -> list[tuple]:
    """Pairs of roles whose bands are too close to tell apart: (role, role, ΔE00), closest first."""
    pairs = [(a, b, difference(a.colour, b.colour)) for a, b in combinations(roles, 2)]
    return sorted((pair for pair in pairs if pair[2] < MIN_DIFFERENCE), key=lambda pair: pair[2])
