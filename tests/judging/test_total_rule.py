"""A sheet's total has one rounding rule: the tablet's script and the server give the same figure."""

import json
import random
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from festival.judging.scoring import weighted_total
from festival.models import CriterionKind

SCRIPT = Path(__file__).resolve().parents[2] / "static" / "js" / "sheet-total.js"


def _random_rubrics(count: int):
    draw = random.Random(20261202)
    cases = []
    for _ in range(count):
        criteria = []
        for position in range(draw.randint(1, 6)):
            maximum = draw.choice([1, 3, 7, 10, 30, 50, 100, draw.randint(1, 1000)])
            weight = Decimal(draw.randint(1, 1_000_000)) / 1000
            points = Decimal(draw.randint(0, maximum * 100)) / 100 if draw.random() < 0.8 else None
            criteria.append((position, maximum, weight, points))
        cases.append(criteria)
    # Exactly halfway between two hundredths: 1 point of 2, weight 0.01 → 0.005.
    cases.append([(0, 2, Decimal("0.01"), Decimal("1"))])
    return cases


def _server_total(criteria):
    rubric = SimpleNamespace(
        scored_criteria=[
            SimpleNamespace(id=i, max_points=m, weight=w, kind=CriterionKind.POINTS) for i, m, w, _p in criteria
        ]
    )
    total = weighted_total(rubric, {i: p for i, _m, _w, p in criteria})
    return None if all(p is None for *_rest, p in criteria) else format(total.normalize(), "f")


def test_the_tablet_shows_the_total_the_server_computes():
    cases = _random_rubrics(400)
    entries = [
        [{"points": str(p), "max": m, "weight": str(w)} for _i, m, w, p in criteria if p is not None]
        for criteria in cases
    ]
    program = f"const t = require({json.dumps(str(SCRIPT))}); const cases = JSON.parse(require('fs').readFileSync(0));"
    program += "process.stdout.write(JSON.stringify(cases.map(t.weightedTotal)));"
    result = subprocess.run(
        [shutil.which("node") or "node", "-e", program], input=json.dumps(entries), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    expected = [_server_total(criteria) for criteria in cases]
    assert shown == expected
    assert expected[-1] == "0.01"  # halfway rounds up, on both sides
