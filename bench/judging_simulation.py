"""Judging simulation: how close each ranking method comes to a known true order, how well judge
severity is measured, how well the cutoff flags catch exhibits placed in the wrong tier, and how
varied the planner's panels are beside a random balanced design.

    .venv/bin/python bench/judging_simulation.py [--draws 100] [--big-draws 5] [--seed 1]

Pure computation (no app, no database): festival.judging.math.assignment plans the panels and
festival.judging.math.calibration ranks, with every draw seeded from --seed. A simulated judge j gives
exhibit e the total 65 + scale_j × (quality_e − 65) + offset_j + noise, clipped to 0–100, with
quality ~ N(65, 10), offset ~ N(0, 5), log scale ~ N(0, 0.15) and noise ~ N(0, 4). Some sheets
are never submitted (8 %) and some exhibits keep a single sheet (10 %), as at a real fair.

Scenarios: "planned" — 60 exhibits, 9 judges, 3 per exhibit by the planner; "topic-grouped" — 60
exhibits in two topics 12 points apart, judges in two groups that mostly see their own topic (one
exhibit in three gets one judge of the other group), so a judge's own exhibits are stronger or
weaker than the category's; "big" — 1,000 exhibits in 8 categories, 40 judges each on two panels.

Figures: Kendall τ-b to the true order for the raw mean, per-judge z-scores (shrinkage 3, the
policy default) and the judge-effects model (shrinkage 1); the slope of estimated against true
(centred) judge offsets for the panel-mean offset and the model's; and the cutoff flags against
the exhibits whose proposed tier differs from the tier the true order gives (quotas 1/2/3 and
30 % awarded): precision, recall, over all exhibits and over single-sheet ones, for the old rule
(own SE, at least 0.5) and the pooled rule (calibration.POOLED_FLAG_RULE), z = 1.
Never run by the test suite; takes about 15 seconds.
"""

import argparse
import itertools
import math
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python bench/judging_simulation.py` puts bench/ first on the path

from festival.judging.math import calibration  # noqa: E402
from festival.judging.math.assignment import ExhibitSlot, JudgeSlot, Plan, design_stats, plan_assignments  # noqa: E402

MEAN_QUALITY, QUALITY_SD, OFFSET_SD, LOG_SCALE_SD, NOISE_SD = 65.0, 10.0, 5.0, 0.15, 4.0
MISSING_SHARE, SINGLE_SHARE = 0.08, 0.10
TOPIC_GAP = 12.0
QUOTAS = calibration.Quotas(first=1, second=2, third=3, honourable_share=0.30)
METHODS = (("mean", "raw mean"), ("normalised", "z-scores (m = 3)"), ("effects", "judge effects (m = 1)"))


@dataclass
class Category:
    """One simulated category: the true qualities and offsets, and the submitted ratings."""

    quality: dict[int, float]
    offsets: dict[int, float]
    ratings: list = field(default_factory=list)


@dataclass
class Tally:
    """Sums over draws for one scenario."""

    taus: dict[str, list[float]] = field(default_factory=lambda: {m: [] for m, _ in METHODS})
    slopes: dict[str, list[tuple[float, float]]] = field(default_factory=lambda: {"offset": [], "effect": []})
    flags: dict[tuple[str, str, str], list[int]] = field(
        default_factory=dict
    )  # (method, rule, subset) → hit, flagged, misplaced


def simulate_scores(rng: random.Random, category: Category, pairs: list[tuple[int, int]]) -> None:
    """Totals for the (exhibit, judge) pairs, less the sheets never submitted and single-sheet exhibits."""
    scales = {j: math.exp(rng.gauss(0, LOG_SCALE_SD)) for j in category.offsets}
    by_exhibit: dict[int, list[int]] = {}
    for exhibit_id, judge_id in sorted(pairs):
        by_exhibit.setdefault(exhibit_id, []).append(judge_id)
    for exhibit_id, judges in by_exhibit.items():
        kept = [j for j in judges if rng.random() >= MISSING_SHARE] or judges[:1]
        if rng.random() < SINGLE_SHARE:
            kept = [rng.choice(judges)]
        for judge_id in kept:
            quality = category.quality[exhibit_id]
            total = MEAN_QUALITY + scales[judge_id] * (quality - MEAN_QUALITY) + category.offsets[judge_id]
            total = min(100.0, max(0.0, total + rng.gauss(0, NOISE_SD)))
            category.ratings.append(calibration.Rating(exhibit_id, judge_id, total, (total,)))


def planned_category(rng: random.Random, exhibits: int = 60, judges: int = 9, k: int = 3) -> Category:
    """A category planned by plan_assignments."""
    exhibit_slots = [ExhibitSlot(e, 1, None, f"KT-{e:04d}") for e in range(exhibits)]
    judge_slots = [JudgeSlot(1000 + j, None, frozenset({1}), f"Judge {j:02d}") for j in range(judges)]
    plan = plan_assignments(exhibit_slots, judge_slots, set(), set(), k)
    category = Category(
        quality={e: rng.gauss(MEAN_QUALITY, QUALITY_SD) for e in range(exhibits)},
        offsets={j.judge_id: rng.gauss(0, OFFSET_SD) for j in judge_slots},
    )
    simulate_scores(rng, category, sorted(plan.pairs))
    return category


def topic_category(rng: random.Random, exhibits: int = 60, judges: int = 9, k: int = 3) -> Category:
    """Two topics 12 points apart; each judge group mostly judges its own topic."""
    groups = ([1000 + j for j in range(0, judges, 2)], [1000 + j for j in range(1, judges, 2)])
    category = Category(quality={}, offsets={j: rng.gauss(0, OFFSET_SD) for g in groups for j in g})
    pairs = []
    for e in range(exhibits):
        topic = e % 2
        category.quality[e] = rng.gauss(MEAN_QUALITY + (TOPIC_GAP / 2 if topic == 0 else -TOPIC_GAP / 2), QUALITY_SD)
        own, other = groups[topic], groups[1 - topic]
        panel = rng.sample(own, k - 1) + [rng.choice(other)] if e % 3 == 0 else rng.sample(own, k)
        pairs += [(e, j) for j in panel]
    simulate_scores(rng, category, pairs)
    return category


def big_categories(rng: random.Random) -> list[Category]:
    """1,000 exhibits in 8 categories, 40 judges on two panels each, planned together."""
    exhibit_slots = [ExhibitSlot(e, 1 + e % 8, None, f"KT-{e:04d}") for e in range(1000)]
    judge_slots = [JudgeSlot(1000 + j, None, frozenset({1 + j % 8, 1 + (j + 3) % 8}), f"J{j:02d}") for j in range(40)]
    plan = plan_assignments(exhibit_slots, judge_slots, set(), set(), 3)
    offsets = {j.judge_id: rng.gauss(0, OFFSET_SD) for j in judge_slots}
    categories = []
    for category_id in range(1, 9):
        ids = [e.exhibit_id for e in exhibit_slots if e.category_id == category_id]
        panel = {j.judge_id for j in judge_slots if category_id in j.categories}
        category = Category({e: rng.gauss(MEAN_QUALITY, QUALITY_SD) for e in ids}, {j: offsets[j] for j in panel})
        simulate_scores(rng, category, [(e, j) for e, j in plan.pairs if e in category.quality])
        categories.append(category)
    return categories


def kendall_tau_b(truth: dict[int, float], estimate: dict[int, float]) -> float:
    """Kendall's τ-b between two scorings of the same exhibits (ties counted as neither)."""
    keys = sorted(truth)
    concordant = discordant = ties_truth = ties_estimate = 0
    for a, b in itertools.combinations(keys, 2):
        dt, de = truth[a] - truth[b], estimate[a] - estimate[b]
        if dt == 0 or de == 0:
            ties_truth += dt == 0
            ties_estimate += de == 0
        elif (dt > 0) == (de > 0):
            concordant += 1
        else:
            discordant += 1
    pairs = len(keys) * (len(keys) - 1) / 2
    denominator = math.sqrt((pairs - ties_truth) * (pairs - ties_estimate))
    return (concordant - discordant) / denominator if denominator else 0.0


def tiers_by(scores: dict[int, float]) -> dict[int, str | None]:
    """The tiers the quotas give to exhibits in the order of `scores`, best first."""
    labels = ["first"] * QUOTAS.first + ["second"] * QUOTAS.second + ["third"] * QUOTAS.third
    awarded = math.ceil(round(QUOTAS.honourable_share * len(scores), 9))
    labels += ["honourable"] * max(0, awarded - len(labels))
    order = sorted(scores, key=lambda e: (-scores[e], e))
    return {e: (labels[i] if i < len(labels) else None) for i, e in enumerate(order)}


def measure(category: Category, tally: Tally) -> None:
    """Add one category's figures to the tally."""
    scored = sorted({r.exhibit_id for r in category.ratings})
    truth = {e: category.quality[e] for e in scored}
    true_tiers = tiers_by(truth)
    entries = [calibration.Entry(e, f"KT-{e:04d}", 0) for e in scored]
    for method, _ in METHODS:
        results = calibration.exhibit_results(category.ratings, entries, method=method)
        tally.taus[method].append(kendall_tau_b(truth, {r.exhibit_id: r.score for r in results}))
        if method == "normalised":
            continue
        ranked = calibration.rank(results, entries)
        tiers = calibration.propose_tiers(ranked, QUOTAS)
        misplaced = {e for e in scored if tiers[e] != true_tiers[e]}
        single = {r.exhibit_id for r in results if r.n == 1}
        for rule, flagged in (
            ("old", calibration.near_cutoffs(ranked, tiers)),
            ("pooled", calibration.near_cutoffs_pooled(ranked, tiers)),
        ):
            for subset, members in (("all", set(scored)), ("single", single)):
                counts = tally.flags.setdefault((method, rule, subset), [0, 0, 0])
                counts[0] += len(flagged & misplaced & members)
                counts[1] += len(flagged & members)
                counts[2] += len(misplaced & members)
    stats = calibration.judge_severity(category.ratings)
    judges = sorted(stats)
    true_centre = statistics.fmean(category.offsets[j] for j in judges)
    for kind in ("offset", "effect"):
        centre = statistics.fmean(getattr(stats[j], kind) for j in judges)
        for j in judges:
            tally.slopes[kind].append((category.offsets[j] - true_centre, getattr(stats[j], kind) - centre))


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of estimated on true (both centred already)."""
    return math.fsum(t * e for t, e in points) / math.fsum(t * t for t, _ in points)


def report(name: str, tally: Tally, draws: int) -> None:
    print(f"\n{name} ({draws} draws)")
    print("  Kendall τ-b to the true order (mean ± SD over draws)")
    for method, label in METHODS:
        taus = tally.taus[method]
        print(f"    {label:<24} {statistics.fmean(taus):.3f} ± {statistics.stdev(taus) if len(taus) > 1 else 0:.3f}")
    print("  Severity: slope of estimated on true judge offsets (1 = unbiased)")
    print(f"    {'panel-mean offset':<24} {slope(tally.slopes['offset']):.3f}")
    print(f"    {'judge-effects offset':<24} {slope(tally.slopes['effect']):.3f}")
    print("  Cutoff flags vs exhibits whose proposed tier is not their true tier (z = 1)")
    print(
        f"    {'ranking':<14} {'rule':<7} {'subset':<7} {'flagged':>8} {'misplaced':>9} {'precision':>9} {'recall':>7}"
    )
    for method in ("mean", "effects"):
        for rule in ("old", "pooled"):
            for subset in ("all", "single"):
                hit, flagged, misplaced = tally.flags[(method, rule, subset)]
                precision = f"{hit / flagged:.2f}" if flagged else "–"
                recall = f"{hit / misplaced:.2f}" if misplaced else "–"
                label = "judge effects" if method == "effects" else "raw mean"
                print(f"    {label:<14} {rule:<7} {subset:<7} {flagged:>8} {misplaced:>9} {precision:>9} {recall:>7}")


def random_balanced_pairs(rng: random.Random, exhibit_ids: list[int], panel: list[int], k: int) -> set[tuple[int, int]]:
    """A random design with loads within one: the panel repeated in random order, dealt k to an exhibit."""
    rounds = math.ceil(len(exhibit_ids) * k / len(panel))
    slots = [j for _ in range(rounds) for j in rng.sample(panel, len(panel))][: len(exhibit_ids) * k]
    rng.shuffle(slots)
    for _ in range(100):  # swap away a judge twice on one exhibit
        clashes = [i for i in range(len(slots)) if slots[i] in slots[i - i % k : i - i % k + k][: i % k]]
        if not clashes:
            break
        for i in clashes:
            j = rng.randrange(len(slots))
            slots[i], slots[j] = slots[j], slots[i]
    return {(exhibit_ids[i // k], judge_id) for i, judge_id in enumerate(slots)}


def design_figures(plan_pairs, exhibit_slots, judge_slots) -> tuple[int, float, float, int, int]:
    """Distinct panels (all categories), the lowest and mean pair coverage, the widest load spread, total spread."""
    plan = Plan(frozenset(plan_pairs), ())
    stats = design_stats(plan, exhibit_slots, judge_slots).values()
    totals = plan.loads()
    return (
        sum(s.distinct_panels for s in stats),
        min(s.pair_coverage for s in stats),
        statistics.fmean(s.pair_coverage for s in stats),
        max(s.max_load - s.min_load for s in stats),
        max(totals.values()) - min(totals.values()),
    )


def planner_report(seed: int) -> None:
    print("\nPlanner: varied panels (no conflicts) beside a random balanced design (mean of 10 random designs)")
    print(
        f"  {'layout':<38} {'design':<8} {'panels':>7} {'min cover':>9} {'mean cover':>10} {'spread':>6} "
        f"{'totals':>6} {'CPU s':>6}"
    )
    layouts = [
        ("60 exhibits / 9 judges / k=3", 60, 1, [frozenset({1})] * 9),
        (
            "1,000 / 40 judges / k=3, 8 categories",
            1000,
            8,
            [frozenset({1 + j % 8, 1 + (j + 3) % 8}) for j in range(40)],
        ),
        ("1,000 / 40 judges / k=3, one category", 1000, 1, [frozenset({1})] * 40),
    ]
    for label, count, categories, panels in layouts:
        exhibit_slots = [ExhibitSlot(e, 1 + e % categories, None, f"KT-{e:04d}") for e in range(count)]
        judge_slots = [JudgeSlot(1000 + j, None, p, f"J{j:02d}") for j, p in enumerate(panels)]
        started = time.process_time()
        plan = plan_assignments(exhibit_slots, judge_slots, set(), set(), 3)
        seconds = time.process_time() - started
        figures = design_figures(plan.pairs, exhibit_slots, judge_slots)
        print(
            f"  {label:<38} {'planner':<8} {figures[0]:>7} {figures[1]:>9.3f} {figures[2]:>10.3f} {figures[3]:>6} "
            f"{figures[4]:>6} {seconds:>6.2f}"
        )
        rng = random.Random(seed)
        runs = []
        for _ in range(10):
            pairs = set()
            for category_id in range(1, categories + 1):
                ids = [e.exhibit_id for e in exhibit_slots if e.category_id == category_id]
                panel = [j.judge_id for j in judge_slots if category_id in j.categories]
                pairs |= random_balanced_pairs(rng, ids, panel, 3)
            runs.append(design_figures(pairs, exhibit_slots, judge_slots))
        mean = [statistics.fmean(r[i] for r in runs) for i in range(5)]
        print(
            f"  {'':<38} {'random':<8} {mean[0]:>7.1f} {mean[1]:>9.3f} {mean[2]:>10.3f} {max(r[3] for r in runs):>6} "
            f"{max(r[4] for r in runs):>6} {'':>6}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--draws", type=int, default=100, help="simulated festivals per 60-exhibit scenario (default 100)"
    )
    parser.add_argument("--big-draws", type=int, default=5, help="simulated 1,000-exhibit festivals (default 5)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the first draw (default 1)")
    options = parser.parse_args()
    started = time.perf_counter()
    print(f"Judging simulation, seed {options.seed}, Python {sys.version.split()[0]}")
    print(
        f"  quality N({MEAN_QUALITY:.0f}, {QUALITY_SD:.0f}), offsets N(0, {OFFSET_SD:.0f}), "
        f"log scale N(0, {LOG_SCALE_SD}), noise N(0, {NOISE_SD:.0f}); {MISSING_SHARE:.0%} of sheets missing, "
        f"{SINGLE_SHARE:.0%} of exhibits single-sheet"
    )
    for name, build, draws in (
        ("Planned: 60 exhibits, 9 judges, k = 3", planned_category, options.draws),
        (
            "Topic-grouped: 60 exhibits in two topics 12 points apart, 9 judges in two groups",
            topic_category,
            options.draws,
        ),
    ):
        tally = Tally()
        for draw in range(draws):
            measure(build(random.Random(options.seed * 100_003 + draw)), tally)
        report(name, tally, draws)
    if options.big_draws:
        tally = Tally()
        for draw in range(options.big_draws):
            for category in big_categories(random.Random(options.seed * 100_019 + draw)):
                measure(category, tally)
        report(
            "Big: 1,000 exhibits in 8 categories of 125, 40 judges on two panels each, k = 3 (per category)",
            tally,
            options.big_draws,
        )
    planner_report(options.seed)
    print(f"\n{time.perf_counter() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
