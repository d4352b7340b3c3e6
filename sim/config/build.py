"""Turn a composed Hydra config into a validated :class:`~sim.model.scenario.Scenario`.

Every check names the offending key, so the command line can stop with one clear line before
anything is simulated or written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import math
import os
import re
from typing import Any

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException
from yaml import YAMLError

from sim.model.calendar import MINUTES_PER_DAY, TAIL_DAYS, CalendarSpec, parse_clock, statutory_holidays, statutory_years
from sim.model.catalogue import DISTRIBUTION_KINDS, Distribution, Procedure, channel_mix, with_online_share
from sim.model.city import (CENTRE_INDEX_BASE, CENTRE_KIND, KINDS, SLUG, branch_unit, desks_by_rule,
                            framework_headcount, load_units)
from sim.errors import ConfigError
from sim.model.scenario import MAX_DESK_ROTA_TIME_SHARE, BackOfficePolicy, DeskPolicy, OvertimePolicy, Scenario
from sim.config.search_path import group_options, load_option
from sim.config.counters import desk_groups, with_counters
from sim.config.departments import department_mechanisms, rework_within_reach
from sim.config.day_start import day_start
from sim.config.ensemble import MAX_MEMBERS as MAX_ENSEMBLE_MEMBERS, load_ensemble
from sim.config.stock import stock_policy
from sim.config.schema import REPORT_LANGUAGES, StructureConfig
from sim.config.visits import visit_policy
from sim.engines.contract import ENGINES
from sim.engines.rules import CLOSING_RULES, OVERTIME_TRIGGERS, QUEUE_ORDERS
from sim.model.staffing import (ALLOCATED_KINDS, Claim, allocate, department_effort, field_effort,
                                read_staff_table, staff_for_load, unit_effort)
from sim.model.structures import STAFFING_POLICIES, Department, Structure, department_staff
from sim.model.unit_plan import PlanBuilder, plan_builder

SHARE_TOLERANCE = 1e-6


def build_scenario(cfg: DictConfig | dict[str, Any]) -> Scenario:
    """Validate ``cfg`` and build the scenario it describes; raise ConfigError on the first problem."""
    if isinstance(cfg, DictConfig):
        _known_keys(cfg)
        if cfg.ensemble.path:  # every command takes an ensemble: a bad file stops before anything runs
            load_ensemble(str(cfg.ensemble.path), cfg)
            _at_least({"members": cfg.ensemble.members}, "members", 0, "ensemble.", MAX_ENSEMBLE_MEMBERS)
    c = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else cfg
    _at_least(c, "seed", 0)
    _at_least(c, "replications", 1, high=MAX_REPLICATIONS)
    _at_least(c, "workers", 0, high=MAX_WORKERS)
    _choice(c["engine"], "engine", ENGINES.names())
    backend, cluster_address = _backend(c)
    _at_least(c, "top_units", 0)
    start = _date(c["period"]["start"], "period.start")
    end = _date(c["period"]["end"], "period.end")
    if end < start:
        raise ConfigError("period.end", f"{end} is before period.start {start}")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ConfigError("period.end", f"the period from {start} to {end} is {(end - start).days + 1:,} days; "
                                        f"at most {MAX_PERIOD_DAYS:,} days are simulated")

    calendar = _calendar(c["calendar"], start, end)
    structure = _structure(c["structure"], "structure")
    procedures = _scaled(_procedures(c["procedures"], structure), c["scenario"])
    demand = c["scenario"]["demand"]
    weekday_weights, hour_weights = _arrival_profile(demand, calendar)
    desk_policy, procedure_desk_group, procedure_intake_capped = desk_groups(
        c["desks"], procedures, _desk_policy(c["desks"]), check_range)
    desk_policy = visit_policy(c["desks"]["visits"], desk_policy, check_range, _distribution)
    before_opening, booking, procedure_hour_weights, desk_policy = day_start(c, procedures, calendar, desk_policy,
                                                                             end, check_range)
    back_office = _back_office(c["staff"], c["scenario"]["back_office"], calendar)
    builder = plan_builder(c["staff"], procedures, department_mechanisms(c["staff"], check_range))
    units, units_per_unit = _unit_plans(c, structure, procedures, demand, builder)
    branches = _centre_plans(c, procedures, demand, calendar.minutes_per_ordinary_day(), builder)
    units += branches
    mixes = _mixes(procedures, demand.get("online_share"), (*KINDS, CENTRE_KIND) if branches else KINDS)
    papers_share = {kind: _share(c["scenario"], "supplement_share", "scenario.") for kind in KINDS}
    papers_share[CENTRE_KIND] = _share(c["scenario"], "centre_supplement_share", "scenario.")
    builder = builder.with_groups(desk_policy, procedure_desk_group, mixes, papers_share)
    units = with_counters(c["desks"], units, builder, procedure_intake_capped)
    _rota_within_reach(units)
    rework_within_reach(units)
    _records_bounded(units, demand, (end - start).days + 1)
    _results_bounded(len(units), int(c["replications"]), (end - start).days + 1)
    business_close = MINUTES_PER_DAY if calendar.always_open else max(e for _, e in calendar.sessions)
    stock = stock_policy(c["stock"], start, business_close, procedures, units, check_range)
    if stock.handover is not None:
        _records_bounded(units, demand, (end - start).days + 1 + max(stock.handover.days_of_stock, stock.handover.centre_days_of_stock))

    return Scenario(
        name=str(c["scenario"]["name"]),
        seed=int(c["seed"]),
        replications=int(c["replications"]),
        workers=int(c["workers"]),
        engine=str(c["engine"]),
        start=start,
        end=end,
        calendar=calendar,
        procedures=procedures,
        mixes=mixes,
        structure=structure,
        units=units,
        units_per_unit=units_per_unit,
        desk_policy=desk_policy,
        back_office=back_office,
        supplement_share=_share(c["scenario"], "supplement_share", "scenario."),
        centre_supplement_share=_share(c["scenario"], "centre_supplement_share", "scenario."),
        supplement_wait_wd=_distribution(c["scenario"]["supplement_wait_wd"], "scenario.supplement_wait_wd",
                                         MAX_WORKING_DAYS),
        centre_supplement_wait_wd=_distribution(c["scenario"]["centre_supplement_wait_wd"],
                                                "scenario.centre_supplement_wait_wd", MAX_WORKING_DAYS),
        weekday_weights=weekday_weights,
        hour_weights=hour_weights,
        stock=stock,
        checkpoints=_checkpoints(c["report"]["checkpoints"], start, end),
        figures_count_stock=bool(c["report"]["figures_count_stock"]),
        queue_unit=_queue_unit(str(c["report"]["queue_unit"]), units),
        on_time_target_pct=_on_time_target(c["report"]["on_time_target_pct"]),
        report_language=_language(str(c["report"]["language"])),
        procedure_desk_group=procedure_desk_group,
        procedure_intake_capped=procedure_intake_capped,
        before_opening=before_opening,
        booking=booking,
        procedure_hour_weights=procedure_hour_weights,
        backend=backend,
        cluster_address=cluster_address,
        plan_builder=builder,
    )


def _queue_unit(slug: str, units) -> str:
    """``report.queue_unit``: empty, or the slug of a unit in the run."""
    slugs = [plan.unit.slug for plan in units]
    if slug and slug not in slugs:
        shown = ", ".join(slugs[:5]) + (", ..." if len(slugs) > 5 else "")
        raise ConfigError("report.queue_unit", f"{slug!r} is not a unit of this run (its units: {shown})")
    return slug


def _on_time_target(value) -> float:
    """``report.on_time_target_pct``: a share in [0, 100]."""
    target = float(value)
    if not 0 <= target <= 100:  # NaN fails too
        raise ConfigError("report.on_time_target_pct", f"must be a percentage from 0 to 100, got {value}")
    return target


def _language(language: str) -> str:
    """``report.language``: one of the report languages (their texts: sim.outputs.language)."""
    if language not in REPORT_LANGUAGES:
        raise ConfigError("report.language",
                          f"unknown language {language!r}; choose one of {', '.join(REPORT_LANGUAGES)}")
    return language


MAX_CHECKPOINTS = 100  # report dates kept per unit and replication (each a dozen counts)


def _checkpoints(items: list[str], start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    """``report.checkpoints``: dates inside the period at whose close report counts are kept."""
    key = "report.checkpoints"
    if len(items) > MAX_CHECKPOINTS:
        raise ConfigError(key, f"{len(items)} dates; at most {MAX_CHECKPOINTS}")
    dates = []
    for k, item in enumerate(items):
        day = _date(item, f"{key}[{k}]")
        if not start <= day <= end:
            raise ConfigError(f"{key}[{k}]", f"{day} is outside the period {start} to {end}")
        dates.append(day)
    return tuple(sorted(set(dates)))


# --- bounds -----------------------------------------------------------------------------------
# Every number must be finite and within these bounds (README, "Bad input"). Upper bounds stand
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
MAX_STAFF = 10_000  # per department, and every headcount of the staffing framework
MAX_MINUTES = 100_000.0  # desk, effort, approval and patience times, the wait target (~70 days of clock time)
MAX_WORKING_DAYS = 1000  # deadlines, external lags and waits for missing papers (~4 years)
MAX_CV = 10.0  # coefficient of variation of a distribution
MAX_WEIGHT = 1e6  # a relative weight (arrival profile, a department's staff weight)
MAX_SCALE = 1000.0  # scenario.effort_scale, scenario.external_lag_scale, staff.breadth_penalty
MAX_GROWTH = 100.0  # scenario.demand.growth
MAX_DEMAND_RATE = 1000.0  # records a day per 1,000 residents: one a resident a day


def _known_keys(cfg: DictConfig) -> None:
    """Refuse a key the schema does not have. Hydra's ``+KEY=VALUE`` adds any key, so a misspelt
    ``+desks.fixd=3`` would otherwise be carried along unused while the run looks complete."""
    from sim.config.schema import SimConfig

    plain = OmegaConf.to_container(cfg, resolve=True)  # plain data: the schema's typing is checked afresh
    plain.pop("hydra", None)
    try:
        OmegaConf.merge(OmegaConf.structured(SimConfig), plain)
    except OmegaConfBaseException as exc:
        key = getattr(exc, "full_key", None) or "config"
        raise ConfigError(key, "unknown key (misspelt? every key is in sim/config/schema.py)") from None


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


BACKENDS = ("local", "dask")  # sim.experiments.cluster
CLUSTER_ADDRESS = re.compile(r"(?:[a-z][a-z0-9+.-]*://)?[^\s/:]+:\d{1,5}/?")  # tcp://host:8786, host:8786


def _backend(c: dict) -> tuple[str, str]:
    """``backend`` and ``cluster_address``: a known backend whose library is installed, and an
    address only for Dask, written as a scheduler's (``tcp://host:8786``)."""
    backend = _choice(str(c["backend"]), "backend", BACKENDS)
    address = str(c["cluster_address"]).strip()
    if address and backend != "dask":
        raise ConfigError("cluster_address", f"{address!r} is set, but backend is {backend!r}: set backend=dask "
                                             "to run on that cluster, or leave the address empty")
    if address and not CLUSTER_ADDRESS.fullmatch(address):
        raise ConfigError("cluster_address", f"{address!r} is not a scheduler's address such as tcp://host:8786")
    if backend == "dask" and importlib.util.find_spec("distributed") is None:
        raise ConfigError("backend", "dask needs the distributed package: pip install -e '.[cluster-dask]'")
    return backend, address


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


# --- sections ---------------------------------------------------------------------------------
HOLIDAY_SOURCES = ("holidays_package", "none")


def _calendar(c: dict, start: dt.date, end: dt.date) -> CalendarSpec:
    """Sessions and days off for the period; a period the calendar's lists do not cover is refused."""
    sessions = _sessions(c["sessions"], "calendar.sessions")
    if not sessions:
        raise ConfigError("calendar.sessions", "at least one weekday session is needed")
    saturday = _sessions(c["saturday_sessions"], "calendar.saturday_sessions") if c["saturday_morning"] else ()
    source = _choice(c["holidays_source"], "calendar.holidays_source", HOLIDAY_SOURCES)
    _covers_period(c["covered_years"], start, end)
    days_off = {_date(h, f"calendar.extra_days_off[{k}]") for k, h in enumerate(c["extra_days_off"])}
    make_up = set()
    for k, text in enumerate(c["make_up_working_days"]):
        key = f"calendar.make_up_working_days[{k}]"
        day = _date(text, key)
        if day.weekday() < 5:
            raise ConfigError(key, f"{day} is a {day:%A}: a make-up working day is a Saturday or Sunday")
        if day in days_off:
            raise ConfigError(key, f"{day} is also in calendar.extra_days_off")
        make_up.add(day)
    holidays = frozenset(days_off)
    if source == "holidays_package":
        holidays |= _statutory_holidays(start, end)
        clash = sorted(make_up & holidays)
        if clash:
            raise ConfigError("calendar.make_up_working_days", f"{clash[0]} is a public holiday")
    return CalendarSpec(
        sessions=sessions,
        saturday_sessions=saturday,
        holidays=holidays,
        same_day_cutoff=_clock(c["same_day_cutoff"], "calendar.same_day_cutoff"),
        always_open=bool(c["always_open"]),
        make_up_working_days=frozenset(make_up),
    )


def _covers_period(covered_years: list[int] | None, start: dt.date, end: dt.date) -> None:
    """Every year of the period must be one the calendar's announced days are listed for."""
    if covered_years is None:
        return
    covered = sorted({int(y) for y in covered_years})
    if not covered:
        raise ConfigError("calendar.covered_years", "is empty: list the years the calendar's days off are known for")
    contiguous = covered == list(range(covered[0], covered[-1] + 1))
    span = f"{covered[0]}–{covered[-1]}" if contiguous else ", ".join(map(str, covered))
    missing = [year for year in range(start.year, end.year + 1) if year not in covered]
    if missing:
        key, day = ("period.start", start) if start.year in missing else ("period.end", end)
        raise ConfigError(key, f"{day} is outside the calendar: it covers {span} (calendar.covered_years)")


def _statutory_holidays(start: dt.date, end: dt.date) -> frozenset[dt.date]:
    """The package's holidays for the period and the calendar's tail after it."""
    try:
        known = statutory_years()
    except ImportError:
        raise ConfigError("calendar.holidays_source",
                          "holidays_package needs the Python package 'holidays' (pip install 'holidays>=0.106')") from None
    for key, day in (("period.start", start), ("period.end", end)):
        if day.year not in known:
            raise ConfigError(key, f"{day} is outside the years the holidays package knows ({known.start}–{known.stop - 1})")
    tail_end = end + dt.timedelta(days=TAIL_DAYS)
    return statutory_holidays(start.year, min(tail_end.year, known.stop - 1))


def _classes(c: dict, prefix: str) -> None:
    """Decree 307 class scoring (sim.model.unit_class): finite points and levels, a positive step,
    thresholds in order."""
    for kind in KINDS:
        for criterion in ("population", "area"):
            section, key = c[kind][criterion], f"{prefix}{kind}.{criterion}."
            for name in ("base", "base_points", "step_points"):
                _at_least(section, name, 0, key)
            _positive(section, "step", key, math.inf)
            _at_least(section, "max_points", section["base_points"], key)
        _at_least(c[kind], "other_points", 0, f"{prefix}{kind}.", 100)
    _at_least(c, "class_ii_points", 0, prefix, 100)
    _at_least(c, "class_i_points", c["class_ii_points"], prefix, 100)
    _at_least(c, "special_points", c["class_i_points"], prefix, 1000)


def _structure(c: dict, key: str, seen: tuple[str, ...] = ()) -> Structure:
    """A structure and, through ``otherwise``, the structure of the units it does not apply to."""
    departments = _departments(c["departments"], f"{key}.departments")
    applies = c["applies_to"]
    for k, kind in enumerate(applies["kinds"]):
        _choice(kind, f"{key}.applies_to.kinds[{k}]", KINDS)
    _at_least(applies, "min_population", 0, f"{key}.applies_to.")
    _at_least(c, "max_average_units", 1, f"{key}.")
    otherwise = None
    if c["otherwise"]:
        if c["otherwise"] in seen + (c["name"],):
            raise ConfigError(f"{key}.otherwise", f"structure {c['otherwise']!r} refers back to itself")
        otherwise = _structure(load_structure_config(c["otherwise"], f"{key}.otherwise"), f"{key}.otherwise",
                               seen + (c["name"],))
    elif set(applies["kinds"]) != set(KINDS) or applies["min_population"] > 0:
        raise ConfigError(f"{key}.otherwise", "name the structure of the units this one does not apply to")
    return Structure(str(c["name"]), str(c["description"]), tuple(departments), tuple(applies["kinds"]),
                     int(applies["min_population"]), otherwise, str(c.get("description_vi") or ""))


def _departments(c: dict, key: str) -> list[Department]:
    """Departments, each owning at least one field and no field owned twice."""
    if not c:
        raise ConfigError(key, "the structure has no departments")
    departments, owners = [], {}
    for name, d in c.items():
        dept_key = f"{key}.{name}"
        if not d["fields"]:
            raise ConfigError(f"{dept_key}.fields", "a department must own at least one field")
        for f in d["fields"]:
            if f in owners:
                raise ConfigError(f"{dept_key}.fields", f"field {f!r} is already owned by department {owners[f]!r}")
            owners[f] = name
        _positive(d, "staff_weight", f"{dept_key}.", MAX_WEIGHT)
        departments.append(Department(name, d["label"] or name, tuple(d["fields"]), float(d["staff_weight"])))
    return departments


def load_structure_config(name: str, key: str) -> dict:
    """Structure ``structure/NAME.yaml`` from the config search path (the package's ``sim/conf``,
    then any user folder added with ``--config-dir`` or ``hydra.searchpath``), checked against the schema."""
    try:
        found = load_option("structure", name)
    except (YAMLError, OmegaConfBaseException) as exc:
        raise ConfigError(key, f"structure/{name}.yaml: {str(exc).splitlines()[0]}") from None
    if found is None:
        known = ", ".join(group_options("structure"))
        raise ConfigError(key, f"unknown structure {name!r} (available: {known})")
    config, where = found
    try:
        merged = OmegaConf.merge(OmegaConf.structured(StructureConfig), config)
    except OmegaConfBaseException as exc:
        raise ConfigError(key, f"{where}: {str(exc).splitlines()[0]}") from None
    return OmegaConf.to_container(merged, resolve=True)


def _procedures(c: dict, structure: Structure) -> tuple:
    if not c:
        raise ConfigError("procedures", "the catalogue has no procedures")
    procedures = []
    for name, p in c.items():
        key = f"procedures.{name}"
        for s in structure.chain():
            owned = s.owner_of()
            if p["field"] not in owned:
                raise ConfigError(
                    f"{key}.field",
                    f"field {p['field']!r} is owned by no department of structure {s.name!r} "
                    f"(owned fields: {', '.join(sorted(owned))})",
                )
        for share_key in ("share_ward", "share_commune", "share_centre", "obligation_share", "collect_share",
                          *("in_person", "online", "post")):
            check_range(p[share_key], f"{key}.{share_key}", 0.0, 1.0)
        channels = (float(p["in_person"]), float(p["online"]), float(p["post"]))
        _shares_sum_to_one(list(channels), f"{key}.in_person", "in_person + online + post")
        _at_least(p, "deadline_wd", 0, key + ".", MAX_WORKING_DAYS)
        procedures.append(
            Procedure(
                name=name,
                label=p["label"] or name,
                field=p["field"],
                share={"ward": float(p["share_ward"]), "commune": float(p["share_commune"]),
                       CENTRE_KIND: float(p["share_centre"])},
                channels=channels,
                desk_minutes=_distribution(p["desk_minutes"], f"{key}.desk_minutes", MAX_MINUTES,
                                           positive=channels[0] > 0),
                effort_minutes=_distribution(p["effort_minutes"], f"{key}.effort_minutes", MAX_MINUTES),
                external_lag_wd=_distribution(p["external_lag_wd"], f"{key}.external_lag_wd", MAX_WORKING_DAYS),
                deadline_wd=int(p["deadline_wd"]),
                obligation_share=float(p["obligation_share"]),
                obligation_wd=_distribution(p["obligation_wd"], f"{key}.obligation_wd", MAX_WORKING_DAYS),
                source=str(p["source"]),
                collect_share=float(p["collect_share"]),
            )
        )
    for kind in KINDS:
        _shares_sum_to_one([p.share[kind] for p in procedures], f"procedures.*.share_{kind}", f"share_{kind} over procedures")
    return tuple(procedures)


def _scaled(procedures: tuple, scenario: dict) -> tuple:
    """Apply the scenario's effort and external-lag multipliers to every procedure."""
    for key in ("effort_scale", "external_lag_scale"):
        _positive(scenario, key, "scenario.", MAX_SCALE)
    effort, lag = float(scenario["effort_scale"]), float(scenario["external_lag_scale"])
    return tuple(
        dataclasses.replace(
            p,
            effort_minutes=dataclasses.replace(p.effort_minutes, mean=p.effort_minutes.mean * effort),
            external_lag_wd=dataclasses.replace(p.external_lag_wd, mean=p.external_lag_wd.mean * lag),
        )
        for p in procedures
    )


def _mixes(procedures: tuple, online_share: float | None, kinds: tuple[str, ...]) -> dict:
    mixes = {kind: channel_mix(procedures, kind) for kind in kinds}
    if online_share is None:
        return mixes
    check_range(online_share, "scenario.demand.online_share", 0.0, 1.0)
    try:
        return {kind: with_online_share(mix, float(online_share)) for kind, mix in mixes.items()}
    except ValueError as exc:
        raise ConfigError("scenario.demand.online_share", str(exc)) from None


def _arrival_profile(demand: dict, calendar: CalendarSpec) -> tuple[tuple, tuple]:
    _at_least(demand, "records_per_1000_residents_per_day", 0, "scenario.demand.", MAX_DEMAND_RATE)
    _positive(demand, "growth", "scenario.demand.", MAX_GROWTH)
    weekday, hours = demand["weekday_weights"], demand["hour_weights"]
    if len(weekday) != 7:
        raise ConfigError("scenario.demand.weekday_weights", "needs 7 non-negative weights, Monday to Sunday")
    if len(hours) != 24:
        raise ConfigError("scenario.demand.hour_weights", "needs 24 non-negative weights, one per clock hour")
    for key, weights in (("weekday_weights", weekday), ("hour_weights", hours)):
        for k, w in enumerate(weights):
            check_range(w, f"scenario.demand.{key}[{k}]", 0, MAX_WEIGHT)
    if not calendar.always_open:
        open_hours = {h for s, e in calendar.sessions for h in range(s // 60, math.ceil(e / 60))}
        if sum(weekday[:5]) <= 0:
            raise ConfigError("scenario.demand.weekday_weights",
                              "Monday to Friday are all 0: no in-person arrivals could happen on working days")
        if sum(hours[h] for h in open_hours) <= 0:
            raise ConfigError("scenario.demand.hour_weights",
                              "every open hour has weight 0: no in-person arrivals could happen in open hours")
    return tuple(float(w) for w in weekday), tuple(float(w) for w in hours)


def _desk_policy(d: dict) -> DeskPolicy:
    _choice(d["closing"], "desks.closing", CLOSING_RULES.names())
    check_range(d["return_probability"], "desks.return_probability", 0.0, 1.0)
    _at_least(d, "wait_target_minutes", 0, "desks.", MAX_MINUTES)
    return DeskPolicy(
        closing=d["closing"],
        reneging=bool(d["reneging"]),
        patience_minutes=_distribution(d["patience_minutes"], "desks.patience_minutes", MAX_MINUTES, positive=True),
        return_probability=float(d["return_probability"]),
        wait_target_minutes=float(d["wait_target_minutes"]),
        wait_counts_closed=bool(d["wait_counts_closed"]),
    )


def _back_office(s: dict, enabled: bool, calendar: CalendarSpec) -> BackOfficePolicy:
    _choice(s["order"], "staff.order", QUEUE_ORDERS.names())
    _choice(s["policy"], "staff.policy", STAFFING_POLICIES.names())
    _at_least(s, "deputies_per_department", 0, "staff.", MAX_STAFF)
    _at_least(s, "approvals_per_day", 0, "staff.")
    _at_least(s, "breadth_penalty", 0, "staff.", MAX_SCALE)
    check_range(s["other_duties_share"], "staff.other_duties_share", 0.0, MAX_OTHER_DUTIES_SHARE)
    check_range(s["desk_rota_share"], "staff.desk_rota_share", 0.0, 1.0)
    return BackOfficePolicy(
        enabled=bool(enabled),
        order=s["order"],
        approval_minutes=_distribution(s["approval_minutes"], "staff.approval_minutes", MAX_MINUTES),
        approvals_per_day=int(s["approvals_per_day"]),
        overtime=_overtime(s["overtime"], calendar),
    )


def _overtime(o: dict, calendar: CalendarSpec) -> OvertimePolicy:
    """Overtime settings; the extra session must end by midnight of its day (the work calendar
    lays out one extended day at a time)."""
    prefix = "staff.overtime."
    _at_least(o, "threshold_records_per_officer", 0, prefix, MAX_RECORDS_PER_UNIT)
    _at_least(o, "hours_per_day", 0, prefix, 24)
    _at_least(o, "max_hours_per_week", 0, prefix, 7 * 24)
    _choice(o["trigger"], prefix + "trigger", OVERTIME_TRIGGERS.names())
    check_range(o["threshold_days"], prefix + "threshold_days", 0.0, MAX_THRESHOLD_DAYS)
    if o["enabled"]:
        if calendar.always_open:
            raise ConfigError(prefix + "enabled", "an always-open calendar has no end of day to work after")
        ends = [calendar.sessions[-1][1]] + ([calendar.saturday_sessions[-1][1]]
                                               if o["saturdays"] and calendar.saturday_sessions else [])
        latest = max(ends) + 60 * float(o["hours_per_day"])
        if latest > MINUTES_PER_DAY:
            raise ConfigError(prefix + "hours_per_day",
                              f"{o['hours_per_day']:g} hours after the last session (ending "
                              f"{max(ends) // 60:02d}:{max(ends) % 60:02d}) run past midnight")
    return OvertimePolicy(
        enabled=bool(o["enabled"]),
        threshold_records_per_officer=float(o["threshold_records_per_officer"]),
        minutes_per_day=60 * float(o["hours_per_day"]),
        saturdays=bool(o["saturdays"]),
        max_minutes_per_week=60 * float(o["max_hours_per_week"]),
        trigger=str(o["trigger"]),
        threshold_days=float(o["threshold_days"]),
    )


def _unit_plans(c: dict, structure: Structure, procedures: tuple, demand: dict, builder: PlanBuilder) -> tuple:
    city, desks, staff = c["city"], c["desks"], c["staff"]
    _choice(city["suspect_population"], "city.suspect_population", ("median_density", "keep"))
    units = load_units(city["table"], city["suspect_population"])
    by_slug = {u.slug: u for u in units}

    branches = _centre_fits_table(c, by_slug)

    def known_slug(slug: str, key: str) -> None:
        if slug in branches and not key.startswith("city."):
            raise ConfigError(key, f"{slug!r} is a branch of the City Centre: set centre.branches.{slug} instead")
        if slug not in by_slug:
            raise ConfigError(key, f"unknown unit slug {slug!r} (see {city['table']} for the {len(units)} slugs, "
                                   f"centre.branches for the Centre's {len(branches)})")

    for k, slug in enumerate(city["units"]):
        if slug not in branches:
            known_slug(slug, f"city.units[{k}]")
    if len(set(city["units"])) != len(city["units"]):
        raise ConfigError("city.units", "a unit is listed twice")
    selected = [by_slug[s] for s in city["units"] if s in by_slug] if city["units"] else units

    average = sum(len(structure.for_unit(u.kind, u.population).departments) + 1 for u in units) / len(units)
    limit = c["structure"]["max_average_units"]
    if average > limit + 1e-9:
        raise ConfigError("structure.max_average_units",
                          f"the structure {c['structure']['name']!r} already uses {average:.2f} departments and "
                          f"service point per unit on average, above the limit of {limit} (Decree 370/2025)")
    _classes(c["structure"]["classes"], "structure.classes.")

    _choice(desks["rule"], "desks.rule", ("by_population", "fixed"))
    _at_least(desks, "residents_per_desk", 1, "desks.")
    for key in ("fixed", "min_desks", "max_desks"):
        _at_least(desks, key, 1, "desks.", MAX_DESKS)
    if desks["max_desks"] < desks["min_desks"]:
        raise ConfigError("desks.max_desks", f"{desks['max_desks']} is below desks.min_desks {desks['min_desks']}")
    for slug, n in desks["per_unit"].items():
        known_slug(slug, f"desks.per_unit.{slug}")
        _at_least(desks["per_unit"], slug, 1, "desks.per_unit.", MAX_DESKS)
    for section in ("groups", "land_intake"):
        for slug in desks[section]["per_unit"]:
            known_slug(slug, f"desks.{section}.per_unit.{slug}")

    _choice(staff["rule"], "staff.rule", STAFF_RULES)
    _choice(staff["department_split"], "staff.department_split", DEPARTMENT_SPLITS)
    for key in ("framework_base_population", "framework_residents_per_extra"):
        _at_least(staff, key, 1, "staff.")
    for key in ("fixed", "framework_base", "framework_cap_ward", "framework_cap_commune", "min_per_department"):
        _at_least(staff, key, 1, "staff.", MAX_STAFF)
    _at_least(staff, "city_positions", 1, "staff.", MAX_CITY_POSITIONS)
    _positive(staff, "procedure_share", "staff.", 1.0)
    check_range(staff["framework_weight"], "staff.framework_weight", 0.0, 1.0)
    for slug, per_dept in staff["per_unit"].items():
        known_slug(slug, f"staff.per_unit.{slug}")
        unit = by_slug[slug]
        names = structure.for_unit(unit.kind, unit.population).department_names
        for dept, n in per_dept.items():
            if dept not in names:
                raise ConfigError(
                    f"staff.per_unit.{slug}.{dept}",
                    f"unknown department {dept!r} of unit {slug} (its departments: {', '.join(names)})",
                )
            _at_least(per_dept, dept, 1, f"staff.per_unit.{slug}.", MAX_STAFF)

    table = _staff_table(staff["table"], structure, by_slug)
    rate = float(demand["records_per_1000_residents_per_day"]) * float(demand["growth"]) / 1000
    effort_by_field = {kind: field_effort(procedures, kind) for kind in KINDS}  # expected effort per record
    allocation = _allocation(staff, units, structure, effort_by_field, rate) if staff["rule"] == "allocated" else {}
    plans = []
    for unit in selected:
        n_desks = desks["per_unit"].get(unit.slug) or desks_by_rule(
            unit, desks["rule"], desks["fixed"], desks["residents_per_desk"], desks["min_desks"], desks["max_desks"]
        )
        own = structure.for_unit(unit.kind, unit.population)
        processing = _staff_by_rule(staff, unit, own, allocation, effort_by_field.get(unit.kind, {}))
        overrides = {**table.get(unit.slug, {}), **staff["per_unit"].get(unit.slug, {})}
        processing = [overrides.get(d, n) for d, n in zip(own.department_names, processing)]
        unstaffed = [d for d, n in zip(own.department_names, processing) if n is None]
        if unstaffed:
            raise ConfigError("staff.table", f"{unit.slug} is of kind {unit.kind!r}, outside the units the city's "
                                             f"positions are spread over: give the staff of {', '.join(unstaffed)} "
                                             "in staff.table or staff.per_unit")
        plans.append(builder.plan(unit, own, processing, int(n_desks), unit.population * rate))
    return tuple(plans), average


STAFF_RULES = ("allocated", "framework", "fixed")
MAX_OTHER_DUTIES_SHARE = 0.95  # staff.other_duties_share: officers keep at least 5 % of their time for records
MAX_THRESHOLD_DAYS = 1000.0  # staff.overtime.threshold_days


def _rota_within_reach(units: tuple) -> None:
    """staff.desk_rota_share: no unit's counters may take more than MAX_DESK_ROTA_TIME_SHARE of its
    processing officers' time (the counters cannot be staffed from officers who are not there)."""
    for plan in units:
        officers = sum(plan.organisation.staff)
        if plan.desk_rota_share > 0 and plan.desk_rota_share * plan.desks > MAX_DESK_ROTA_TIME_SHARE * officers:
            raise ConfigError("staff.desk_rota_share",
                              f"{plan.desk_rota_share:g} of {plan.unit.slug}'s {plan.desks} counters would take "
                              f"{plan.desk_rota_share * plan.desks / officers:.0%} of its {officers} processing "
                              f"officers' time, more than {MAX_DESK_ROTA_TIME_SHARE:.0%}: fewer counters on the "
                              "rota, or more officers")
DEPARTMENT_SPLITS = ("workload", "weights")
MAX_CITY_POSITIONS = 1_000_000  # staff.city_positions (Hanoi's units have 9,622)


def _department_workload(staff: dict, effort_by_field: dict[str, float]):
    """What ``department_staff`` splits a unit's officers by: expected effort (None: staff weights)."""
    if staff["department_split"] == "weights":
        return None
    return lambda department: department_effort(department, effort_by_field)


def _allocation(staff: dict, units: list, structure: Structure, effort_by_field: dict, rate: float) -> dict[str, int]:
    """rule=allocated: the city's processing officers (positions x procedure_share) over every unit
    of the table (whatever is selected, so a unit's staff do not depend on the selection) in
    proportion to its expected staff minutes a day, each at least min_per_department per department."""
    floor = int(staff["min_per_department"])
    allocated = [u for u in units if u.kind in ALLOCATED_KINDS]  # the Centre's branches bring their own staff
    structures = [structure.for_unit(u.kind, u.population) for u in allocated]
    workloads = [u.population * rate * unit_effort(own, effort_by_field[u.kind]) for u, own in zip(allocated, structures)]
    claims = [Claim(u.slug, w, floor * len(own.departments)) for u, own, w in zip(allocated, structures, workloads)]
    weight = float(staff.get("framework_weight", 0.0))  # 0: by workload alone
    if weight > 0:  # part of the positions follow the framework headcount, capped, whatever the workload
        heads = [framework_headcount(u, staff["framework_base"], staff["framework_base_population"],
                                     staff["framework_residents_per_extra"],
                                     staff["framework_cap_ward"] if u.kind == "ward" else staff["framework_cap_commune"])
                 for u in allocated]
        total_work, total_heads = sum(workloads), sum(heads)
        claims = [Claim(c.slug, (1 - weight) * w / total_work + weight * h / total_heads, c.minimum)
                  for c, w, h in zip(claims, workloads, heads)]
    total = round(int(staff["city_positions"]) * float(staff["procedure_share"]))
    needed = sum(c.minimum for c in claims)
    if total < needed:
        raise ConfigError("staff.city_positions",
                          f"{staff['city_positions']:,} positions x staff.procedure_share {staff['procedure_share']:g} "
                          f"give {total:,} processing officers, fewer than the {needed:,} that staff.min_per_department "
                          f"{floor} needs in the departments of the {len(claims)} units")
    return allocate(total, claims)


def _staff_by_rule(staff: dict, unit, own: Structure, allocation: dict[str, int],
                   effort_by_field: dict[str, float]) -> list[int | None]:
    """Processing officers per department of ``unit`` as ``staff.rule`` gives them (None for a
    department of a node the rule does not staff)."""
    workload = _department_workload(staff, effort_by_field)
    floor = int(staff["min_per_department"])
    if staff["rule"] == "fixed":
        return [int(staff["fixed"])] * len(own.departments)
    if staff["rule"] == "allocated":
        if unit.slug not in allocation:
            return [None] * len(own.departments)
        processing = department_staff(own, allocation[unit.slug], staff["policy"], workload, floor)
    else:
        cap = staff["framework_cap_ward"] if unit.kind == "ward" else staff["framework_cap_commune"]
        civil = framework_headcount(unit, staff["framework_base"], staff["framework_base_population"],
                                    staff["framework_residents_per_extra"], cap)
        processing = department_staff(own, round(civil * staff["procedure_share"]), staff["policy"], workload, floor)
    for name, n in zip(own.department_names, processing):
        if n > MAX_STAFF:
            raise ConfigError("staff.city_positions" if staff["rule"] == "allocated" else "staff.procedure_share",
                              f"the {name} department of {unit.slug} would get {n:,} processing officers, "
                              f"more than {MAX_STAFF:,}")
    return processing


def _staff_table(path: str, structure: Structure, by_slug: dict) -> dict[str, dict[str, int]]:
    """staff.table read and checked against the units and their departments ({} when unset)."""
    if not path:
        return {}

    def departments_of(slug: str) -> tuple[str, ...] | None:
        unit = by_slug.get(slug)
        return structure.for_unit(unit.kind, unit.population).department_names if unit else None

    return read_staff_table(path, departments_of, MAX_STAFF)


def _records_bounded(units: tuple, demand: dict, days: int) -> None:
    """Every unit's expected records over the period fit in memory (all are drawn up front)."""
    plan = max(units, key=lambda u: u.records_per_day)
    expected = plan.records_per_day * days
    if expected > MAX_RECORDS_PER_UNIT and plan.unit.kind == CENTRE_KIND:
        raise ConfigError(
            "centre.records_per_day",
            f"{expected:,.0f} records expected at {plan.unit.slug} over {days:,} days; at most "
            f"{MAX_RECORDS_PER_UNIT:,} per branch and replication fit in memory: lower the demand or shorten the period",
        )
    if expected > MAX_RECORDS_PER_UNIT:
        raise ConfigError(
            "scenario.demand",
            f"{expected:,.0f} records expected at {plan.unit.slug} over {days:,} days (population "
            f"{plan.unit.population:,} x {demand['records_per_1000_residents_per_day']:g} per 1,000 residents a day "
            f"x growth {demand['growth']:g}); at most {MAX_RECORDS_PER_UNIT:,} per unit and replication fit in "
            "memory: lower the demand or shorten the period",
        )


def _results_bounded(units: int, replications: int, days: int) -> None:
    """The results of every unit and replication, kept until the run ends, fit in memory."""
    size = units * replications * (RESULT_BYTES_PER_UNIT + RESULT_BYTES_PER_UNIT_DAY * days)
    if size > MAX_RESULT_BYTES:
        raise ConfigError(
            "replications",
            f"{units} units x {replications:,} replications x {days:,} days keep about {size / 2**30:.0f} GB of "
            f"results in memory, more than {MAX_RESULT_BYTES / 2**30:.0f} GB: fewer replications, units or days",
        )


# --- the City Centre ------------------------------------------------------------------------
MAX_CENTRE_RECORDS_PER_DAY = 1_000_000.0  # centre.records_per_day: about 500 times the Centre's


def _centre_fits_table(c: dict, by_slug: dict) -> dict:
    """The Centre's branches, once they are known not to clash with the unit table: no slug in both,
    and, with the Centre in the run, no table so long that its rows reach the branches' stream indices."""
    centre = c["centre"]
    clash = [slug for slug in centre["branches"] if slug in by_slug]
    if clash:
        raise ConfigError(f"centre.branches.{clash[0]}", f"{clash[0]!r} is also a unit's slug in {c['city']['table']}")
    if centre["enabled"] and len(by_slug) > CENTRE_INDEX_BASE:
        raise ConfigError("city.table", f"{len(by_slug):,} units: with the City Centre (centre.enabled) a table "
                                        f"holds at most {CENTRE_INDEX_BASE:,}, whose rows give the streams of each")
    return centre["branches"]


CENTRE_STAFF_RULES = ("design_load", "fixed")  # centre.staff_rule (schema.CentreConfig)


def _centre_plans(c: dict, procedures: tuple, demand: dict, minutes_per_day: float, builder: PlanBuilder) -> tuple:
    """The Centre's branches a run simulates: all of them with the whole city, else those listed in
    ``city.units``. Each has the Centre's own departments, its own desks and staff (by
    ``centre.staff_rule``; ``minutes_per_day`` is an officer's session minutes a calendar day of an
    ordinary week, not of the period, so a branch's staff do not depend on when the run ends), and
    a share of the Centre's records by its demand weight (no rule that reads a population applies)."""
    centre, listed = c["centre"], c["city"]["units"]
    branches = centre["branches"]
    if not centre["enabled"]:
        for k, slug in enumerate(listed):
            if slug in branches:
                raise ConfigError(f"city.units[{k}]", f"{slug!r} is a branch of the City Centre, which "
                                                      "centre.enabled=false leaves out")
        return ()
    _at_least(centre, "records_per_day", 0, "centre.", MAX_CENTRE_RECORDS_PER_DAY)
    by_load = _choice(centre["staff_rule"], "centre.staff_rule", CENTRE_STAFF_RULES) == "design_load"
    if by_load:
        check_range(centre["design_load"], "centre.design_load", 0.0, 1.0, above=True)
    chosen = [slug for slug in listed if slug in branches] if listed else list(branches)
    if not chosen:
        return ()
    if not branches:
        raise ConfigError("centre.branches", "the Centre has no branches (or set centre.enabled=false)")
    structure = Structure("centre", "the City Public Administration Service Centre's departments",
                          tuple(_departments(centre["departments"], "centre.departments")), (CENTRE_KIND,))
    owned = structure.owner_of()
    for p in procedures:
        if p.field not in owned:
            raise ConfigError("centre.departments", f"field {p.field!r} (procedures.{p.name}) is owned by no "
                                                    f"department of the Centre (owned: {', '.join(sorted(owned))})")
    _shares_sum_to_one([p.share[CENTRE_KIND] for p in procedures], "procedures.*.share_centre",
                       "share_centre over procedures")

    for slug, b in branches.items():
        key = f"centre.branches.{slug}"
        if not SLUG.fullmatch(slug):
            raise ConfigError(key, f"{slug!r} is not a slug (letters, digits, _ and - only)")
        _positive(b, "demand_weight", f"{key}.", MAX_WEIGHT)
    weights = {slug: float(b["demand_weight"]) for slug, b in branches.items()}
    rate = float(centre["records_per_day"]) * float(demand["growth"]) / sum(weights.values())

    s = c["staff"]
    workload = field_effort(procedures, CENTRE_KIND)
    rows = {slug: row for row, slug in enumerate(branches)}
    plans = []
    for slug in chosen:
        b, key = branches[slug], f"centre.branches.{slug}"
        _at_least(b, "desks", 1, f"{key}.", MAX_DESKS)
        _at_least(b, "reception_points", 1, f"{key}.", b["desks"])
        for dept in b["staff"]:
            if dept not in structure.department_names:
                raise ConfigError(f"{key}.staff.{dept}", f"unknown department {dept!r} of the Centre "
                                                         f"(its departments: {', '.join(structure.department_names)})")
        records_per_day = weights[slug] * rate
        if by_load:  # the officers' time for records is what the design load is of
            stretch = 1.0 / (1.0 - float(s["other_duties_share"]))
            staff = [staff_for_load(records_per_day * department_effort(d, workload) * stretch, minutes_per_day,
                                    float(centre["design_load"]), f"{key}.staff", MAX_STAFF)
                     for d in structure.departments]
        else:
            for dept in structure.department_names:
                if dept not in b["staff"]:
                    raise ConfigError(f"{key}.staff", f"no staff given for department {dept!r}")
                _at_least(b["staff"], dept, 1, f"{key}.staff.", MAX_STAFF)
            staff = [int(b["staff"][d]) for d in structure.department_names]
        unit = branch_unit(rows[slug], slug, str(b["name"] or slug))
        plans.append(builder.plan(unit, structure, staff, int(b["desks"]), records_per_day))
    return tuple(plans)
