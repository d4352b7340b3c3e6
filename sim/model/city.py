"""The unit table: loading it, repairing suspect populations, and desks and staff per unit."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parents[1] / "data"  # sim/data/, shipped with the package
KINDS = ("ward", "commune")


@dataclass(frozen=True)
class Unit:
    index: int  # row in the full table: fixes the unit's random streams whatever is selected
    slug: str
    name: str
    kind: str
    area_km2: float
    population_reported: int
    population: int  # used by the model (imputed where the reported value is suspect)
    population_imputed: bool


def load_units(table: str, suspect_rule: str) -> list[Unit]:
    """Read the unit table; with ``suspect_rule == "median_density"`` a population flagged as
    suspect is replaced by area × the median density of unflagged units of the same kind."""
    path = Path(table) if Path(table).is_file() else DATA_DIR / table
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    suspect = [row["population_suspect"].strip().lower() == "yes" for row in rows]
    median_density = {
        kind: float(np.median([int(r["population"]) / float(r["area_km2"])
                               for r, s in zip(rows, suspect) if r["kind"] == kind and not s]))
        for kind in KINDS
    }
    units = []
    for i, (row, flagged) in enumerate(zip(rows, suspect)):
        area, reported = float(row["area_km2"]), int(row["population"])
        imputed = flagged and suspect_rule == "median_density"
        population = round(area * median_density[row["kind"]]) if imputed else reported
        units.append(Unit(i, row["slug"], row["name"], row["kind"], area, reported, population, imputed))
    return units


def desks_by_rule(unit: Unit, rule: str, fixed: int, residents_per_desk: int, low: int, high: int) -> int:
    if rule == "fixed":
        return fixed
    return int(np.clip(math.ceil(unit.population / residents_per_desk), low, high))


def framework_headcount(unit: Unit, base: int, base_population: int, per_extra: int, cap: int) -> int:
    """Civil servants under the national framework: ``base`` plus one per ``per_extra`` residents
    above ``base_population``, capped."""
    extra = max(0, unit.population - base_population) // per_extra
    return min(cap, base + extra)
