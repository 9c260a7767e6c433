"""Make the web fonts: WOFF2 subsets, Latin and Vietnamese only, of the vendored Be Vietnam Pro TTFs.

Run from the project folder after changing a TTF or the ranges below:

    .venv/bin/python tools/subset_fonts.py          # writes static/fonts/be-vietnam-pro/*.woff2
    .venv/bin/python tools/subset_fonts.py --check  # exits 1 if a committed WOFF2 file is not what it makes

The output depends only on the TTFs, the options here and the pinned fontTools and Brotli, so running it
again changes nothing. The TTFs stay as they are: WeasyPrint (festival/util/pdf.py) embeds them in PDFs.
The @font-face rules in static/css/app.css name these files and UNICODE_RANGE (a test checks both).
"""

import argparse
import io
import sys
from pathlib import Path

from fontTools import subset

FONTS_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts" / "be-vietnam-pro"
FACES = [
    "BeVietnamPro_400Regular",
    "BeVietnamPro_400Regular_Italic",
    "BeVietnamPro_600SemiBold",
    "BeVietnamPro_700Bold",
]

# Google Fonts' "latin" and "vietnamese" ranges (what its CSS serves for this family), in one file per
# face because every Vietnamese page needs both. Added: the combining circumflex, breve and horn
# (U+0302, U+0306, U+031B), which text typed with a decomposing keyboard setting carries instead of â, ă, ơ.
LATIN = (
    "U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+0304, U+0308, U+0329, "
    "U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215, U+FEFF, U+FFFD"
)
VIETNAMESE = (
    "U+0102-0103, U+0110-0111, U+0128-0129, U+0168-0169, U+01A0-01A1, U+01AF-01B0, U+0300-0304, U+0306, "
    "U+0308-0309, U+031B, U+0323, U+0329, U+1EA0-1EF9, U+20AB"
)


def _codepoints(ranges: str) -> set[int]:
    return set(subset.parse_unicodes(ranges))


def _as_css_range(codepoints: set[int]) -> str:
    """The shortest `unicode-range` value listing exactly these code points."""
    runs, ordered = [], sorted(codepoints)
    start = previous = ordered[0]
    for point in ordered[1:] + [None]:
        if point is not None and point == previous + 1:
            previous = point
            continue
        runs.append(f"U+{start:04X}" if start == previous else f"U+{start:04X}-{previous:04X}")
        if point is not None:
            start = previous = point
    return ", ".join(runs)


CODEPOINTS = _codepoints(LATIN) | _codepoints(VIETNAMESE)
UNICODE_RANGE = _as_css_range(CODEPOINTS)


def _options() -> subset.Options:
    options = subset.Options()
    options.flavor = "woff2"
    # Hinting instructions are a third of each file and only old Windows rasterisers use them; the
    # tablets (Android, iPadOS) and current browsers on Windows draw these fonts well without them.
    options.hinting = False
    # fontTools repacks layout tables with HarfBuzz when uharfbuzz happens to be installed, which gives
    # different bytes; the pure-Python packer gives the same file everywhere.
    options.harfbuzz_repacker = False
    options.recalc_timestamp = False  # keep the TTF's head.modified, so the output does not depend on today
    return options


def make_woff2(ttf: Path) -> bytes:
    """The WOFF2 subset of one TTF."""
    options = _options()
    font = subset.load_font(str(ttf), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=CODEPOINTS)
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    font.close()
    return out.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a WOFF2 file is out of date")
    args = parser.parse_args(argv)
    stale = []
    for face in FACES:
        ttf, woff2 = FONTS_DIR / f"{face}.ttf", FONTS_DIR / f"{face}.woff2"
        data = make_woff2(ttf)
        if woff2.exists() and woff2.read_bytes() == data:
            continue  # unchanged: leave the file (and its mtime) alone
        stale.append(woff2)
        if not args.check:
            woff2.write_bytes(data)
            print(f"{woff2.name}: {ttf.stat().st_size:,} → {len(data):,} bytes")
    if args.check and stale:
        print("Out of date (run tools/subset_fonts.py): " + ", ".join(p.name for p in stale), file=sys.stderr)
        return 1
    print(f"unicode-range: {UNICODE_RANGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
