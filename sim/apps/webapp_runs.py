"""What the web app computes, without Streamlit: a user's change as Hydra overrides, the checks of
its numbers, today's run and the changed run on the same random numbers (through ``sim.load_config``
and ``sim.run``), their KPIs side by side with paired differences, and the stored city-wide result.

Kept apart from the page (``sim.apps.webapp``) so tests and scripts can call it directly.
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import json
import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable

import pandas as pd

from sim.apps.webapp_texts import t
from sim.config.paths import CONFIG_DIR, PACKAGE_ROOT
from sim.outputs.language import TEXTS as REPORT_TEXTS
from sim.outputs.language import number

START = dt.date(2025, 7, 1)  # the calibrated scenario's first day
CITY_SUMMARY = PACKAGE_ROOT / "data" / "city_summary.json"
CITY_SUMMARY_OVERRIDES: tuple[str, ...] = ()  # the main job (python -m sim): every unit and branch, 1 Jul - 30 Aug 2025
CITY_UNIT_COLUMNS = ("slug", "name", "kind", "desks", "staff", "on_time_of_received_pct",
                     "on_time_of_received_pct_ci95_low", "on_time_of_received_pct_ci95_high", "desk_wait_p90_min",
                     "desk_wait_p90_min_ci95_low", "desk_wait_p90_min_ci95_high", "staff_utilisation_max",
                     "busiest_department")
KPIS = ("on_time_of_received_pct", "desk_wait_p90_min", "desk_wait_mean_min", "abandoned_of_received_pct",
        "lead_time_mean_wd", "staff_utilisation", "overdue", "received")
MAX_UNITS = 12  # a run of more takes minutes on a laptop: the command line is for those
MAX_NAME = 80
# (low, high) of each number a user sets: the app's own bounds, narrower than the schema's, to keep
# a run within a minute or two; the schema checks again.
BOUNDS = {"counters": (-20, 50), "officers": (0.1, 5.0), "growth": (0.1, 5.0), "online_share": (0.0, 1.0),
          "weeks": (1, 9), "replications": (2, 20), "seed": (0, 2**31 - 1)}


@dataclass(frozen=True)
class Choice:
    """A user's change: the units, and what differs from today in them. The defaults are today's
    set-up (the baseline), except the units, the period and the replications."""

    units: tuple[str, ...] = ("ba_dinh", "soc_son")
    structure: str = "three_departments"
    counters: int = 0  # added to each unit's counters today (negative: fewer)
    officers: float = 1.0  # times today's processing officers (staff.procedure_share scaled)
    growth: float = 1.0  # scenario.demand.growth
    online_share: float | None = None  # scenario.demand.online_share; None: the calibrated scenario's
    weeks: int = 2
    replications: int = 3
    seed: int = 20250701
    name: str = ""

    @property
    def end(self) -> dt.date:
        return START + dt.timedelta(days=7 * self.weeks - 1)

    def baseline(self) -> Choice:
        """The same units, period, replications and seed, without the change."""
        return Choice(units=self.units, weeks=self.weeks, replications=self.replications, seed=self.seed)


def structures() -> list[str]:
    """The shipped structures (sim/conf/structure/*.yaml), three_departments (today's) first."""
    names = sorted(p.stem for p in (Path(CONFIG_DIR) / "structure").glob("*.yaml"))
    return sorted(names, key=lambda n: n != "three_departments")


def structure_label(name: str) -> str:
    """A structure's name and its one-line description (its YAML's ``description``)."""
    import yaml

    path = Path(CONFIG_DIR) / "structure" / f"{name}.yaml"
    description = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("description", "") if path.is_file() else ""
    return f"{name}: {description}" if description else name


def unit_table() -> pd.DataFrame:
    """The 126 wards and communes: slug, name, kind, population (the shipped unit table)."""
    frame = pd.read_csv(PACKAGE_ROOT / "data" / "hanoi_units_2025.csv", encoding="utf-8-sig")
    return frame[["slug", "name", "kind", "population"]]


def problems(choice: Choice, language: str) -> list[str]:
    """Plain messages for numbers a run cannot take (empty: the choice can run)."""
    out = []
    if not choice.units:
        out.append(t("e_no_units", language))
    elif len(choice.units) > MAX_UNITS:
        out.append(t("e_too_many", language, n=MAX_UNITS))
    known = set(unit_table()["slug"])
    out += [t("e_config", language, setting="city.units", problem=f"unknown unit {s!r}") for s in choice.units if s not in known]
    if choice.structure not in structures():
        out.append(t("e_config", language, setting="structure", problem=f"unknown structure {choice.structure!r}"))
    labels = {"counters": "counters_change", "officers": "officers_times", "growth": "growth", "online_share": "online",
              "weeks": "weeks", "replications": "replications", "seed": "seed"}
    for key, (low, high) in BOUNDS.items():
        value = getattr(choice, key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or not low <= value <= high or (isinstance(low, int) and value != int(value)):
            out.append(t("e_range", language, what=t(labels[key], language), value=value, low=low, high=high))
    if len(choice.name) > MAX_NAME:
        out.append(t("e_name", language, n=MAX_NAME))
    return out


def common_values(choice: Choice) -> dict[str, object]:
    """The settings today's run and the change share (config key -> value)."""
    return {"city.units": list(choice.units), "replications": choice.replications, "seed": choice.seed,
            "period.start": START.isoformat(), "period.end": choice.end.isoformat(), "progress": False, "workers": 1}


def change_values(choice: Choice, desks_today: dict[str, int], procedure_share_today: float) -> dict[str, object]:
    """The settings of the change besides its structure, given each unit's counters and the officers' share today."""
    out: dict[str, object] = {"scenario.demand.growth": float(choice.growth),
                              "staff.procedure_share": procedure_share_today * choice.officers}
    if choice.online_share is not None:
        out["scenario.demand.online_share"] = float(choice.online_share)
    if choice.counters:
        out |= {f"desks.per_unit.{slug}": max(1, desks_today[slug] + choice.counters) for slug in choice.units}
    return out


def as_overrides(structure: str, values: dict[str, object]) -> list[str]:
    """The same settings as Hydra overrides, as the command line would take them."""
    def written(value) -> str:
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, list):
            return "[" + ",".join(map(str, value)) + "]"
        return f"{value:g}" if isinstance(value, float) else str(value)

    return [f"structure={structure}"] + [f"{'+' if key.startswith('desks.per_unit.') else ''}{key}={written(v)}"
                                         for key, v in values.items()]


def change_overrides(choice: Choice, desks_today: dict[str, int], procedure_share_today: float) -> list[str]:
    """The change as Hydra overrides (after ``common_values``'): what ``python -m sim`` would be given."""
    return as_overrides(choice.structure, change_values(choice, desks_today, procedure_share_today))


@lru_cache(maxsize=4)
def composed(structure: str):
    """The configuration of ``structure`` with every other setting as shipped, composed once."""
    import sim

    return sim.load_config(f"structure={structure}")


def config_for(structure: str, values: dict[str, object]):
    """What ``sim.load_config(*as_overrides(structure, values))`` returns, without composing again:
    Hydra's composition takes seconds, so each structure is composed once and ``values`` are set on
    a copy (tests/test_app.py holds the two equal). ``sim.run`` validates it as ``load_config`` does."""
    from omegaconf import OmegaConf, open_dict
    from omegaconf.errors import OmegaConfBaseException

    from sim.errors import ConfigError

    cfg = copy.deepcopy(composed(structure))
    with open_dict(cfg):
        for key, value in values.items():
            try:
                OmegaConf.update(cfg, key, value, merge=False, force_add=True)
            except OmegaConfBaseException as exc:
                raise ConfigError(key, str(exc).splitlines()[0]) from None
    return cfg


def kept_one_counter(choice: Choice, desks_today: dict[str, int]) -> list[str]:
    """The units that fewer counters would leave with none: they keep one."""
    return [slug for slug in choice.units if desks_today[slug] + choice.counters < 1]


@dataclass
class Pair:
    """Today's run and the changed run of a choice (same seed: common random numbers)."""

    choice: Choice
    today: object  # sim.RunResult
    changed: object
    overrides: list[str] = field(default_factory=list)  # the change's, as the command line would take them
    seconds: float = 0.0
    kept_one: list[str] = field(default_factory=list)  # units left with one counter, not fewer


def run_pair(choice: Choice, progress: Callable[[int, int], object] | None = None) -> Pair:
    """Run today's set-up and the change for the chosen units. ``progress(done, total)`` counts the
    unit-replications of both runs. Raises :class:`sim.ConfigError` for a set-up the simulator refuses."""
    import time

    import sim

    started = time.perf_counter()
    common = common_values(choice)
    base_cfg = config_for(Choice().structure, common)
    total = 2 * len(choice.units) * choice.replications
    half = total // 2
    step = (lambda done, _total: progress(done, total)) if progress else (lambda *_: None)
    today = sim.run(base_cfg, progress=step)
    desks_today = {plan.unit.slug: int(plan.desks) for plan in today.scenario.units}
    change = change_values(choice, desks_today, float(base_cfg.staff.procedure_share))
    changed = sim.run(config_for(choice.structure, common | change), progress=lambda done, _total: step(half + done, total))
    overrides = as_overrides(choice.structure, common | change)
    return Pair(choice, today, changed, overrides, time.perf_counter() - started, kept_one_counter(choice, desks_today))


def kpi_label(kpi: str, language: str) -> str:
    return t(kpi, language) if kpi in REPORT_TEXTS else t(f"kpi_{kpi}", language)


def paired(pair: Pair, kpi: str) -> dict:
    """The change's paired difference of a city KPI (changed minus today, replication by
    replication) with its 95 % interval, cut to the range a difference can take."""
    from sim.analysis.intervals import mean_ci95
    from sim.analysis.kpis import difference_range

    diff = (pair.changed.replications[kpi] - pair.today.replications[kpi]).astype(float)
    return mean_ci95(list(diff), *difference_range(kpi))


def kpi_table(pair: Pair, language: str) -> pd.DataFrame:
    """The chosen units' KPIs: today and with the change (mean, 95 % low and high), and the paired
    difference with its interval; numbers, one column each (the CSV download is this table)."""
    rows = []
    for kpi in KPIS:
        a, b, d = pair.today.summary["kpis"].get(kpi, {}), pair.changed.summary["kpis"].get(kpi, {}), paired(pair, kpi)
        row = {t("col_kpi", language): kpi_label(kpi, language)}
        for head, ci in ((t("col_today", language), a), (t("col_change", language), b), (t("col_difference", language), d)):
            row[head] = ci.get("mean")
            row[f"{head}, {t('column_low', language)}"] = ci.get("ci95_low")
            row[f"{head}, {t('column_high', language)}"] = ci.get("ci95_high")
        rows.append(row)
    return pd.DataFrame(rows)


def _shown(value, language: str, digits: int = 1, signed: bool = False) -> str:
    return "n/a" if value is None or pd.isna(value) else number(value, language, digits, signed)


def misses(units: pd.DataFrame, target: float) -> int:
    """Units whose whole 95 % on-time interval is below ``target``."""
    from sim.outputs.verdict import ON_TIME, target_status

    status = target_status(units, ON_TIME, target)
    return int(((status["status"] == "misses") & (status["kind"] != "centre")).sum())


def verdict_lines(pair: Pair, language: str) -> list[str]:
    """The verdict in plain words, as HTML-safe text (every field from the user or the data escaped):
    the on-time share and the 90th-percentile wait today and with the change, each with its 95 %
    interval and the paired change, the units that miss the target, and what the figures rest on."""
    import sim

    name = html.escape(pair.choice.name or t("default_name", language))
    lines = []
    for key, kpi in (("v_on_time", "on_time_of_received_pct"), ("v_wait_change", "desk_wait_p90_min")):
        a, b, d = pair.today.summary["kpis"][kpi], pair.changed.summary["kpis"][kpi], paired(pair, kpi)
        lo, hi = d.get("ci95_low"), d.get("ci95_high")
        told = "" if lo is None else t("told_apart" if (lo > 0 or hi < 0) else "not_told", language)
        lines.append(t(key, language, name=name, base=_shown(a["mean"], language), base_low=_shown(a["ci95_low"], language),
                       base_high=_shown(a["ci95_high"], language), var=_shown(b["mean"], language),
                       var_low=_shown(b["ci95_low"], language), var_high=_shown(b["ci95_high"], language),
                       diff=_shown(d["mean"], language, signed=True), diff_low=_shown(lo, language, signed=True),
                       diff_high=_shown(hi, language, signed=True), told=told))
    target = pair.today.run_summary.on_time_target_pct
    lines.append(t("v_units", language, name=name, target=number(target, language, 0),
                   base=misses(pair.today.units, target), var=misses(pair.changed.units, target),
                   total=len(pair.today.units)))
    if pair.choice.replications < 5:
        lines.append(t("v_rough", language))
    s = pair.today.summary
    lines.append(t("rests_on", language, units=s["units"], start=s["start"], end=s["end"], reps=s["replications"],
                   seed=s["seed"], structure=html.escape(pair.choice.structure), version=sim.__version__))
    return lines


def city_lines(stored: dict, language: str) -> list[str]:
    """The stored city run in plain words, HTML-safe: the city's on-time share with its 95 % interval,
    the units and branches that miss the target (names escaped), the waits, and how it was made."""
    from sim.outputs.verdict import ON_TIME, basis_sentences, target_status, today_sentences, wait_sentence

    made, units, target = stored["made"], stored["units"], stored["on_time_target_pct"]
    on_time = stored["kpis"][ON_TIME]
    lines = [t("city_on_time", language, mean=_shown(on_time["mean"], language, 2),
               low=_shown(on_time["ci95_low"], language, 2), high=_shown(on_time["ci95_high"], language, 2))]
    lines += today_sentences(target_status(units, ON_TIME, target), target, language)
    lines += wait_sentence(units, stored["wait_target_minutes"], language)
    if stored.get("basis"):
        lines += [html.escape(line) for line in basis_sentences(stored["basis"], language)]
    lines.append(t("city_made", language, command=f"<code>{html.escape(str(made['command']))}</code>",
                   date=html.escape(str(made["date"])), units=int(made["units"]), branches=int(made["centre_branches"]),
                   start=html.escape(str(made["start"])), end=html.escape(str(made["end"])),
                   reps=int(made["replications"]), seed=int(made["seed"]), version=html.escape(str(made["version"]))))
    return lines


def unit_rows(pair: Pair, language: str) -> pd.DataFrame:
    """Each chosen unit: counters and officers today and with the change, on time with its interval."""
    from sim.outputs.verdict import ON_TIME

    def part(units: pd.DataFrame, head: str) -> pd.DataFrame:
        out = units.set_index("slug")[["desks", "staff", ON_TIME, f"{ON_TIME}_ci95_low", f"{ON_TIME}_ci95_high"]]
        return out.rename(columns={"desks": f"{t('col_counters', language)}, {head}",
                                   "staff": f"{t('col_officers', language)}, {head}",
                                   ON_TIME: f"{t('on_time_of_received_pct', language)}, {head}",
                                   f"{ON_TIME}_ci95_low": f"{t('column_low', language)}, {head}",
                                   f"{ON_TIME}_ci95_high": f"{t('column_high', language)}, {head}"})

    names = pair.today.units.set_index("slug")[["name", "kind"]]
    names = names.rename(columns={"name": t("column_unit", language), "kind": t("column_kind", language)})
    names[t("column_kind", language)] = [t(k, language) for k in names[t("column_kind", language)]]
    joined = names.join(part(pair.today.units, t("col_today", language))).join(
        part(pair.changed.units, t("col_change", language)))
    return joined.reset_index(drop=True)


def save_report(result, folder: Path, language: str) -> bytes:
    """The run's report.html in ``language`` (the run folder is written to ``folder``)."""
    import sim

    shown = sim.RunResult(result.config, result.scenario, replace(result.run_summary, language=language),
                          result.unit_results)
    shown.save(folder)
    return (folder / "report.html").read_bytes()


# --- the stored city-wide result -------------------------------------------------------------
def build_city_summary(overrides: list[str] | tuple[str, ...] = CITY_SUMMARY_OVERRIDES, path: Path = CITY_SUMMARY,
                       workers: int | None = None) -> dict:
    """Run every unit and branch with ``overrides`` and store the city's KPIs and a per-unit table
    in ``path`` (JSON), with how it was made: the command, seed, replications, period, version, date."""
    import sim

    from sim.analysis.assumptions import basis

    cfg = sim.load_config(*overrides)
    result = sim.run(cfg, workers=workers, progress=True)
    s = result.summary
    units = result.units[[c for c in CITY_UNIT_COLUMNS if c in result.units]]
    stored = {
        "made": {"command": " ".join(["python -m sim.app --build-city-summary", *overrides]),
                 "date": dt.date.today().isoformat(), "version": sim.__version__, "seed": s["seed"],
                 "replications": s["replications"], "start": s["start"], "end": s["end"], "units": s["units"],
                 "centre_branches": s.get("centre_branches", 0), "scenario": s["scenario"], "structure": s["structure"]},
        # what the figures rest on (the parameter set, today's officers, the decisive assumptions),
        # for the page and for the test that holds the stored run to the default it claims to be
        "basis": basis(cfg, result.scenario),
        "on_time_target_pct": result.run_summary.on_time_target_pct,
        "wait_target_minutes": result.run_summary.wait_target_minutes,
        "kpis": {k: s["kpis"][k] for k in KPIS if k in s["kpis"]},
        "scopes": {scope: {k: v[k] for k in KPIS if k in v} for scope, v in s.get("scopes", {}).items()},
        "units": json.loads(units.to_json(orient="records", force_ascii=False)),
    }
    path.write_text(json.dumps(stored, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return stored


def load_city_summary(path: Path = CITY_SUMMARY) -> dict | None:
    """The stored city-wide result, or None when this installation has none."""
    if not path.is_file():
        return None
    stored = json.loads(path.read_text(encoding="utf-8"))
    stored["units"] = pd.DataFrame(stored["units"])
    return stored
