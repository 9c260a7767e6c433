"""The repository itself: nothing a merge left half-done."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFLICT = re.compile(rb"^(<<<<<<< |>>>>>>> |=======$)", re.MULTILINE)


def test_no_file_holds_merge_conflict_markers():
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    marked = [
        name
        for name in tracked.decode().split("\0")
        if name and (ROOT / name).is_file() and CONFLICT.search((ROOT / name).read_bytes())
    ]
    assert marked == []
