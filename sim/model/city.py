"""The unit table: loading and checking it, repairing suspect populations, and desks and staff per unit."""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.errors import ConfigError

DATA_DIR = Path(__file__).resolve().parents[1] / "data"  # sim/data/, shipped with the package
KINDS = ("ward", "commune")  # the kinds of the unit table's rows
CENTRE_KIND = "centre"  # a branch of the City Public Administration Service Centre (sim.analysis.scopes)
NODE_KINDS = (*KINDS, CENTRE_KIND)  # every kind of node a scenario simulates
# A branch's Unit.index is this plus its row in the branch table: beyond every row of a unit table,
# so the branches' random streams never coincide with a unit's, and leaving the Centre out (or in)
# changes no unit's numbers.
CENTRE_INDEX_BASE = 1000
COLUMNS = ("slug", "name", "kind", "area_km2", "population", "population_suspect")  # the columns the model reads
MAX_POPULATION = 100_000_000  # a unit's residents; more is a typo (Vietnam has about 100 million)
SLUG = re.compile(r"[A-Za-z0-9_-]+")  # slugs are written in overrides: city.units=[SLUG], desks.per_unit.SLUG=...
KEY = "city.table"


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


@dataclass(frozen=True)
class _Row:
    """One checked row of the table."""

    slug: str
    name: str
    kind: str
    area_km2: float
    population: int
    suspect: bool


def table_path(table: str) -> Path:
    """``table`` as a path from the current folder, or else the file of that name in sim/data/."""
    return Path(table) if Path(table).is_file() else DATA_DIR / table


def load_units(table: str, suspect_rule: str) -> list[Unit]:
    """Read and check the unit table; with ``suspect_rule == "median_density"`` a population flagged
    as suspect is replaced by area × the median density of unflagged units of the same kind.

    Any problem raises :class:`ConfigError` for ``city.table`` naming the file, line and column."""
    rows = _read_rows(table)
    densities = {}
    for kind in KINDS:
        flagged = [r for r in rows if r.kind == kind and r.suspect]
        trusted = [r.population / r.area_km2 for r in rows if r.kind == kind and not r.suspect]
        if flagged and suspect_rule == "median_density" and not trusted:
            raise ConfigError(KEY, f"{table}: every {kind} has population_suspect=yes, so no median density "
                                   f"can replace their populations (or set city.suspect_population=keep)")
        densities[kind] = float(np.median(trusted)) if trusted else math.nan
    units = []
    for i, row in enumerate(rows):
        imputed = row.suspect and suspect_rule == "median_density"
        population = round(row.area_km2 * densities[row.kind]) if imputed else row.population
        units.append(Unit(i, row.slug, row.name, row.kind, row.area_km2, row.population, population, imputed))
    return units


def _read_rows(table: str) -> list[_Row]:
    path = table_path(table)
    if not path.is_file():
        raise ConfigError(KEY, f"{table}: no such file (looked from the current folder and in {DATA_DIR})")
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None:
                raise ConfigError(KEY, f"{table}: the file is empty (a header row and one row per unit are needed)")
            doubled = sorted({c for c in reader.fieldnames if reader.fieldnames.count(c) > 1})
            if doubled:  # csv would silently keep the last of them
                raise ConfigError(KEY, f"{table}: column {', '.join(map(repr, doubled))} appears more than once "
                                       f"in the header")
            missing = [c for c in COLUMNS if c not in reader.fieldnames]
            if missing:
                raise ConfigError(KEY, f"{table}: no column {', '.join(map(repr, missing))} "
                                       f"(the columns needed: {', '.join(COLUMNS)})")
            rows, seen = [], {}
            for raw in reader:
                rows.append(_checked_row(raw, table, reader.line_num, seen))
    except UnicodeDecodeError:
        raise ConfigError(KEY, f"{table}: not UTF-8 text") from None
    except csv.Error as exc:
        raise ConfigError(KEY, f"{table}: not a readable CSV table ({exc})") from None
    except OSError as exc:
        raise ConfigError(KEY, f"{table}: cannot be read ({exc.strerror or exc})") from None
    if not rows:
        raise ConfigError(KEY, f"{table}: the table has no units (only a header row)")
    return rows


def _checked_row(raw: dict, table: str, line: int, seen: dict[str, int]) -> _Row:
    """One row, checked; ``seen`` maps the slugs of the rows before to their lines."""
    where = f"{table}: line {line}"
    if None in raw:  # csv puts the fields beyond the header under the key None
        raise ConfigError(KEY, f"{where}: more fields than the header has columns")
    slug = (raw["slug"] or "").strip()
    if not SLUG.fullmatch(slug):
        raise ConfigError(KEY, f"{where}: column 'slug': {slug!r} is not a slug (letters, digits, _ and - only)")
    where = f"{where} (slug {slug})"
    if slug in seen:
        raise ConfigError(KEY, f"{where}: column 'slug': {slug!r} is already the slug of line {seen[slug]}")
    seen[slug] = line

    def text(column: str) -> str:
        value = raw[column]
        if value is None or not value.strip():
            raise ConfigError(KEY, f"{where}: column {column!r} is empty")
        return value.strip()

    kind = text("kind")
    if kind not in KINDS:
        raise ConfigError(KEY, f"{where}: column 'kind': unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    try:
        area = float(text("area_km2"))
    except ValueError:
        raise ConfigError(KEY, f"{where}: column 'area_km2': {raw['area_km2']!r} is not a number") from None
    if not math.isfinite(area) or area <= 0:
        raise ConfigError(KEY, f"{where}: column 'area_km2': the area must be a positive number, got {area:g}")
    try:
        population = int(text("population"))
    except ValueError:
        raise ConfigError(KEY, f"{where}: column 'population': {raw['population']!r} is not a whole number") from None
    if not 0 <= population <= MAX_POPULATION:
        raise ConfigError(KEY, f"{where}: column 'population': must be between 0 and {MAX_POPULATION:,}, "
                               f"got {population:,}")
    suspect = text("population_suspect").lower()
    if suspect not in ("yes", "no"):
        raise ConfigError(KEY, f"{where}: column 'population_suspect': {raw['population_suspect']!r} is not yes or no")
    return _Row(slug, text("name"), kind, area, population, suspect == "yes")


def branch_unit(row: int, slug: str, name: str) -> Unit:
    """A branch of the City Centre as a node: it has no residents (its demand is given directly),
    so its population is 0 and no rule that reads a population applies to it."""
    return Unit(CENTRE_INDEX_BASE + row, slug, name, CENTRE_KIND, math.nan, 0, 0, False)


def desks_by_rule(unit: Unit, rule: str, fixed: int, residents_per_desk: int, low: int, high: int) -> int:
    if rule == "fixed":
        return fixed
    return int(np.clip(math.ceil(unit.population / residents_per_desk), low, high))


def framework_headcount(unit: Unit, base: int, base_population: int, per_extra: int, cap: int) -> int:
    """Civil servants under the national framework: ``base`` plus one per ``per_extra`` residents
    above ``base_population``, capped."""
    extra = max(0, unit.population - base_population) // per_extra
    return min(cap, base + extra)
