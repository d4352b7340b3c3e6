"""The one-page verdict: plain sentences (how many units miss the target today, which, what it takes,
at what overtime, with uncertainty), the map under them, and the glossary, for any report.

Every function takes per-slug tables, so the run report, the comparison and a recommendation report
share them: a *status table* (``target_status``) says for each unit whether it meets a target, misses
it or cannot be told from it, from the mean and 95 % interval columns ``KPI``, ``KPI_ci95_low`` and
``KPI_ci95_high`` (as units.csv names them).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from markupsafe import Markup

from sim.analysis.scopes import CENTRE_KIND
from sim.outputs.language import GLOSSARY, TEXTS, markup, number, parameter_words, plain, text

ON_TIME = "on_time_of_received_pct"
WAIT = "desk_wait_p90_min"
OVERTIME = "overtime_hours_per_officer_week"
STATUSES = ("misses", "uncertain", "meets", "no_data")
NAMED = 8  # units named in a sentence; the rest are counted


def target_status(units: pd.DataFrame, kpi: str, target: float, higher_is_better: bool = True) -> pd.DataFrame:
    """Per unit (``units``: slug, name, kind, ``kpi`` and its ``_ci95_low`` / ``_ci95_high``):
    ``misses`` when the whole 95 % interval is on the wrong side of ``target``, ``meets`` when it
    is on the right side, ``uncertain`` when it holds the target, ``no_data`` without a mean. With
    one replication (no interval) the mean decides."""
    mean = pd.to_numeric(units[kpi], errors="coerce")
    low = pd.to_numeric(units.get(f"{kpi}_ci95_low", mean), errors="coerce").fillna(mean)
    high = pd.to_numeric(units.get(f"{kpi}_ci95_high", mean), errors="coerce").fillna(mean)
    good_side, bad_side = (low >= target, high < target) if higher_is_better else (high <= target, low > target)
    status = np.select([mean.isna(), bad_side, good_side], ["no_data", "misses", "meets"], "uncertain")
    out = units[["slug", "name", "kind"]].copy()
    out["mean"], out["ci95_low"], out["ci95_high"], out["status"] = mean, low, high, status
    return out.reset_index(drop=True)


def _names(frame: pd.DataFrame, language: str) -> Markup:
    """The first NAMED names (worst first, as given), then how many more; names escaped."""
    names = [Markup("{} {} %").format(n, number(m, language, 2)) for n, m in zip(frame["name"], frame["mean"])]
    shown = Markup(", ").join(names[:NAMED])
    return shown + (markup("v_and_more", language, n=len(names) - NAMED) if len(names) > NAMED else "")


def today_sentences(status: pd.DataFrame, target: float, language: str) -> list[Markup]:
    """How many units (wards and communes; the Centre's branches apart) miss the on-time target,
    how many cannot be told from it, and the lowest ones by name (HTML, names escaped)."""
    lines = []
    units = status[status["kind"] != CENTRE_KIND]
    counts = units["status"].value_counts()
    misses, uncertain = int(counts.get("misses", 0)), int(counts.get("uncertain", 0))
    total = int((units["status"] != "no_data").sum())
    if misses:
        extra = markup("v_today_uncertain", language, n=uncertain) if uncertain else ""
        lines.append(markup("v_today", language, misses=misses, total=total, target=plain(target, language), uncertain=extra))
    else:
        extra = markup("v_none_uncertain", language, n=uncertain) if uncertain else ""
        lines.append(markup("v_none", language, target=plain(target, language), uncertain=extra))
    short = units[units["status"].isin(["misses", "uncertain"])].sort_values("mean")
    if len(short):
        lines.append(markup("v_which", language, names=_names(short, language)))
    branches = status[status["kind"] == CENTRE_KIND]
    if len(branches):
        b = branches["status"].value_counts()
        extra = markup("v_today_uncertain", language, n=int(b.get("uncertain", 0))) if b.get("uncertain", 0) else ""
        lines.append(markup("v_centre", language, misses=int(b.get("misses", 0)),
                          total=int((branches["status"] != "no_data").sum()), uncertain=extra))
    return lines


def wait_sentence(units: pd.DataFrame, target_minutes: float, language: str) -> list[Markup]:
    """How many units' (wards and communes, as in ``today_sentences``) mean 90th-percentile desk wait
    is over the wait target (nothing without a target)."""
    if not math.isfinite(target_minutes) or WAIT not in units:
        return []
    waits = pd.to_numeric(units.loc[units["kind"] != CENTRE_KIND, WAIT], errors="coerce")
    return [markup("v_wait", language, n=int((waits > target_minutes).sum()), total=int(waits.notna().sum()),
                 target=plain(target_minutes, language))]


def fix_sentence(today: pd.DataFrame, after: pd.DataFrame, variant: str, change: dict, language: str) -> Markup:
    """What a change (a variant, a recommendation) does to the units that miss or may miss today:
    how many of them meet the target after it (``after``: a status table), and the city's change
    (``change``: mean, ci95_low, ci95_high of the paired difference, percentage points)."""
    short = set(today.loc[today["status"].isin(["misses", "uncertain"]), "slug"])
    if not short:
        return markup("v_fix_nothing_to_fix", language)
    fixed = int(after[after["slug"].isin(short) & (after["status"] == "meets")].shape[0])
    if fixed == 0:
        return markup("v_fix_none", language)

    def shown(value):
        return "n/a" if value is None or pd.isna(value) else number(value, language, 2, signed=True)

    return markup("v_fix", language, variant=variant, fixed=fixed, of=len(short),
                change=shown(change.get("mean")), low=shown(change.get("ci95_low")), high=shown(change.get("ci95_high")))


def overtime_sentence(enabled: bool, today: dict, language: str, variant: str = "", after: dict | None = None) -> Markup:
    """The city's overtime per officer and week with its interval, today and (optionally) after a change."""
    if not enabled:
        return markup("v_overtime_off", language)

    def shown(value):
        return "n/a" if value is None or pd.isna(value) else number(value, language, 2)

    tail = ""
    if after is not None:
        tail = markup("v_overtime_after", language, variant=variant, value=shown(after.get("mean")),
                    low=shown(after.get("ci95_low")), high=shown(after.get("ci95_high")))
    return markup("v_overtime", language, value=shown(today.get("mean")), low=shown(today.get("ci95_low")),
                high=shown(today.get("ci95_high")), after=tail)


def status_rows(status: pd.DataFrame, language: str) -> dict:
    """The units that miss or cannot be told from the target, worst first: ``columns`` and ``rows``
    for the tables macro (numbers left as numbers: the page formats them in its language)."""
    short = status[status["status"].isin(["misses", "uncertain"])].sort_values("mean")
    columns = [text(k, language) for k in ("column_unit", "column_kind", ON_TIME, "column_low", "column_high",
                                           "column_status")]
    rows = [[r.name, text(r.kind, language) if r.kind in ("ward", "commune", CENTRE_KIND) else r.kind,
             float(r.mean), float(r.ci95_low), float(r.ci95_high), text(r.status, language)]
            for r in short.itertuples()]
    return {"columns": columns, "rows": rows}


def glossary_terms(language: str, keys: tuple[str, ...] | None = None,
                   extra: dict[str, dict[str, tuple[str, str]]] | None = None) -> list[tuple[str, str]]:
    """Every term the reports use, defined once: the GLOSSARY (or its ``keys`` only), then the
    terms of ``extra`` (a glossary of the same shape, for one report's own terms)."""
    shared = GLOSSARY.get(language, GLOSSARY["en"])
    terms = [shared[k] for k in (keys if keys is not None else shared)]
    if extra:
        terms += list(extra.get(language, extra["en"]).values())
    return terms


def map_caption(units: pd.DataFrame, label: str, language: str) -> str:
    """The caption of a map of ``units``' ``label``; the branch squares are named only when the map
    has branches (units of kind centre) to draw."""
    squares = text("map_caption_squares", language) if (units["kind"] == CENTRE_KIND).any() else ""
    return text("map_caption_kpi", language, label=label, squares=squares)


# KPIs whose range over an ensemble the verdict states (scope, KPI), most decisive first
ENSEMBLE_HEADLINE = (("units", "on_time_of_received_pct"), ("units", "staff_utilisation"),
                     ("units", "overtime_hours_per_officer_week"))


def basis_sentences(summary: dict, language: str, ensemble_shown: bool = False) -> list[str]:
    """What an answer rests on, as plain sentences (plain text: a report escapes them): its range over the ensemble (or
    that it is one parameter set), where today's officers come from, then the decisive assumptions
    with their values (``ensemble_shown``: the caller states the ensemble's range itself). ``summary`` holds ``ensemble``, ``officers_today`` and ``rests_on`` as the
    commands write them (sim.analysis.assumptions, sim.experiments.over_ensemble)."""
    out = []
    ensemble = summary.get("ensemble")
    if ensemble:
        for scope, name in ENSEMBLE_HEADLINE:
            r = ensemble.get("ranges", {}).get(scope, {}).get(name)
            if not r:
                continue
            digits = 2 if name == "staff_utilisation" else 1
            low, high = number(r["min"], language, digits), number(r["max"], language, digits)
            moves = r.get("driver") and low != high  # no parameter is said to move a range too small to show
            driver = text("ensemble_driver", language, parameter=parameter_words(r["driver"], language)) if moves else ""
            label = text(name, language) if name in TEXTS else name.replace("_", " ")
            out.append(text("ensemble_range", language, members=ensemble["members"], name=ensemble["name"], label=label,
                            low=low, high=high, driver=driver))
    elif summary.get("rests_on") and not ensemble_shown:
        from sim.config.ensemble import shipped

        names, central = shipped(), summary.get("parameter_set")
        if central:
            out.append(text("ensemble_central", language, name=central["ensemble"], members=central["members"]))
        else:
            out.append(text("ensemble_none", language, name=names[0]) if names else text("ensemble_unknown", language))
    today = summary.get("officers_today")
    if today:
        key = "officers_modelled" if today["kind"] == "modelled" else "officers_configured"
        out.append(text(key, language, count=number(today["count"], language, 0),
                        positions=number(today["positions"], language, 0), share=plain(today["procedure_share"], language),
                        rule=today["rule"]))
    basis = summary.get("rests_on")
    if basis:
        items = "; ".join(text(f"rests_{a['key']}", language,
                               value=plain(float(a["value"]), language)) for a in basis)
        out.append(f"{text('rests_on_intro', language)} {items}.")
    return out
