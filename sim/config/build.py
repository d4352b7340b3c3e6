"""Turn a composed Hydra config into a validated :class:`~sim.model.scenario.Scenario`.

Every check names the offending key, so the command line can stop with one clear line before
anything is simulated or written.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import math
import re
from typing import Any

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.model.calendar import MINUTES_PER_DAY, CalendarSpec
from sim.model.city import CENTRE_KIND, KINDS
from sim.errors import ConfigError
from sim.model.scenario import BackOfficePolicy, DeskPolicy, OvertimePolicy, Scenario
from sim.config.counters import desk_groups, with_counters
from sim.config.departments import department_mechanisms, rework_within_reach
from sim.config.day_start import day_start
from sim.config.ensemble import MAX_MEMBERS as MAX_ENSEMBLE_MEMBERS, load_ensemble
from sim.config.stock import stock_policy
from sim.config.schema import REPORT_LANGUAGES
from sim.config.visits import visit_policy
from sim.engines.contract import ENGINES
from sim.engines.rules import CLOSING_RULES, OVERTIME_TRIGGERS, QUEUE_ORDERS
from sim.model.structures import STAFFING_POLICIES
from sim.model.unit_plan import plan_builder
from sim.config.calendar import _calendar
from sim.config.centre import _centre_plans
from sim.config.checks import (MAX_DEMAND_RATE, MAX_GROWTH, MAX_MINUTES, MAX_PERIOD_DAYS, MAX_RECORDS_PER_UNIT,
                               MAX_REPLICATIONS, MAX_RESULT_BYTES, MAX_SCALE, MAX_STAFF, MAX_WEIGHT, MAX_WORKERS,
                               MAX_WORKING_DAYS, RESULT_BYTES_PER_UNIT, RESULT_BYTES_PER_UNIT_DAY, _at_least, _choice,
                               _date, _distribution, _positive, _share, check_range)
from sim.config.procedures import _mixes, _procedures, _scaled
from sim.config.structures import _structure
from sim.config.units import _rota_within_reach, _unit_plans
# importable from here, as before the builder was split by concern
from sim.config.structures import load_structure_config  # noqa: F401
from sim.config.units import _allocation  # noqa: F401


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


MAX_OTHER_DUTIES_SHARE = 0.95  # staff.other_duties_share: officers keep at least 5 % of their time for records
MAX_THRESHOLD_DAYS = 1000.0  # staff.overtime.threshold_days


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


