"""The files ``python -m sim.recommend`` writes: recommendation.csv (one row per unit and resource),
recommendation_units.csv (one row per unit), recommendation.xlsx (the same as numbers with number
formats, and a sheet "about" saying how it was made), recommendation.json (the summary),
recommended_overrides.txt (the overrides that give a run the recommended counts), three maps and
report.html: the one-page verdict in plain words (``report.language``), the maps of the recommended
change of officers and of counters and of today's worst target, the glossary, then the detail.

The verdict's sentences come from :func:`verdict_sentences`; the change maps are coloured by
:func:`change_by_slug`. Every CSV goes through :func:`sim.outputs.csv_files.write_csv` (UTF-8 with
a byte-order mark, for Excel).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from sim.analysis.kpis import KPIS, kpi_interval
from sim.experiments.recommendation import (ACCEPTED, KEEPS_UP, TARGETS, Recommendation, UnitSearch,
                                            candidate_verdict, met_share)
from sim.model.city import CENTRE_KIND
from sim.outputs.csv_files import write_csv
from sim.outputs.atomic import replacing, write_json, write_text
from sim.outputs.figures import save
from sim.outputs.language import RECOMMEND_GLOSSARY, RECOMMEND_SHARED_TERMS, number, parameter_words, plain, text
from sim.outputs.run_report import table_of
from sim.outputs.templating import render
from sim.outputs.unit_map import MapDataError, plot_unit_map
from sim.outputs.verdict import NAMED, basis_sentences, glossary_terms

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
        **rec.basis,
        **({"ensemble": rec.ensemble} if rec.ensemble else {}),
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


SETTLED = ("minimal", "out of reach")  # search outcomes whose counts are a finished recommendation
MAPS = {"officers": "officers_change_map.png", "counters": "counters_change_map.png", "kpi": "unit_map.png"}


def unit_frame(rec: Recommendation) -> pd.DataFrame:
    """One row per unit (recommendation_units.csv): its counters and officers today and at the
    recommendation, the targets it cannot be shown to meet today, and its KPIs (mean, 95 %
    interval) and each target's probability met, today (``today_`` columns) and at the recommendation."""
    rows = []
    for search in rec.searches:
        plan = rec.scenario.units[search.position]
        row = {"slug": plan.unit.slug, "name": plan.unit.name, "kind": plan.unit.kind, "search": search.outcome}
        for resource in ("counters", "officers"):
            ks = [k for k, r in enumerate(search.resources) if r.kind == resource]
            today, chosen = sum(search.current[k] for k in ks), sum(search.x[k] for k in ks)
            row.update({f"{resource}_today": today if ks else math.nan,
                        f"{resource}_recommended": chosen if ks else math.nan,
                        f"{resource}_change": chosen - today if ks else math.nan})
        reps_today = rec.reps(search, search.current)
        each = candidate_verdict(reps_today, rec.spec)[1] if reps_today else {}
        row["today_short_of"] = " ".join(t for t, v in each.items() if v != ACCEPTED)
        for prefix, vector in (("today_", search.current), ("", search.x)):
            outcome = unit_outcome(rec, search, vector)
            row[f"{prefix}replications"] = outcome.get("replications", 0)
            row[f"{prefix}meets_targets"] = outcome.get("meets_targets")
            row[f"{prefix}misses_a_target_on_average"] = outcome.get("misses_a_target_on_average")
            for name in KPI_COLUMNS:
                for part in ("", "_ci95_low", "_ci95_high"):
                    row[f"{prefix}{name}{part}"] = outcome.get(f"{name}{part}", math.nan)
            for target in rec.spec.targets:
                row[f"{prefix}p_{target}"] = outcome.get(f"p_{target}", math.nan)
        # the reach probe (recommend.reach_factor times every count), where one ran: each target's KPI there
        probe = unit_outcome(rec, search, search.probe) if search.probe is not None else {}
        for target in rec.spec.targets:
            row[f"reach_{TARGETS[target][0]}"] = probe.get(TARGETS[target][0], math.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def _language(rec: Recommendation, language: str | None) -> str:
    return language or getattr(rec.scenario, "report_language", "en")


def target_phrase(target: str, value: float, language: str) -> str:
    """A target in words: "90th-percentile desk wait at most 20 min"."""
    return text(f"t_{target}", language, value=plain(value, language))


def _named(items: list[str], language: str) -> str:
    """The first NAMED items, then how many more."""
    shown = ", ".join(items[:NAMED])
    return shown + (text("v_and_more", language, n=len(items) - NAMED) if len(items) > NAMED else "")


def city_overtime(rec: Recommendation, current: bool) -> dict | None:
    """The officer-weighted mean overtime per processing officer and week over the units, today
    (``current``) or at the recommendation, with its 95 % interval over the replications every
    unit shares (replication k of every unit is one period of the whole city); None without officers."""
    from sim.analysis.intervals import mean_ci95

    per_unit = []
    for search in rec.searches:
        vector = search.current if current else search.x
        officers = sum(v for v, r in zip(vector, search.resources) if r.kind == "officers")
        reps = rec.reps(search, vector)
        if officers and reps:
            per_unit.append((officers, [r["overtime_hours_per_officer_week"] for r in reps]))
    if not per_unit:
        return None
    n = min(len(values) for _, values in per_unit)
    city = []
    for k in range(n):
        pairs = [(w, values[k]) for w, values in per_unit if not math.isnan(values[k])]
        if pairs:
            city.append(sum(w * v for w, v in pairs) / sum(w for w, _ in pairs))
    return mean_ci95(city, 0.0, math.inf) if city else None


def _fix_part(units: pd.DataFrame, resource: str, language: str) -> str:
    """One resource's recommended total, today's, and where it grows and shrinks (names, changes)."""
    column = f"{resource}_change"
    if units[column].isna().all():
        return text("r_fix_not_staffed", language)
    t = units[units["search"].isin(SETTLED) & units[column].notna()]
    if t.empty:
        return text("r_fix_none_settled", language, what=text(resource, language))
    adding, removing = t[t[column] > 0].sort_values(column, ascending=False), t[t[column] < 0].sort_values(column)

    def where(rows: pd.DataFrame) -> str:
        names = [f"{n} {number(c, language, 0, signed=True)}" for n, c in zip(rows["name"], rows[column])]
        return f" ({_named(names, language)})" if names else ""

    changes = [text(key, language, n=int(abs(rows[column].sum())), units=len(rows), where=where(rows))
               for key, rows in (("r_fix_add", adding), ("r_fix_remove", removing)) if len(rows)]
    return text("r_fix_resource", language, what=text(resource, language), recommended=int(t[f"{resource}_recommended"].sum()),
                current=int(t[f"{resource}_today"].sum()),
                changes=": " + ", ".join(changes) if changes else f": {text('r_nothing_changes', language)}")


def ensemble_sentences(ensemble: dict, language: str) -> list[str]:
    """A recommendation over an ensemble, in words: each resource's range over the members, what
    moves it, and the counts that meet every member's targets."""
    if not ensemble:
        return []
    out = []
    for kind in ("officers", "counters"):
        t = ensemble["totals"][kind]
        driver = text("ensemble_driver", language, parameter=parameter_words(t["driver"], language)) if t.get("driver") else ""
        out.append(text(f"r_ensemble_{kind}", language, members=ensemble["members"], name=ensemble["name"],
                        low=number(t["min"], language, 0), high=number(t["max"], language, 0),
                        plan=number(t["covering_plan"], language, 0), driver=driver))
    return out


def verdict_sentences(rec: Recommendation, structures=None, language: str | None = None) -> list[str]:
    """The recommendation in plain words (``language``, by default ``report.language``): the targets,
    which units cannot be shown to meet them today, what it takes (counters and officers to add or
    remove, and where), at what overtime, and the probability each target is met; then the units
    out of reach or not settled and (given a :class:`sim.experiments.structure_plan.StructurePlan`)
    which units gain from a department. Plain text: the report escapes it."""
    language = _language(rec, language)
    units = unit_frame(rec)
    spec = rec.spec
    p, dc = plain(round(100 * spec.confidence, 1), language), plain(round(100 * spec.decision_confidence, 1), language)
    total = len(units)
    lines = [text("r_targets", language, p=p, targets="; ".join(target_phrase(t, v, language)
                                                                 for t, v in spec.targets.items()))]
    lines += ensemble_sentences(rec.ensemble, language)  # over an ensemble, its range is the answer: first
    short = units[units["today_meets_targets"] == False].copy()  # noqa: E712
    if len(short):
        short["lowest"] = short[[f"today_p_{t}" for t in spec.targets]].min(axis=1)
        short = short.sort_values(["lowest", "name"])
        names = [f"{n} ({', '.join(text(f's_{t}', language) for t in of.split())})" if of else n
                 for n, of in zip(short["name"], short["today_short_of"])]
        lines.append(text("r_today", language, misses=len(short), total=total, p=p,
                          average=int((units["today_misses_a_target_on_average"] == True).sum()),  # noqa: E712
                          names=_named(names, language)))
    else:
        lines.append(text("r_today_none", language, total=total, p=p))
    settled = int(units["search"].isin(SETTLED).sum())
    scope = text("r_fix_scope", language, n=settled) if 0 < settled < total else ""
    point_only = text("r_point_only", language) if rec.ensemble else ""
    lines.append(point_only + text("r_fix", language, scope=scope, counters=_fix_part(units, "counters", language),
                                   officers=_fix_part(units, "officers", language)))
    lines.append(text("r_meet", language, meet=int((units["meets_targets"] == True).sum()), total=total,  # noqa: E712
                      p=p, dc=dc))
    lines += basis_sentences(rec.basis, language, bool(rec.ensemble))
    items = []
    for target, value in spec.targets.items():
        column = units[f"p_{target}"]
        if column.notna().any():
            low = column.idxmin()
            where = text("r_every_unit_p", language) if column[low] >= 1 else units.at[low, "name"]
            items.append(f"{target_phrase(target, value, language)}: {number(100 * column[low], language, 0)} % "
                         f"({where})")
    if items:
        lines.append(text("r_probability", language, items="; ".join(items)))
    lines.append(_overtime_sentence(rec, units, language))
    out_of_reach = units[units["search"] == "out of reach"]
    if len(out_of_reach):
        reach = {s.position: s.out_of_reach for s in rec.searches}

        def missed(k: int, target: str) -> str:
            value = out_of_reach.loc[k, f"reach_{TARGETS[target][0]}"]
            if math.isnan(value):
                return text(f"s_{target}", language)
            kpi = KPIS.get(TARGETS[target][0])  # the KPI's unit (min, %, hours); the load has none
            unit = f" {kpi.unit}" if kpi is not None else ""
            return text("r_reach_value", language, target=text(f"s_{target}", language),
                        value=number(value, language, 1) + unit, factor=plain(spec.reach_factor, language))

        names = [f"{n} ({', '.join(missed(k, t) for t in reach[k])})" for k, n in
                 zip(out_of_reach.index, out_of_reach["name"])]
        lines.append(text("r_out_of_reach", language, n=len(out_of_reach), factor=plain(spec.reach_factor, language),
                          names=_named(names, language)))
    unsettled = units[~units["search"].isin(SETTLED)]
    if len(unsettled):
        lines.append(text("r_not_settled", language, n=len(unsettled), names=_named(list(unsettled["name"]), language)))
    if structures is not None:
        b = structure_summary(structures)
        lines.append(text("r_structures", language, gaining=b["units_gaining"],
                          limit=plain(b["limit_organisations_per_unit"], language), chosen=len(b["chosen"]),
                          before=number(b["average_before"], language, 2), after=number(b["average_after"], language, 2)))
        if structures.plans is not None:
            lines.append(_plans_sentence(structures.plans.summary, language))
    return lines


def _plans_sentence(table: pd.DataFrame, language: str) -> str:
    """The three city plans in one sentence: units, departments, positions and on-time change each."""
    def gain(row) -> str:
        if row["on_time_of_received_pct_change"] is None or pd.isna(row["on_time_of_received_pct_change"]):
            return "n/a"
        return (f"{number(row['on_time_of_received_pct_change'], language, 2, signed=True)} "
                f"[{number(row['on_time_of_received_pct_change_ci95_low'], language, 2)}, "
                f"{number(row['on_time_of_received_pct_change_ci95_high'], language, 2)}]")

    items = [text("r_plan_item", language, plan=text(f"plan_{r['plan']}", language), units=r["units"],
                  departments=r["departments_added"], positions=r["positions_added"], gain=gain(r))
             for _, r in table.iterrows()]
    return text("r_plans", language, items="; ".join(items))


def _overtime_sentence(rec: Recommendation, units: pd.DataFrame, language: str) -> str:
    if not rec.scenario.back_office.overtime.enabled:
        return text("v_overtime_off", language)
    after, today = city_overtime(rec, current=False), city_overtime(rec, current=True)
    if after is None:
        return text("r_fix_not_staffed", language).capitalize() + "."

    def shown(value):
        return "n/a" if value is None or pd.isna(value) else number(value, language, 2)

    most = units["overtime_hours_per_officer_week"]
    top = most.idxmax() if most.notna().any() else None
    return text("r_overtime", language, value=shown(after["mean"]), low=shown(after["ci95_low"]),
                high=shown(after["ci95_high"]), today=shown(today["mean"] if today else None),
                most="n/a" if top is None else f"{units.at[top, 'name']} {shown(most[top])}")


# --- maps --------------------------------------------------------------------------------------
def worst_target(rec: Recommendation, units: pd.DataFrame) -> tuple[str, int]:
    """The target most units cannot be shown to meet today, and how many (the first target on a tie)."""
    counts = {t: int(units["today_short_of"].str.split().map(lambda of: t in of).sum()) for t in rec.spec.targets}
    best = max(counts, key=lambda t: (counts[t], -list(counts).index(t)))
    return best, counts[best]


def write_maps(folder: Path, rec: Recommendation, language: str | None = None) -> list[dict]:
    """The maps of the verdict: the recommended change of officers and of counters (diverging,
    centred on 0) and today's value of the target most units miss (with the target on the colour
    bar). Writes the PNGs into ``folder``; returns for each its file, id, title and caption."""
    language = _language(rec, language)
    units = unit_frame(rec).set_index("slug")
    maps = []
    for resource in ("officers", "counters"):
        change = pd.Series(change_by_slug(rec, resource), dtype=float)
        if change.empty:  # no back office: no officers to map
            continue
        label = text(f"change_{resource}", language)
        title = text("map_title_rec_change", language, label=label)
        moved = change[change != 0].abs().sort_values(ascending=False, kind="stable")
        fig = plot_unit_map(change, label=label, title=title, diverging=True, language=language,
                            labelled=list(moved.index[:NAMED]))
        fig.axes[-1].yaxis.set_major_locator(MaxNLocator(integer=True))  # the colour bar: whole counters, officers
        save(fig, folder / MAPS[resource])
        maps.append({"file": MAPS[resource], "id": f"map_{resource}", "title": title,
                     "caption": text("map_caption_rec_change", language, what=text(resource, language),
                                     parts=text(f"parts_{resource}", language))})
    target, misses = worst_target(rec, units.reset_index())
    kpi = TARGETS[target][0]
    value = rec.spec.targets[target]
    label = text(kpi, language)
    title = text("map_title_rec_kpi", language, label=label)
    short = units[units["today_short_of"].str.split().map(lambda of: target in of)]
    save(plot_unit_map(units[f"today_{kpi}"], label=label, title=title, language=language,
                       labelled=list(short.index[:NAMED]), target=value), folder / MAPS["kpi"])
    shown_target = plain(value, language) if target != "backlog_growth" else plain(KEEPS_UP, language)
    maps.append({"file": MAPS["kpi"], "id": "map_kpi", "title": title,
                 "caption": text("map_caption_rec_kpi", language, label=label, misses=misses, total=len(units),
                                 target=shown_target)})
    return maps


# --- the page ----------------------------------------------------------------------------------
def _shown(value, language: str, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return text("yes" if value else "no", language)
    if isinstance(value, (float, np.floating)):
        return number(float(value), language, digits)
    return str(value)


def _kind(kind: str, language: str) -> str:
    return text(kind, language) if kind in ("ward", "commune", CENTRE_KIND) else kind


def changes_table(rec: Recommendation, language: str) -> pd.DataFrame:
    """The unit-resources whose count changes, by unit name, in the report's language."""
    t = recommendation_table(rec)
    t = t[t["change"] != 0]
    return pd.DataFrame({text("column_unit", language): t["name"],
                         text("column_kind", language): [_kind(k, language) for k in t["kind"]],
                         text("column_resource", language): [text(r, language) for r in t["resource"]],
                         text("column_part", language): t["group_or_department"],
                         text("column_today", language): t["current"],
                         text("column_recommended", language): t["recommended"],
                         text("column_change", language): [number(c, language, 0, signed=True) for c in t["change"]]})


def every_unit_table(rec: Recommendation, units: pd.DataFrame, language: str) -> pd.DataFrame:
    """Every unit: counts today and recommended, whether it meets every target today and at the
    recommendation, the recommendation's main KPIs and each target's probability met."""

    def pair(resource):
        return [("" if pd.isna(a) else f"{int(a)} → {int(b)}") for a, b in
                zip(units[f"{resource}_today"], units[f"{resource}_recommended"])]

    out = pd.DataFrame({text("column_unit", language): units["name"],
                        text("column_kind", language): [_kind(k, language) for k in units["kind"]],
                        text("column_counters", language): pair("counters"),
                        text("column_officers", language): pair("officers"),
                        text("column_today_meets", language): [_shown(v, language) for v in units["today_meets_targets"]],
                        text("column_meets", language): [_shown(v, language) for v in units["meets_targets"]]})
    for kpi in ("desk_wait_p90_min", "on_time_of_received_pct", "overtime_hours_per_officer_week"):
        label = text(kpi, language)
        out[text("column_today_of", language, label=label)] = [_shown(v, language) for v in units[f"today_{kpi}"]]
        out[text("column_recommended_of", language, label=label)] = [_shown(v, language) for v in units[kpi]]
    for target in rec.spec.targets:
        out[text("column_probability", language, target=text(f"s_{target}", language))] = [
            "" if pd.isna(v) else f"{number(100 * v, language, 0)} %" for v in units[f"p_{target}"]]
    out[text("column_search", language)] = units["search"]
    return out


def report_html(rec: Recommendation, maps: list[dict], folder: Path, structures=None,
                language: str | None = None) -> str:
    """report.html from ``templates/recommendation_report.html``: the verdict's sentences and the maps
    (``write_maps``, PNGs in ``folder``) two abreast on the first screen, the glossary, then the
    detail: the counts that change, every unit, how it was made, the structure plans."""
    language = _language(rec, language)
    scenario, spec = rec.scenario, rec.spec
    units = unit_frame(rec)
    s = summary(rec)
    branches = int((units["kind"] == CENTRE_KIND).sum())
    changed = changes_table(rec, language)
    method = text("r_method_text", language, screen_load=plain(spec.screen_load, language),
                  screen_s=number(s["time_s"]["screening"], language, 1), simulated=s["unit_replications_simulated"],
                  rounds=s["rounds"], simulation_s=number(s["time_s"]["simulation"], language, 1),
                  p=plain(round(100 * spec.confidence, 1), language),
                  dc=plain(round(100 * spec.decision_confidence, 1), language))
    plans = None if structures is None or structures.plans is None else _plans_table(structures.plans.summary, language)
    return render(
        "recommendation_report.html", language, title=text("rec_title", language),
        units=len(units) - branches, branches=text("and_branches", language, n=branches) if branches else "",
        start=scenario.start, end=scenario.end, seed=scenario.seed, reps=spec.replications,
        max_reps=spec.max_replications, sentences=verdict_sentences(rec, structures, language),
        maps=[{"path": folder / m["file"], "title": m["title"], "caption": m["caption"], "id": m["id"]} for m in maps],
        glossary=glossary_terms(language, RECOMMEND_SHARED_TERMS, RECOMMEND_GLOSSARY),
        changed_units=changed.iloc[:, 0].nunique(), total=len(units), changes=table_of(changed),
        every_unit=table_of(every_unit_table(rec, units, language)), method=method,
        structures=None if structures is None else _structure_table(structures, language),
        plans=None if plans is None else table_of(plans))


def _structure_table(plan, language: str) -> dict:
    """The units given an extra department, with the on-time change and its interval."""
    columns = ["slug", "structure", "extra_departments", "on_time_of_received_pct_change",
               "on_time_of_received_pct_change_ci95_low", "on_time_of_received_pct_change_ci95_high"]
    shown = plan.chosen[columns].copy()
    for c in columns[3:]:
        shown[c] = [_shown(v, language) for v in shown[c]]
    return table_of(shown)


def _plans_table(table: pd.DataFrame, language: str) -> pd.DataFrame:
    """The three city plans under Decree 370 side by side (sim.experiments.city_plans)."""
    return pd.DataFrame({
        text("column_plan", language): [text(f"plan_{p}", language) for p in table["plan"]],
        text("column_plan_units", language): table["units"],
        text("column_plan_departments", language): table["departments_added"],
        text("column_plan_average", language): [f"{number(a, language, 2)} / {plain(l, language)}"
                                                for a, l in zip(table["average_after"], table["limit"])],
        text("column_plan_positions", language): table["positions_added"],
        text("column_plan_gain", language): [
            _shown(m, language) + (f" ({_shown(lo, language)} – {_shown(hi, language)})" if lo is not None and not pd.isna(lo) else "")
            for m, lo, hi in zip(table["on_time_of_received_pct_change"], table["on_time_of_received_pct_change_ci95_low"],
                                 table["on_time_of_received_pct_change_ci95_high"])]})


# --- the workbook ------------------------------------------------------------------------------
COUNT_FORMAT, CHANGE_FORMAT, SHARE_FORMAT, NUMBER_FORMAT = "0", "+0;-0;0", "0%", "0.00"


def about_sheet(rec: Recommendation) -> pd.DataFrame:
    """What recommendation.xlsx is, how it was made (scenario, seed, replications, targets,
    confidence, version, date) and what its sheets hold."""
    import datetime as dt

    scenario, spec = rec.scenario, rec.spec
    s = summary(rec)
    rows = [("what", "What each unit needs: python -m sim.recommend (Hanoi public-service-office simulator)"),
            ("scenario", scenario.name), ("period", f"{scenario.start} to {scenario.end}"),
            ("units", len(rec.searches)), ("seed", scenario.seed),
            ("replications (first, per candidate)", spec.replications),
            ("replications (most, per candidate)", spec.max_replications),
            ("unit-replications simulated", rec.simulated), ("rounds", rec.rounds)]
    rows += [(f"target: {t}", "none (every department's offered load at most 1)" if t == "backlog_growth" else v)
             for t, v in spec.targets.items()]
    rows += [("confidence (probability each target is met)", spec.confidence),
             ("decision confidence (of the tolerance bound)", spec.decision_confidence),
             ("screening load (officers)", spec.screen_load),
             ("probability met", PROBABILITY_METHOD),
             ("meets every target", "a one-sided normal tolerance bound over the replications says one period meets "
                                    "each target with probability at least the confidence, with the decision confidence"),
             ("common random numbers", "replication k of every candidate of a unit draws the same citizens and records"),
             ("screening time (s)", round(s["time_s"]["screening"], 2)),
             ("simulation time (s)", round(s["time_s"]["simulation"], 2)),
             ("made on", dt.date.today().isoformat()),
             ("simulator version", rec.provenance.get("simulator_version", "")),
             ("configuration hash", rec.provenance.get("config_hash", "")),
             ("sheet units", "one row per unit: counters and officers today, recommended and the change; today_ "
                             "columns: today's KPIs (mean, 95 % low and high) and probability met; the others: at "
                             "the recommendation (as recommendation_units.csv)"),
             ("sheet resources", "one row per unit and counter group or department (as recommendation.csv)"),
             ("interval", "95 % interval over the replications (Student t), cut to what the KPI can take")]
    return pd.DataFrame(rows, columns=["item", "value"])


def _number_format(column: str) -> str:
    if column.endswith("change"):
        return CHANGE_FORMAT
    if column.startswith(("p_", "today_p_")):
        return SHARE_FORMAT
    if column in ("current", "screened", "recommended", "replications", "today_replications") or \
            column.endswith(("_today", "_recommended")):
        return COUNT_FORMAT
    return NUMBER_FORMAT


def _format_sheet(sheet) -> None:
    """Number formats on the number cells (counts whole, changes signed, probabilities as %), widths."""
    from openpyxl.utils import get_column_letter

    header = [c.value for c in sheet[1]]
    for column, name in enumerate(header, start=1):
        fmt = _number_format(str(name or ""))
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                cell.number_format = fmt
        sheet.column_dimensions[get_column_letter(column)].width = min(60, max(10, len(str(name or "")) + 2))


def write_workbook(path: Path, rec: Recommendation, structures=None) -> None:
    """recommendation.xlsx: "about", "units", "resources" (and "structure_plan", "structure_plans"), numbers with formats."""
    with replacing(path) as partial, pd.ExcelWriter(partial, engine="openpyxl") as excel:
        about_sheet(rec).to_excel(excel, sheet_name="about", index=False)
        unit_frame(rec).to_excel(excel, sheet_name="units", index=False)
        recommendation_table(rec).to_excel(excel, sheet_name="resources", index=False)
        if structures is not None:
            structures.table.to_excel(excel, sheet_name="structure_plan", index=False)
            if structures.plans is not None:
                structures.plans.units.to_excel(excel, sheet_name="structure_plans", index=False)
        for sheet in excel.book.worksheets:
            if sheet.title != "about":
                _format_sheet(sheet)
        excel.book["about"].column_dimensions["A"].width = 45
        excel.book["about"].column_dimensions["B"].width = 90


def write_recommendation(folder: Path, rec: Recommendation, structures=None) -> list[str]:
    """Write the folder's files (see the module's docstring); with a structure plan also
    structure_plan.csv (one row per unit and alternative structure), structure_plans.csv (one row per
    city plan and unit, sim.experiments.city_plans) and their block in the JSON.
    Return the problems that did not stop it (maps whose data is damaged), one line each."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if structures is not None:
        write_csv(structures.table, folder / "structure_plan.csv")
        if structures.plans is not None:
            write_csv(structures.plans.units, folder / "structure_plans.csv")
    write_csv(recommendation_table(rec), folder / "recommendation.csv")
    write_csv(unit_frame(rec), folder / "recommendation_units.csv")
    write_workbook(folder / "recommendation.xlsx", rec, structures)
    write_text(folder / "recommended_overrides.txt", "\n".join(overrides(rec)) + "\n")
    try:
        maps, problems = write_maps(folder, rec), []
    except MapDataError as exc:  # the recommendation is written without its maps, and says so
        maps, problems = [], [str(exc)]
    write_text(folder / "report.html", report_html(rec, maps, folder, structures))
    s = summary(rec)
    if structures is not None:
        s["structures"] = structure_summary(structures)
        if structures.plans is not None:
            s["structures"]["plans"] = structures.plans.summary.to_dict("records")
    s["warnings"] = problems
    write_json(folder / "recommendation.json", s, default=float)  # written last: the folder is complete
    return problems


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
