"""Copy static/ into the folder WhiteNoise serves, each file also under a name with a hash of its content.

    .venv/bin/python tools/build_static.py [--out build/static]    (`make static`; `make run` runs it)

For each file, e.g. css/app.css, the output has css/app.css and css/app.<12 hex digits>.css; url(…) references
in CSS files point at the hashed names; text files get .br and .gz copies beside them (WhiteNoise's
compressor); staticfiles.json maps each name to its hashed name, for the app's url_for, a service worker's
precache list or anything else that needs the current names. This is what Django's
ManifestStaticFilesStorage does (same name pattern, same "paths" manifest), for a Flask app.

The output depends only on static/ and the builds before it, so a second run changes nothing. The folder is
replaced whole, but the hashed files of the KEPT_BUILDS - 1 builds before this one are carried over (the
manifest's "previous" lists their names): during a rolling release a page from a machine still on the last
build asks this one for the files it names, and finds them. Older files go. Source maps are left out (they
describe the full vendor files no page loads), and so are the TTF fonts, which only WeasyPrint reads, straight
from static/fonts/.

The manifest's "release" orders releases, so that the service worker never goes back to an older one while
machines of two releases answer: FESTIVAL_RELEASE when set (a number that grows with each release), else the
time of the checked-out commit, else the newest modification time among the published files. Every machine
building the same commit gets the same number.
"""

import argparse
import hashlib
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from whitenoise.compress import Compressor

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "static"
DEFAULT_OUT = ROOT / "build" / "static"
MANIFEST = "staticfiles.json"
LEFT_OUT = (".map", ".ttf")
HASH_LENGTH = 12
KEPT_BUILDS = 3  # this build's hashed files and those of the two before it
COMPRESSED = (".br", ".gz")

# url(…) in CSS, quoted or not; data:, absolute and remote references are left alone.
CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""")


def source_files(source: Path) -> list[str]:
    """The files to publish, as sorted POSIX paths relative to `source`."""
    names = [path.relative_to(source).as_posix() for path in source.rglob("*") if path.is_file()]
    return sorted(name for name in names if not name.endswith(LEFT_OUT) and name != MANIFEST)


def hashed_name(name: str, content: bytes) -> str:
    """css/app.css → css/app.3f9c2a1b7d4e.css (the hash goes before the last extension)."""
    stem, dot, extension = name.rpartition(".")
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    return f"{stem}.{digest}.{extension}" if dot and "/" not in extension else f"{name}.{digest}"


def rewrite_css(name: str, css: str, paths: dict[str, str]) -> str:
    """The CSS with each relative url(…) to a published file pointing at that file's hashed name."""
    folder = posixpath.dirname(name)

    def replace(match):
        quote, url = match.groups()
        target, _, fragment = url.partition("#")
        target, _, query = target.partition("?")
        if re.match(r"^([a-z][a-z0-9+.-]*:|/|#)", url, re.IGNORECASE) or not target:
            return match.group(0)
        resolved = posixpath.normpath(posixpath.join(folder, target))
        if resolved not in paths:
            return match.group(0)
        new = posixpath.relpath(paths[resolved], folder or ".")
        new += f"?{query}" if query else ""
        new += f"#{fragment}" if fragment else ""
        return f"url({quote}{new}{quote})"

    return CSS_URL.sub(replace, css)


def release_number(names: list[str], source: Path) -> int:
    """A number that is larger for a later release and the same on every machine building the same one."""
    if os.environ.get("FESTIVAL_RELEASE", "").strip():
        return int(os.environ["FESTIVAL_RELEASE"])
    try:
        committed = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%ct"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except OSError:  # no git on this machine (an unpacked release archive)
        committed = ""
    if committed.isdigit():
        return int(committed)
    return max((int((source / name).stat().st_mtime) for name in names), default=0)


def previous_builds(out: Path, hashed: set[str]) -> list[list[str]]:
    """The hashed names of the builds before this one still to keep, newest first (from `out`'s manifest)."""
    path = out / MANIFEST
    if not path.is_file():
        return []
    manifest = json.loads(path.read_text(encoding="utf-8"))
    last = sorted(set(manifest["paths"].values()))
    builds = [] if set(last) == hashed else [last]  # the same build again keeps the same history
    return (builds + manifest.get("previous", []))[: KEPT_BUILDS - 1]


def carry_over(out: Path, staging: Path, names) -> None:
    """Copy the hashed files `names` (with their compressed copies) from the last output into the new one."""
    for name in names:
        for published in (name, *(name + suffix for suffix in COMPRESSED)):
            source, target = out / published, staging / published
            if source.is_file() and not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)


def build(source: Path = SOURCE, out: Path = DEFAULT_OUT, log=print) -> dict[str, str]:
    """Publish `source` into `out` (replaced whole, the previous builds' hashed files kept) and return the
    manifest's {name: hashed name}."""
    names = source_files(source)
    contents = {name: (source / name).read_bytes() for name in names}
    paths = {}
    # CSS last: its references need the hashed names of the fonts and images it points at.
    for name in sorted(names, key=lambda name: name.endswith(".css")):
        if name.endswith(".css"):
            contents[name] = rewrite_css(name, contents[name].decode("utf-8"), paths).encode("utf-8")
        paths[name] = hashed_name(name, contents[name])

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        written = []
        for name, content in contents.items():
            for published in (name, paths[name]):
                target = staging / published
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
                written.append(target)
        compressor = Compressor(extensions=Compressor.SKIP_COMPRESS_EXTENSIONS + ("ico",), quiet=True)
        with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:  # brotli releases the GIL
            list(
                pool.map(compressor.compress, [str(path) for path in written if compressor.should_compress(path.name)])
            )
        previous = previous_builds(out, set(paths.values()))
        carry_over(out, staging, sorted({name for build in previous for name in build} - set(paths.values())))
        manifest = {
            "version": 1,
            "release": release_number(names, source),
            "paths": dict(sorted(paths.items())),
            "previous": previous,
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        staging.chmod(0o755)  # mkdtemp makes it private; the server may run as another user
        # Swapped by two renames, so the folder is missing for a moment only, never while files are copied.
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
        if out.exists():
            os.replace(out, old / out.name)
        os.replace(staging, out)
        shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log(f"{len(paths)} files published in {out} (manifest: {MANIFEST})")
    return paths


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    build(out=parser.parse_args(argv).out.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
