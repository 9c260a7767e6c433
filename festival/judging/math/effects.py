"""The judge-effects model of one category: total(e, j) = quality(e) + offset(j) + noise.

Plain numbers in and out (no database, no Flask). Fitted by least squares with a ridge penalty
on the offsets, solved exactly from the normal equations: quality is eliminated exhibit by
exhibit, which leaves one small system in the judges' offsets (40 judges, 40 unknowns), solved
by Gaussian elimination. Judges are compared only through exhibits they share, so the offsets of
judges in separate groups (no chain of shared exhibits between them) cannot be compared; each
group's offsets are centred to 0 and the groups are reported.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise


@dataclass(frozen=True)
class EffectsFit:
    """The fitted model: each exhibit's quality on the totals' scale (the total a judge of offset 0
    would give), each judge's offset (negative = harsh) and the groups of judges it compares."""

    quality: dict[int, float]
    offsets: dict[int, float]
    components: tuple[tuple[int, ...], ...]  # judges linked by shared exhibits, each sorted
    shrinkage: float
    residual_ss: float  # Σ (total − quality − offset)² of the fit without shrinkage
    residual_df: int  # sheets of exhibits with ≥ 2 sheets, less those exhibits, less linked judges − groups

    @property
    def is_connected(self) -> bool:
        """Whether every judge can be compared with every other (one group at most)."""
        return len(self.components) <= 1

    @property
    def residual_ms(self) -> float | None:
        """The noise variance σ² after removing judge offsets (None without a degree of freedom)."""
        return self.residual_ss / self.residual_df if self.residual_df > 0 else None


def fit_effects(observations: Iterable[tuple[int, int, float]], shrinkage: float = 1.0) -> EffectsFit:
    """Fit total = quality(exhibit) + offset(judge) to (exhibit_id, judge_id, total) triples.

    Minimises Σ (total − quality_e − offset_j)² + shrinkage × Σ offset_j²: the penalty acts as if
    each judge had also given `shrinkage` sheets that match the model with an offset of 0, so a
    judge with few sheets is pulled toward 0 and one with many keeps nearly the full offset. The
    penalty also centres the offsets of each group of judges to a sum of 0; with shrinkage 0 the
    fit is plain least squares with that centring. An exhibit scored once has quality = its total
    − its judge's offset; a judge seen only on such exhibits has offset 0 and a group of their own.

    :raise ValueError: negative or NaN shrinkage, or two totals for one (exhibit, judge).
    """
    if not shrinkage >= 0 or math.isinf(shrinkage):
        raise ValueError("shrinkage must be a finite non-negative number")
    ordered = sorted((int(e), int(j), float(x)) for e, j, x in observations)
    for first, second in pairwise(ordered):
        if first[:2] == second[:2]:
            raise ValueError(f"two totals of exhibit {first[0]} by judge {first[1]}")
    judges = sorted({j for _, j, _ in ordered})
    index = {j: i for i, j in enumerate(judges)}
    by_exhibit: dict[int, list[tuple[int, float]]] = {}
    for exhibit_id, judge_id, total in ordered:
        by_exhibit.setdefault(exhibit_id, []).append((index[judge_id], total))

    groups = _groups(len(judges), by_exhibit.values())
    offsets = _solve_offsets(len(judges), by_exhibit, groups, shrinkage)
    quality = _quality(by_exhibit, offsets)
    plain = offsets if shrinkage == 0 else _solve_offsets(len(judges), by_exhibit, groups, 0.0)
    plain_quality = quality if shrinkage == 0 else _quality(by_exhibit, plain)
    residual_ss = math.fsum(
        (total - plain_quality[e] - plain[j]) ** 2
        for e, sheets in by_exhibit.items()
        if len(sheets) >= 2
        for j, total in sheets
    )
    linked = sum(len(group) - 1 for group in groups)
    residual_df = sum(len(sheets) - 1 for sheets in by_exhibit.values() if len(sheets) >= 2) - linked
    return EffectsFit(
        quality=quality,
        offsets={j: offsets[index[j]] for j in judges},
        components=tuple(sorted(tuple(judges[i] for i in group) for group in groups)),
        shrinkage=float(shrinkage),
        residual_ss=residual_ss,
        residual_df=residual_df,
    )


def _groups(size: int, sheets_by_exhibit: Iterable[list[tuple[int, float]]]) -> list[list[int]]:
    """Judges (by index) linked by exhibits they both scored, each group sorted, in order of its first judge."""
    parent = list(range(size))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for sheets in sheets_by_exhibit:
        for (a, _), (b, _) in pairwise(sheets):
            parent[find(b)] = find(a)
    groups: dict[int, list[int]] = {}
    for i in range(size):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values())


def _solve_offsets(size, by_exhibit, groups, shrinkage: float) -> list[float]:
    """The offsets (by judge index) minimising the penalised sum of squares, centred per group.

    With quality eliminated (quality_e = mean over its sheets of total − offset), the normal
    equations read (C + shrinkage·I)·offsets = b, with C the judges' "C-matrix" of the design:
    C_jj = Σ_e (1 − 1/n_e), C_ij = −Σ_e 1/n_e over the exhibits e that i and j share, and
    b_j = Σ_e (total_ej − mean_e). C is singular along a constant within each group (only
    differences are measured), so (1/size)·11ᵀ of the group is added: it changes nothing for a
    solution whose group sums to 0, and the penalised solution always does.
    """
    matrix = [[0.0] * size for _ in range(size)]
    right: list[list[float]] = [[] for _ in range(size)]
    for sheets in by_exhibit.values():
        n = len(sheets)
        if n < 2:
            continue
        mean = math.fsum(total for _, total in sheets) / n
        for j, total in sheets:
            right[j].append(total - mean)
            row = matrix[j]
            for i, _ in sheets:
                row[i] -= 1 / n
            row[j] += 1
    offsets = [0.0] * size
    for group in groups:
        if len(group) == 1:
            continue  # nothing links this judge to another: the centred offset is 0
        share = 1 / len(group)
        system = [[matrix[i][j] + share + (shrinkage if i == j else 0.0) for j in group] for i in group]
        solution = _gauss(system, [math.fsum(right[i]) for i in group])
        mean = math.fsum(solution) / len(group)
        for i, value in zip(group, solution):
            offsets[i] = value - mean  # removes the rounding left in the group's sum
    return offsets


def _quality(by_exhibit, offsets: list[float]) -> dict[int, float]:
    """Each exhibit's quality: the mean of its totals less its judges' offsets."""
    return {e: math.fsum(total - offsets[j] for j, total in sheets) / len(sheets) for e, sheets in by_exhibit.items()}


def _gauss(matrix: list[list[float]], right: list[float]) -> list[float]:
    """Solve matrix · x = right by Gaussian elimination with partial pivoting (the matrix is consumed)."""
    size = len(right)
    rows = [row + [value] for row, value in zip(matrix, right)]
    for column in range(size):
        pivot = max(range(column, size), key=lambda r: abs(rows[r][column]))
        rows[column], rows[pivot] = rows[pivot], rows[column]
        lead = rows[column]
        for r in range(column + 1, size):
            factor = rows[r][column] / lead[column]
            if factor:
                row = rows[r]
                for c in range(column, size + 1):
                    row[c] -= factor * lead[c]
    solution = [0.0] * size
    for r in range(size - 1, -1, -1):
        row = rows[r]
        solution[r] = (row[size] - math.fsum(row[c] * solution[c] for c in range(r + 1, size))) / row[r]
    return solution
