"""A unit's class under Decree 307/2025/ND-CP (wards special, I, II, III; communes I, II, III).

The decree scores four criteria, 100 points at most: population, natural area, socio-economic
conditions (Art. 6 cl. 3 for communes) and special factors (Art. 6 cl. 4 for communes). We have
data for the first two only (the unit table); the other two enter as one number per kind,
``structure.classes.<kind>.other_points`` (*assumption*, docs/recommend.md, "The city plan under Decree 370").

Where each number comes from (the decree's own text was read only up to Art. 3; the rest from
reports of it):

* the class from the total: special (wards only) at 90 points or more, I at 75 or more, II at 60
  or more, III below 60; a criterion's points rounded to two decimals; points above a criterion's
  base level pro rata to the difference (Decree 307/2025, as reported by VietNamNet and Dân trí,
  28-29 Nov 2025; the article number was not seen). The decree also asks a special ward for "large"
  population and area and priority criteria; that is not checked here (*assumption*: points alone).
* communes' population and area: 15 points at 20,000 people (50 km²) or less, 0.5 more per 1,000
  people (10 km²) above, at most 25 each: the draft decree of Sept 2025 (Lao Động, "Bộ Nội vụ đưa ra
  cách tính điểm phân loại xã"); the final Art. 6 cl. 1-2 was not seen (*assumption* that it kept them).
* wards' population and area: not found (*assumption*, a proxy): the communes' shape (15 points at
  the base, at most 25), the base at Resolution 112/2025/UBTVQH15's ward standard (21,000 people,
  5.5 km²) and the step the same share of the base as for communes (1/20 of the population base,
  1/5 of the area base).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.model.city import Unit

CLASSES = ("special", "I", "II", "III")  # best first: the order the class rule takes wards in


@dataclass(frozen=True)
class Criterion:
    """Points for one measured criterion: ``base_points`` at ``base`` or less, ``step_points`` more
    per ``step`` above it, pro rata, at most ``max_points``."""

    base: float
    step: float
    base_points: float = 15.0
    step_points: float = 0.5
    max_points: float = 25.0

    def points(self, value: float) -> float:
        extra = max(0.0, value - self.base) / self.step * self.step_points
        return round(min(self.max_points, self.base_points + extra), 2)


@dataclass(frozen=True)
class KindScoring:
    population: Criterion
    area: Criterion
    other_points: float  # socio-economic conditions and special factors together (assumption)


@dataclass(frozen=True)
class Thresholds:
    special: float = 90.0  # wards only
    class_i: float = 75.0
    class_ii: float = 60.0


def scoring_from(c: dict) -> tuple[dict[str, KindScoring], Thresholds]:
    """The scoring per kind and the thresholds from a checked ``structure.classes`` section."""
    kinds = {kind: KindScoring(Criterion(**c[kind]["population"]), Criterion(**c[kind]["area"]),
                               float(c[kind]["other_points"])) for kind in ("ward", "commune")}
    return kinds, Thresholds(float(c["special_points"]), float(c["class_i_points"]), float(c["class_ii_points"]))


def unit_points(unit: Unit, scoring: dict[str, KindScoring]) -> dict[str, float]:
    """The unit's points per criterion and in total."""
    s = scoring[unit.kind]
    population, area = s.population.points(unit.population), s.area.points(unit.area_km2)
    return {"population_points": population, "area_points": area, "other_points": s.other_points,
            "points": round(population + area + s.other_points, 2)}


def class_of(kind: str, points: float, thresholds: Thresholds) -> str:
    """The class a unit of ``kind`` with ``points`` gets (only wards can be special)."""
    if math.isnan(points):
        raise ValueError("points must be a number")
    if kind == "ward" and points >= thresholds.special:
        return "special"
    if points >= thresholds.class_i:
        return "I"
    return "II" if points >= thresholds.class_ii else "III"


def classify(units: list[Unit], c: dict) -> list[dict]:
    """One row per unit: slug, kind, population, area, the points per criterion, total and class."""
    scoring, thresholds = scoring_from(c)
    rows = []
    for u in units:
        p = unit_points(u, scoring)
        rows.append({"slug": u.slug, "kind": u.kind, "population": u.population, "area_km2": u.area_km2, **p,
                     "unit_class": class_of(u.kind, p["points"], thresholds)})
    return rows
