"""Bounds and the small checks every section of a config goes through (:mod:`sim.config.build`):
a finite number within its bounds, a choice, a date, a clock time, a distribution, shares summing
to one. Each raises :class:`~sim.errors.ConfigError` naming the offending key."""

from __future__ import annotations

import datetime as dt
import math
import os
from typing import Any

from sim.model.calendar import parse_clock
from sim.model.catalogue import DISTRIBUTION_KINDS, Distribution
from sim.errors import ConfigError

SHARE_TOLERANCE = 1e-6

# --- bounds -----------------------------------------------------------------------------------
# Every number must be finite and within these bounds (docs/configuration.md, "Bad input"; docs/keys.md). Upper bounds stand
# wherever memory or time grows with the value; each is far above real use in Hanoi.
MAX_REPLICATIONS = 1000  # results take ~21 KB per unit and replication over two months: 126 units x 1000 ~ 2.6 GB
MAX_WORKERS = max(64, os.cpu_count() or 1)  # each worker process takes ~100 MB; more than the cores only waits
MAX_PERIOD_DAYS = 3660  # ten years of simulated days
MAX_RECORDS_PER_UNIT = 2_000_000  # expected records of one unit and replication, ~540 bytes each: ~1 GB per worker
# Results kept until a run ends, per unit and replication (measured: 15 KB for 61 days, 27 KB for 365),
# plus 97 bytes a day for the desk queue by hour (24 float32) and the open-day flag.
RESULT_BYTES_PER_UNIT, RESULT_BYTES_PER_UNIT_DAY = 12_500, 40 + 97
MAX_RESULT_BYTES = 4 * 2**30  # 4 GB: 126 units x 1000 replications of two months take ~2.6 GB
MAX_DESKS = 1000  # per unit (Hanoi's units have 2-12)
MAX_CITY_POSITIONS = 1_000_000  # staff.city_positions (Hanoi's units have 9,622), structure.max_added_positions
MAX_STAFF = 10_000  # per department, and every headcount of the staffing framework
MAX_MINUTES = 100_000.0  # desk, effort, approval and patience times, the wait target (~70 days of clock time)
MAX_WORKING_DAYS = 1000  # deadlines, external lags and waits for missing papers (~4 years)
MAX_CV = 10.0  # coefficient of variation of a distribution
MAX_WEIGHT = 1e6  # a relative weight (arrival profile, a department's staff weight)
MAX_SCALE = 1000.0  # scenario.effort_scale, scenario.external_lag_scale, staff.breadth_penalty
MAX_GROWTH = 100.0  # scenario.demand.growth
MAX_DEMAND_RATE = 1000.0  # records a day per 1,000 residents: one a resident a day


# --- small checks ---------------------------------------------------------------------------
def _number(value: Any, key: str) -> float:
    """``value`` if it is a finite number; NaN, infinity, text and a missing value are refused here
    for every numeric setting."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(key, f"must be a finite number, got {value!r}")
    return value


def _bound(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def check_range(value: float, key: str, low: float, high: float = math.inf, above: bool = False) -> float:
    """``value`` if it is finite and ``low <= value <= high`` (``low < value`` with ``above``)."""
    _number(value, key)
    if value < low or value > high or (above and value == low):
        floor = f"above {_bound(low)}" if above else f"at least {_bound(low)}"
        limit = f"{floor} and at most {_bound(high)}" if high < math.inf else floor
        raise ConfigError(key, f"must be {limit}, got {_bound(value)}")
    return value


def _at_least(section: dict, key: str, low: float, prefix: str = "", high: float = math.inf) -> None:
    check_range(section[key], prefix + key, low, high)


def _positive(section: dict, key: str, prefix: str, high: float) -> None:
    check_range(section[key], prefix + key, 0, high, above=True)


def _share(section: dict, key: str, prefix: str) -> float:
    check_range(section[key], prefix + key, 0.0, 1.0)
    return float(section[key])


def _choice(value: str, key: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ConfigError(key, f"unknown value {value!r}; choose one of {', '.join(allowed)}")
    return value


def _date(text: str, key: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        raise ConfigError(key, f"{text!r} is not a valid date YYYY-MM-DD") from None


def _clock(text: str, key: str) -> int:
    try:
        return parse_clock(str(text))
    except ValueError:
        raise ConfigError(key, f"{text!r} is not a time of day HH:MM") from None


def _sessions(items: list[str], key: str) -> tuple[tuple[int, int], ...]:
    sessions = []
    for k, item in enumerate(items):
        parts = str(item).split("-")
        if len(parts) != 2:
            raise ConfigError(f"{key}[{k}]", f"{item!r} is not a session HH:MM-HH:MM")
        s, e = (_clock(p, f"{key}[{k}]") for p in parts)
        if e <= s:
            raise ConfigError(f"{key}[{k}]", f"session {item!r} ends before it starts")
        if sessions and s < sessions[-1][1]:
            raise ConfigError(f"{key}[{k}]", f"session {item!r} overlaps or precedes the one before")
        sessions.append((s, e))
    return tuple(sessions)


def _distribution(d: dict, key: str, high: float, positive: bool = False) -> Distribution:
    """A distribution whose mean is at most ``high`` (and above 0 if ``positive``)."""
    _choice(d["kind"], f"{key}.kind", DISTRIBUTION_KINDS)
    check_range(d["mean"], f"{key}.mean", 0, high, above=positive)
    _at_least(d, "cv", 0, key + ".", MAX_CV)
    return Distribution(d["kind"], float(d["mean"]), float(d["cv"]))


def _shares_sum_to_one(values: list[float], key: str, what: str) -> None:
    total = float(sum(values))
    if abs(total - 1) > SHARE_TOLERANCE:
        raise ConfigError(key, f"{what} sum to {total:.6g}, not 1")
