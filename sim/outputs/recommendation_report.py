"""The files ``python -m sim.recommend`` writes: recommendation.csv (one row per unit and resource),
recommendation.json (the summary), recommended_overrides.txt (the overrides that give a run the
recommended counts) and report.html (the verdict in sentences, then the tables).

The verdict's sentences come from :func:`verdict_sentences`, the hook a report page (and its map,
coloured by :func:`change_by_slug`) builds on.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.kpis import kpi_interval
from sim.experiments.recommendation import (ACCEPTED, TARGETS, Recommendation, UnitSearch, candidate_verdict,
                                            met_share)
from sim.model.city import CENTRE_KIND

KPI_COLUMNS = ("desk_wait_p90_min", "on_time_of_received_pct", "department_load_max", "overtime_hours_per_officer_week",
               "abandoned_of_received_pct", "desk_wait_mean_min")
PROBABILITY_METHOD = "share of the replications whose value meets the target"


def _interval(name: str, reps: list[dict]) -> dict:
    values = [r[name] for r in reps if not math.isnan(r[name])]
    if not values:
        return {"mean": math.nan, "ci95_low": math.nan, "ci95_high": math.nan}
    if name == "department_load_max":
        return {k: v for k, v in zip(("mean", "ci95_low", "ci95_high"), _plain_ci(values))}
    ci = kpi_interval(name, values)
    return {k: (math.nan if ci.get(k) is None else ci[k]) for k in ("mean", "ci95_low", "ci95_high")}


def _plain_ci(values: list[float]) -> tuple[float, float, float]:
    from sim.analysis.intervals import mean_ci95

    ci = mean_ci95(values, 0.0, math.inf)
    return ci["mean"], ci["ci95_low"] if ci["ci95_low"] is not None else math.nan, \
        ci["ci95_high"] if ci["ci95_high"] is not None else math.nan


def unit_outcome(rec: Recommendation, search: UnitSearch, vector: tuple[int, ...]) -> dict:
    """The KPIs of one candidate of a unit (mean and 95 % interval), each target's estimated
    probability of being met and whether the test accepts it."""
    reps = rec.reps(search, vector)
    row: dict = {"replications": len(reps)}
    if not reps:
        return row
    verdict, _ = candidate_verdict(reps, rec.spec)
    row["meets_targets"] = verdict == ACCEPTED
    row["misses_a_target_on_average"] = False
    for name in KPI_COLUMNS:
        ci = _interval(name, reps)
        row.update({name: ci["mean"], f"{name}_ci95_low": ci["ci95_low"], f"{name}_ci95_high": ci["ci95_high"]})
    for target, value in rec.spec.targets.items():
        kpi, sense = TARGETS[target]
        row[f"p_{target}"] = met_share([r[kpi] for r in reps], value, sense)
        mean = row[kpi]
        if not math.isnan(mean) and (mean > value if sense == "max" else mean < value):
            row["misses_a_target_on_average"] = True
    return row


def recommendation_table(rec: Recommendation) -> pd.DataFrame:
    """One row per unit and resource: current, screened and recommended counts, the change, and
    the unit's KPIs today and at the recommendation (mean, 95 % interval, probability met)."""
    rows = []
    for search in rec.searches:
        plan = rec.scenario.units[search.position]
        today = unit_outcome(rec, search, search.current)
        chosen = unit_outcome(rec, search, search.x)
        for k, resource in enumerate(search.resources):
            row = {"slug": plan.unit.slug, "name": plan.unit.name, "kind": plan.unit.kind,
                   "resource": resource.kind, "group_or_department": resource.name,
                   "current": search.current[k], "screened": search.screened[k], "recommended": search.x[k],
                   "change": search.x[k] - search.current[k], "search": search.outcome,
                   "out_of_reach": " ".join(search.out_of_reach),
                   "today_meets_targets": today.get("meets_targets"),
                   "today_misses_a_target_on_average": today.get("misses_a_target_on_average")}
            row.update({f"today_{name}": today.get(name, math.nan) for name in KPI_COLUMNS})
            row.update({f"today_p_{t}": today.get(f"p_{t}", math.nan) for t in rec.spec.targets})
            row["replications"] = chosen.get("replications", 0)
            row["meets_targets"] = chosen.get("meets_targets")
            row.update({key: value for key, value in chosen.items()
                        if key not in ("replications", "meets_targets", "misses_a_target_on_average")})
            rows.append(row)
    return pd.DataFrame(rows)


def change_by_slug(rec: Recommendation, resource: str = "officers") -> dict[str, int]:
    """Each unit's recommended change of ``resource`` (counters or officers), summed over its
    groups or departments: what a map colours units by."""
    table = recommendation_table(rec)
    chosen = table[table["resource"] == resource]
    return {slug: int(v) for slug, v in chosen.groupby("slug", sort=False)["change"].sum().items()}


def summary(rec: Recommendation) -> dict:
    """recommendation.json: the settings, what it takes city-wide, and the time split."""
    table = recommendation_table(rec)
    units = table.drop_duplicates("slug")
    totals = {}
    settled = table["search"].isin(["minimal", "out of reach"])
    for resource in ("counters", "officers"):
        t = table[(table["resource"] == resource) & settled]
        totals[resource] = {"current": int(t["current"].sum()), "recommended": int(t["recommended"].sum()),
                            "to_add": int(t["change"].clip(lower=0).sum()),
                            "to_remove": int(-t["change"].clip(upper=0).sum()),
                            "units_adding": int(t[t["change"] > 0]["slug"].nunique()),
                            "units_removing": int(t[t["change"] < 0]["slug"].nunique())}
    missing_today = units[units["today_meets_targets"] == False]["slug"].tolist()  # noqa: E712
    return {
        "units": int(len(units)),
        "targets": {name: ("none" if name == "backlog_growth" else value) for name, value in rec.spec.targets.items()},
        "confidence": rec.spec.confidence,
        "decision_confidence": rec.spec.decision_confidence,
        "probability_method": PROBABILITY_METHOD,
        "units_missing_targets_today": len(missing_today),
        "units_missing_targets_today_slugs": missing_today,
        "units_missing_a_target_on_average_today": int((units["today_misses_a_target_on_average"] == True).sum()),  # noqa: E712
        "units_meeting_targets_at_recommendation": int((units["meets_targets"] == True).sum()),  # noqa: E712
        "units_out_of_reach": {slug: targets.split() for slug, targets in
                               units[units["search"] == "out of reach"][["slug", "out_of_reach"]].itertuples(index=False)},
        "units_not_settled": units[~units["search"].isin(["minimal", "out of reach"])]["slug"].tolist(),
        "totals": totals,  # over the settled units (minimal, or out of reach)
        "totals_cover": "units settled (search minimal or out of reach); the others are listed in units_not_settled",
        "rounds": rec.rounds,
        "unit_replications_simulated": rec.simulated,
        "round_log": rec.round_log,
        "time_s": {name.removesuffix("_s"): round(value, 2) for name, value in rec.timing.items()},
    }


def structure_summary(plan) -> dict:
    """recommendation.json's block on structures: the limit, the averages, the units chosen."""
    return {"limit_organisations_per_unit": plan.limit,
            "organisation": "a department or the unit's service point (structure.max_average_units)",
            "average_before": round(plan.average_before, 3), "average_after": round(plan.average_after, 3),
            "units_gaining": int(plan.table.loc[plan.table["on_time_of_received_pct_change_ci95_low"].fillna(-1) > 0,
                                                "slug"].nunique()),
            "chosen": [{"slug": r["slug"], "structure": r["structure"], "extra_departments": int(r["extra_departments"]),
                        "on_time_of_received_pct_change": r["on_time_of_received_pct_change"]}
                       for _, r in plan.chosen.iterrows()]}


def verdict_sentences(rec: Recommendation, structures=None) -> list[str]:
    """The recommendation in plain words, first what is wrong today, then what fixes it (and,
    given a :class:`sim.experiments.structure_plan.StructurePlan`, which units gain from a department)."""
    s = summary(rec)
    c, o = s["totals"]["counters"], s["totals"]["officers"]
    p = round(100 * rec.spec.confidence)
    lines = [f"{s['units_missing_targets_today']} of {s['units']} units cannot be shown to meet every target "
             f"in {p} % of periods with today's counters and officers "
             f"({s['units_missing_a_target_on_average_today']} miss one on average)."]
    settled = s["units"] - len(s["units_not_settled"])
    lines.append(f"For the {settled} settled units the recommendation is {c['recommended']} counters (today {c['current']}: {c['to_add']} more in "
                 f"{c['units_adding']} units, {c['to_remove']} fewer in {c['units_removing']}) and "
                 f"{o['recommended']} processing officers (today {o['current']}: {o['to_add']} more in "
                 f"{o['units_adding']} units, {o['to_remove']} fewer in {o['units_removing']}).")
    lines.append(f"With it {s['units_meeting_targets_at_recommendation']} of {s['units']} units meet every target "
                 f"with an estimated probability of at least {p} % each (tested over the replications with "
                 f"{round(100 * rec.spec.decision_confidence)} % confidence).")
    if s["units_out_of_reach"]:
        named = ", ".join(f"{slug} ({', '.join(t)})" for slug, t in list(s["units_out_of_reach"].items())[:10])
        lines.append(f"{len(s['units_out_of_reach'])} units cannot reach a target by more counters or officers "
                     f"(one more brought it no measurable step closer); they keep the counts before that step: "
                     f"{named}" + (" ..." if len(s["units_out_of_reach"]) > 10 else ""))
    if s["units_not_settled"]:
        lines.append(f"{len(s['units_not_settled'])} units are not settled (replications or rounds ran out, or a "
                     f"resource reached its ceiling): {', '.join(s['units_not_settled'][:10])}"
                     + (" ..." if len(s["units_not_settled"]) > 10 else ""))
    if structures is not None:
        b = structure_summary(structures)
        lines.append(f"{b['units_gaining']} units finish clearly more records on time with an extra department "
                     f"(at the recommended counts); within Decree 370's average of {b['limit_organisations_per_unit']} "
                     f"organisations per unit (today {b['average_before']:.2f}) the plan gives one to "
                     f"{len(b['chosen'])} of them (average {b['average_after']:.2f}).")
    return lines


def overrides(rec: Recommendation) -> list[str]:
    """The overrides that give ``python -m sim`` (or ``sim.load_config``) the recommended counts."""
    scenario = rec.scenario
    grouped = bool(scenario.procedure_desk_group)
    out, branch_staff = [], False
    for search in rec.searches:
        plan = scenario.units[search.position]
        slug = plan.unit.slug
        desks = [(r.name, v) for r, v in zip(search.resources, search.x) if r.kind == "counters"]
        staff = [(r.name, v) for r, v in zip(search.resources, search.x) if r.kind == "officers"]
        if plan.unit.kind == CENTRE_KIND:
            out.append(f"centre.branches.{slug}.desks={desks[0][1]}")
            if staff:
                branch_staff = True
                out.append(f"centre.branches.{slug}.staff={{{','.join(f'{d}:{n}' for d, n in staff)}}}")
            continue
        if grouped:
            out.append(f"++desks.groups.per_unit.{slug}={{{','.join(f'{g}:{n}' for g, n in desks)}}}")
        else:
            out.append(f"++desks.per_unit.{slug}={desks[0][1]}")
        if staff:
            out.append(f"++staff.per_unit.{slug}={{{','.join(f'{d}:{n}' for d, n in staff)}}}")
    if branch_staff:
        out.append("centre.staff_rule=fixed")
    return out


def _fmt(value, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (float, np.floating)):
        return f"{value:.{digits}f}"
    return html.escape(str(value))


def report_html(rec: Recommendation, structures=None) -> str:
    """A plain page: the verdict's sentences, then the units whose counts change."""
    table = recommendation_table(rec)
    s = summary(rec)
    changed = table[table["change"] != 0]
    columns = ["slug", "name", "resource", "group_or_department", "current", "recommended", "change",
               "desk_wait_p90_min", "on_time_of_received_pct", "overtime_hours_per_officer_week", "meets_targets"]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_fmt(r[c])}</td>" for c in columns) + "</tr>"
                   for _, r in changed.iterrows())
    targets = ", ".join(f"{k} = {v}" for k, v in s["targets"].items())
    verdict = "".join(f"<p>{html.escape(line)}</p>" for line in verdict_sentences(rec, structures))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>What each unit needs</title>
<style>body{{font-family:sans-serif;max-width:70em;margin:2em auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 6px;text-align:right}}td:nth-child(-n+4){{text-align:left}}</style></head>
<body><h1>What each unit needs</h1>
<section id="verdict">{verdict}</section>
<section id="method"><h2>How it was made</h2>
<p>Targets: {html.escape(targets)}. Probability met: {PROBABILITY_METHOD}; a unit is accepted when a one-sided
normal tolerance bound over its replications says a period meets each target with probability at least
{rec.spec.confidence:.2f}, with confidence {rec.spec.decision_confidence:.2f}.
Screening (Erlang C for counters, offered load at most {rec.spec.screen_load} for officers) took
{s['time_s']['screening']} s; simulation ({s['unit_replications_simulated']} unit-replications in {s['rounds']} rounds)
{s['time_s']['simulation']} s. Intervals are 95 % intervals over the replications.</p></section>
<section id="changes"><h2>Units whose counts change ({changed['slug'].nunique()} of {s['units']})</h2>
<table><tr>{head}</tr>{body}</table></section>
{_structure_section(structures)}
</body></html>
"""


def _structure_section(plan) -> str:
    if plan is None:
        return ""
    columns = ["slug", "structure", "extra_departments", "on_time_of_received_pct_change",
               "on_time_of_received_pct_change_ci95_low", "on_time_of_received_pct_change_ci95_high"]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_fmt(r[c], 2)}</td>" for c in columns) + "</tr>"
                   for _, r in plan.chosen.iterrows())
    return (f'<section id="structures"><h2>Units given an extra department ({len(plan.chosen)})</h2>'
            f"<table><tr>{head}</tr>{body}</table></section>")


def write_recommendation(folder: Path, rec: Recommendation, structures=None) -> None:
    """Write the folder's files (see the module's docstring); with a structure plan also
    structure_plan.csv (one row per unit and alternative structure) and its block in the JSON."""
    folder.mkdir(parents=True, exist_ok=True)
    if structures is not None:
        structures.table.to_csv(folder / "structure_plan.csv", index=False, encoding="utf-8-sig")
    recommendation_table(rec).to_csv(folder / "recommendation.csv", index=False, encoding="utf-8-sig")
    (folder / "recommended_overrides.txt").write_text("\n".join(overrides(rec)) + "\n", encoding="utf-8")
    (folder / "report.html").write_text(report_html(rec, structures), encoding="utf-8")
    s = summary(rec)
    if structures is not None:
        s["structures"] = structure_summary(structures)
    (folder / "recommendation.json").write_text(json.dumps(s, indent=2, ensure_ascii=False, default=float),
                                                encoding="utf-8")
