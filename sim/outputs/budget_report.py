"""What a fixed budget's moves buy (:mod:`sim.experiments.budget`): ``budget_moves.csv`` (the
moves kept, from unit and department to unit and department, with their count), ``budget.json``
(the city's on-time share before and after with paired 95 % intervals, the worst units before and
after, every move tried), ``budget_overrides.txt`` (the officers after the moves, as overrides
for ``python -m sim``), and sentences a report can show (:func:`budget_sentences`)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.intervals import mean_ci95
from sim.experiments.budget import BudgetResult
from sim.model.city import CENTRE_KIND
from sim.outputs.csv_files import write_csv
from sim.outputs.atomic import write_json, write_text


def _ci(values) -> dict:
    return mean_ci95([float(v) for v in values])


def budget_moves_table(result: BudgetResult) -> pd.DataFrame:
    """One row per (from unit, department) -> (to unit, department) with the officers moved."""
    units = result.scenario.units
    counts = Counter((m.donor, m.receiver) for m in result.moves if m.kept)
    rows = [{"from_slug": units[d[0]].unit.slug, "from_name": units[d[0]].unit.name,
             "from_department": result.department_name(*d),
             "to_slug": units[r[0]].unit.slug, "to_name": units[r[0]].unit.name,
             "to_department": result.department_name(*r), "officers": n}
            for (d, r), n in counts.items()]
    columns = ["from_slug", "from_name", "from_department", "to_slug", "to_name", "to_department", "officers"]
    return pd.DataFrame(rows, columns=columns)


def _unit_rows(result: BudgetResult) -> list[dict]:
    """Each unit's on-time share today and after the moves (means over the replications, and the
    paired difference with its 95 % interval), worst today first."""
    today = result.unit_series(result.today, "on_time_pct")
    after = result.unit_series(result.final, "on_time_pct")
    rows = []
    for p, plan in enumerate(result.scenario.units):
        rows.append({"slug": plan.unit.slug, "name": plan.unit.name,
                     "officers_today": int(sum(result.today[p])), "officers_after": int(sum(result.final[p])),
                     "on_time_of_received_pct_today": _ci(today[:, p]),
                     "on_time_of_received_pct_after": _ci(after[:, p]),
                     "change_pp": _ci(after[:, p] - today[:, p])})
    return sorted(rows, key=lambda r: (r["on_time_of_received_pct_today"]["mean"], r["slug"]))


def budget_summary(result: BudgetResult) -> dict:
    """budget.json's content."""
    today, after = result.city_share(result.today), result.city_share(result.final)
    units = result.scenario.units
    worst = _unit_rows(result)[:result.spec.worst_units]
    worst_today = np.array([r["on_time_of_received_pct_today"]["mean"] for r in worst])
    worst_after = np.array([r["on_time_of_received_pct_after"]["mean"] for r in worst])
    return {
        "officers": {"today": int(sum(map(sum, result.today))), "budget": result.officers,
                     "moved": sum(m.kept for m in result.moves)},
        "replications": result.spec.replications,
        "city_on_time_of_received_pct": {"today": _ci(today), "after": _ci(after),
                                         "start": _ci(result.city_share(result.start)),
                                         "change_pp": _ci(after - today)},
        "worst_units": worst,
        "worst_units_mean_pct": {"today": float(worst_today.mean()) if len(worst) else None,
                                 "after": float(worst_after.mean()) if len(worst) else None},
        "moves_tried": [{"round": m.round, "from": f"{units[m.donor[0]].unit.slug}/{result.department_name(*m.donor)}",
                         "to": f"{units[m.receiver[0]].unit.slug}/{result.department_name(*m.receiver)}",
                         "city_gain_pp": m.gain_pp, "kept": m.kept, "reason": m.reason} for m in result.moves],
        "stop": result.stop,
        "rounds": result.rounds,
        "round_log": result.round_log,
        "unit_replications": result.simulated,
        "time_s": {k: round(v, 2) for k, v in result.timing.items()},
    }


def _pct(ci: dict) -> str:
    if ci["mean"] is None:
        return "n/a"
    if ci["ci95_low"] is None:
        return f"{ci['mean']:.1f} %"
    return f"{ci['mean']:.1f} % (95 % interval {ci['ci95_low']:.1f} to {ci['ci95_high']:.1f})"


def budget_sentences(result: BudgetResult) -> list[str]:
    """A few plain sentences on what the fixed budget's moves buy, for a report's section."""
    s = budget_summary(result)
    city, officers = s["city_on_time_of_received_pct"], s["officers"]
    change = city["change_pp"]
    whose = "today's total" if officers["budget"] == officers["today"] else f"today: {officers['today']}"
    out = [f"With the same {officers['budget']} processing officers ({whose}), "
           f"{officers['moved']} moved between units and departments."]
    out.append(f"The city's records finished on time, share of received: {_pct(city['today'])} today, "
               f"{_pct(city['after'])} after the moves; the paired change is {change['mean']:+.2f} points"
               + (f" (95 % interval {change['ci95_low']:+.2f} to {change['ci95_high']:+.2f})."
                  if change["ci95_low"] is not None else "."))
    w = s["worst_units_mean_pct"]
    if w["today"] is not None:
        out.append(f"The {len(s['worst_units'])} worst units today finish {w['today']:.1f} % on time on average, "
                   f"{w['after']:.1f} % after the moves.")
    out.append(f"Each move was checked on {s['replications']} replications with common random numbers and kept "
               f"only if the 95 % interval of its gain lay above zero; the search stopped: {s['stop']}.")
    return out


def budget_overrides(result: BudgetResult) -> list[str]:
    """The overrides that give ``python -m sim`` (or ``sim.load_config``) the officers after the
    moves, for every unit whose officers changed."""
    out, branch = [], False
    for p, (today, after) in enumerate(zip(result.today, result.final)):
        if today == after:
            continue
        plan = result.scenario.units[p]
        names = plan.organisation.structure.department_names
        staff = "{" + ",".join(f"{d}:{n}" for d, n in zip(names, after)) + "}"
        if plan.unit.kind == CENTRE_KIND:
            branch = True
            out.append(f"centre.branches.{plan.unit.slug}.staff={staff}")
        else:
            out.append(f"++staff.per_unit.{plan.unit.slug}={staff}")
    if branch:
        out.append("centre.staff_rule=fixed")
    return out


def write_budget(folder: Path, result: BudgetResult) -> None:
    """budget_moves.csv (UTF-8 with a byte-order mark), budget.json and budget_overrides.txt in
    ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_text(folder / "budget_overrides.txt", "\n".join(budget_overrides(result)) + "\n")
    write_csv(budget_moves_table(result), folder / "budget_moves.csv")
    summary = budget_summary(result)
    summary["sentences"] = budget_sentences(result)
    write_json(folder / "budget.json", summary)  # written last: the folder is complete
