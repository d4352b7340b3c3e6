"""The leaders' comparison on disk: report.html (self-contained), comparison.csv and .xlsx, PNG
plots, and every variant's own run files."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from markupsafe import Markup
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.analysis.kpis import KPIS
from sim.analysis.summary import INTERVAL_METHOD
from sim.experiments.comparison import GROUPS, HEADLINE, MOVERS_KPI, Comparison, unit_differences
from sim.outputs.csv_files import write_csv
from sim.outputs.atomic import replacing, write_text
from sim.outputs.figures import mark_axis_break, save, subplots
from sim.outputs.language import TEXTS, markup, number, plain, text
from sim.outputs.run_files import write_run
from sim.outputs.run_report import table_of, worst_labelled
from sim.outputs.templating import render
from sim.outputs.unit_map import MapDataError, plot_unit_map
from sim.outputs.structure_verdict import answer_sentences
from sim.outputs.verdict import (ON_TIME, OVERTIME, fix_sentence, glossary_terms, map_caption, overtime_sentence,
                                 status_rows, target_status, today_sentences, wait_sentence)

DIFFERENCE_KPIS = ("on_time_of_received_pct", "abandoned_of_received_pct", "overdue", "lead_time_mean_wd",
                   "in_process", "staff_utilisation")
LABELLED = ("on_time_of_received_pct", "abandoned_of_received_pct", "on_time_pct", "overdue", "desk_wait_mean_min",
            "desk_wait_p90_min", "lead_time_mean_wd", "in_process", "staff_utilisation", "approver_utilisation")


def kpi_label(kpi: str, language: str = "en") -> str:
    """A KPI's short label in the comparison's tables and charts (``cmp_KPI`` in the language table)."""
    key = f"cmp_{kpi}"
    return text(key, language) if key in TEXTS else kpi


LABELS = {k: kpi_label(k) for k in LABELLED}  # English: the workbook's number formats go by them


def variant_label(comparison: Comparison, name: str, language: str = "en") -> str:
    """A variant as readers see it: its structure in a few words and its staffing policy
    ('4 departments in wards (same headcount)'), or its name where the language table has none."""
    from sim.outputs.structure_verdict import described

    run = next((r for r in comparison.runs if r.variant.name == name), None)
    if run is None:
        return name
    v = run.variant
    key = f"short_{v.structure}"
    words = text(key, language) if key in TEXTS else described(run.scenario.units, v.structure, language)
    if "/" in v.name:
        key = f"short_policy_{v.policy}"
        words += f" ({text(key, language) if key in TEXTS else v.policy})"
    return words


def headline_table(comparison: Comparison, group: str, language: str = "en") -> pd.DataFrame:
    """Variant rows, headline KPI columns as 'mean [95 % CI]' (labels and numbers in ``language``;
    the variant column keeps the variants' names)."""
    return _wide(comparison, group, "mean", "ci95_low", "ci95_high", signed=False, language=language)


def difference_table(comparison: Comparison, group: str, language: str = "en") -> pd.DataFrame:
    """Variant rows (baseline left out), headline KPI columns as paired 'difference [95 % CI]'."""
    table = _wide(comparison, group, "diff_mean", "diff_ci95_low", "diff_ci95_high", signed=True, language=language)
    return table[table["variant"] != comparison.runs[0].variant.name]


def readable(comparison: Comparison, table: pd.DataFrame, language: str) -> pd.DataFrame:
    """A table of ``headline_table``/``difference_table`` for a page: the variant in words."""
    shown = table.copy()
    shown["variant"] = [variant_label(comparison, v, language) for v in shown["variant"]]
    return shown.rename(columns={"variant": text("cmp_col_variant", language)})


def numeric_table(comparison: Comparison, group: str, differences: bool = False, language: str = "en") -> pd.DataFrame:
    """Variant rows; for each headline KPI three number columns: its mean (or paired difference to
    the baseline), 95 % low and 95 % high (what comparison.xlsx holds, with number formats). The
    column "variant" keeps the name; "variant in words" and the other headers are in ``language``."""
    mean, low, high = ("diff_mean", "diff_ci95_low", "diff_ci95_high") if differences else ("mean", "ci95_low", "ci95_high")
    t = comparison.table[(comparison.table["group"] == group) & comparison.table["kpi"].isin(HEADLINE)]
    if differences:
        t = t[t["variant"] != comparison.runs[0].variant.name]
    rows = []
    for variant, sub in t.groupby("variant", sort=False):
        sub = sub.set_index("kpi")
        row = {"variant": variant,
               text("cmp_col_variant_words", language): variant_label(comparison, variant, language)}
        parts = [text(p, language) for p in ("cmp_col_mean", "cmp_col_low95", "cmp_col_high95")]
        for k in HEADLINE:
            name = ("Δ " if differences else "") + kpi_label(k, language)
            row[f"{name} {parts[0]}"], row[f"{name} {parts[1]}"], row[f"{name} {parts[2]}"] = (
                sub.at[k, mean], sub.at[k, low], sub.at[k, high])
        rows.append(row)
    return pd.DataFrame(rows)


def _wide(comparison: Comparison, group: str, mean: str, low: str, high: str, signed: bool,
          language: str = "en") -> pd.DataFrame:
    t = comparison.table[(comparison.table["group"] == group) & comparison.table["kpi"].isin(HEADLINE)]
    rows = []
    for variant, sub in t.groupby("variant", sort=False):
        sub = sub.set_index("kpi")
        rows.append({"variant": variant, **{kpi_label(k, language): _interval(sub.at[k, mean], sub.at[k, low],
                                                                             sub.at[k, high], signed, language)
                                            for k in HEADLINE}})
    return pd.DataFrame(rows)


def verdict(comparison: Comparison, language: str = "en") -> list[Markup]:
    """Plain sentences: each variant's paired change of the on-time share of records received, the
    abandoned share beside it, overdue records and lead time, for wards and communes, saying whether the 95 % interval excludes no change."""
    t = comparison.table
    lines = []
    for run in comparison.runs[1:]:
        parts = []
        for group in ("ward", "commune"):
            sub = t[(t["variant"] == run.variant.name) & (t["group"] == group)].set_index("kpi")
            if sub.empty:
                continue
            said = []
            for kpi, unit in (("on_time_of_received_pct", "cmp_unit_pt"), ("abandoned_of_received_pct", "cmp_unit_pt"),
                              ("overdue", ""), ("lead_time_mean_wd", "cmp_unit_wd")):
                r = sub.loc[kpi]
                if r["diff_mean"] == 0 and r["diff_ci95_low"] == 0 and r["diff_ci95_high"] == 0:
                    continue
                clear = pd.notna(r["diff_ci95_low"]) and (r["diff_ci95_low"] > 0 or r["diff_ci95_high"] < 0)
                said.append(f"{kpi_label(kpi, language)} {number(r['diff_mean'], language, 2, signed=True)}"
                            + (f" {text(unit, language)}" if unit else "")
                            + ("" if clear else f" ({text('cmp_not_clear', language)})"))
            parts.append(text("cmp_group_said", language, group=text(f"cmp_group_{group}", language),
                              said="; ".join(said) if said else text("cmp_unchanged", language)))
        lines.append(Markup("<b>{}</b>: {}").format(variant_label(comparison, run.variant.name, language),
                                                    " | ".join(parts)))
    return lines


def _interval(mean, low, high, signed: bool = False, language: str = "en") -> str:
    if mean is None or pd.isna(mean):
        return text("cmp_not_available", language)
    digits = 0 if abs(mean) >= 100 and not signed else 2

    def shown(value) -> str:
        return number(value, language, digits, signed=signed)

    if low is None or pd.isna(low):
        return shown(mean)
    return f"{shown(mean)} [{shown(low)}, {shown(high)}]"


def write_comparison(folder: Path, comparison: Comparison) -> list[str]:
    """Every file of the comparison, report.html last; returns what could not be drawn (damaged
    map data), each in one line, the rest written."""
    folder.mkdir(parents=True, exist_ok=True)
    for run in comparison.runs:
        write_run(folder / "variants" / run.variant.name.replace("/", "__"), run.summary)
    write_csv(comparison.table, folder / "comparison.csv")
    answers = answers_table(comparison)
    write_csv(answers, folder / "structure_answer.csv")
    write_text(folder / "structure_answer.json",
               json.dumps({"answers": answers.to_dict(orient="records"), "ensemble": comparison.ensemble},
                          indent=2, default=float, allow_nan=True) + "\n")
    groups = [g for g in GROUPS if (comparison.table["group"] == g).any()]
    language = comparison.runs[0].scenario.report_language
    tables = {g: (readable(comparison, headline_table(comparison, g, language), language),
                  readable(comparison, difference_table(comparison, g, language), language)) for g in groups}
    write_workbook(folder / "comparison.xlsx", comparison, groups)
    plots = {
        "on_time_by_group.png": plot_groups(comparison, "on_time_of_received_pct"),
        "abandoned_by_group.png": plot_groups(comparison, "abandoned_of_received_pct"),
        "lead_time_by_group.png": plot_groups(comparison, "lead_time_mean_wd"),
        "differences.png": plot_differences(comparison),
    }
    for name, fig in plots.items():
        save(fig, folder / name)
    problems: list[str] = []
    front = comparison_verdict(comparison, folder, problems)
    write_text(folder / "report.html", _html(comparison, tables, folder, list(plots), front))  # written last
    return problems


NUMBER_FORMATS = {"%": "0.00", "records": "#,##0.0", "min": "0.00", "working days": "0.00"}  # by the KPI's unit


def write_workbook(path: Path, comparison: Comparison, groups: list[str]) -> None:
    """comparison.xlsx: numbers in number columns with formats (mean, 95 % low, 95 % high apart),
    the lists of units that gain and lose, every KPI, and a sheet "about" saying how it was made."""
    with replacing(path) as partial, pd.ExcelWriter(partial, engine="openpyxl") as excel:
        about_sheet(comparison).to_excel(excel, sheet_name="about", index=False)
        language = comparison.runs[0].scenario.report_language
        for group in groups:
            numeric_table(comparison, group, language=language).to_excel(excel, sheet_name=f"headline_{group}",
                                                                         index=False)
            numeric_table(comparison, group, differences=True, language=language).to_excel(
                excel, sheet_name=f"differences_{group}", index=False)
        for name, listed in comparison.movers.items():
            listed.to_excel(excel, sheet_name=name.replace("/", " ")[:31], index=False)
        comparison.table.to_excel(excel, sheet_name="all_kpis", index=False)
        for sheet in excel.book.worksheets:
            _format_sheet(sheet, language)


def _format_sheet(sheet, language: str = "en") -> None:
    """Number formats on the number cells (two decimals; whole records with thousands), widths."""
    from openpyxl.utils import get_column_letter

    header = [c.value for c in sheet[1]]
    for column, name in enumerate(header, start=1):
        unit = next((KPIS[k].unit for k in LABELLED if name and kpi_label(k, language) in str(name)), None)
        fmt = NUMBER_FORMATS.get(unit, "0.00")
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            if isinstance(cell.value, float):  # whole numbers (seed, replications) keep Excel's General
                cell.number_format = fmt
        sheet.column_dimensions[get_column_letter(column)].width = min(60, max(10, len(str(name or "")) + 2))


def about_sheet(comparison: Comparison) -> pd.DataFrame:
    """What the workbook is, how it was made and what each column means."""
    import datetime as dt

    base = comparison.runs[0]
    s = base.scenario
    provenance = base.summary.summary.get("provenance", {})
    rows = [
        ("what", "Structures compared: python -m sim.compare (Hanoi public-service-office simulator)"),
        ("scenario", s.name),
        ("baseline", base.variant.name),
        ("variants", ", ".join(r.variant.name for r in comparison.runs)),
        ("units", f"{len(s.units)} (wards, communes and Centre branches in the run)"),
        ("period", f"{s.start} to {s.end}"),
        ("seed", s.seed),
        ("replications", s.replications),
        ("common random numbers", "every variant runs the same simulated citizens and records; differences are "
                                  "paired by replication"),
        ("made on", dt.date.today().isoformat()),
        ("simulator version", provenance.get("simulator_version", "")),
        ("configuration hash", provenance.get("config_hash", "")),
        ("interval", INTERVAL_METHOD),
        ("sheet headline_GROUP", "one row per variant; for each KPI its mean over replications, 95 % low and 95 % high "
                                 "(GROUP: city = every node, ward, commune, centre = the Centre's branches)"),
        ("sheet differences_GROUP", "the paired difference to the baseline (variant minus baseline), mean, 95 % low "
                                    "and 95 % high"),
        ("sheet all_kpis", "every KPI, tidy: variant, structure, policy, group, kpi, mean, ci95_low, ci95_high, "
                           "diff_mean, diff_ci95_low, diff_ci95_high (the same as comparison.csv)"),
        ("unit lists", f"one sheet per variant: the units whose paired change of {MOVERS_KPI} is clearly above 0 "
                       "(gains) or below 0 (loses), with its 95 % interval"),
    ]
    rows += [(f"column: {label}", f"{KPIS[k].description} ({KPIS[k].unit})") for k, label in LABELS.items()]
    return pd.DataFrame(rows, columns=["item", "value"])


def answers_table(comparison: Comparison) -> pd.DataFrame:
    """structure_answer.csv: one row per variant, the leaders' answer over the units it changes."""
    rows = []
    for a in comparison.answers:
        rows.append({"variant": a.variant, "structure": a.structure, "policy": a.policy,
                     **{f"{kind}s_changed": n for kind, n in a.units.items()},
                     "departments_added": a.departments_added, "positions_added": a.positions_added,
                     **{f"on_time_change_{c}": a.on_time[c] for c in ("mean", "ci95_low", "ci95_high")},
                     **{f"overtime_change_{c}": a.overtime[c] for c in ("mean", "ci95_low", "ci95_high")},
                     "replications_with_a_gain": a.gains(), "replications": len(a.on_time_changes)})
    return pd.DataFrame(rows)


def comparison_verdict(comparison: Comparison, folder: Path, problems: list[str]) -> dict:
    """The verdict of the comparison, for its template: today's (the baseline's) units against the
    on-time target, what the variant that brings most of them above it does, at what overtime, and
    the maps (today's on-time share; that variant's paired change). Writes the two map PNGs; with
    damaged map data, none, and the problem is added to ``problems`` and shown instead."""
    base = comparison.runs[0]
    s = base.scenario
    language, target = s.report_language, s.on_time_target_pct
    today = target_status(base.summary.units, ON_TIME, target)
    sentences = today_sentences(today, target, language)
    sentences += wait_sentence(base.summary.units, base.summary.wait_target_minutes, language)
    city = comparison.table[comparison.table["group"] == "city"].set_index(["variant", "kpi"])
    best, best_fixed = None, -1
    short = set(today.loc[today["status"].isin(["misses", "uncertain"]), "slug"])
    for run in comparison.runs[1:]:
        after = target_status(run.summary.units, ON_TIME, target)
        fixed = int((after["slug"].isin(short) & (after["status"] == "meets")).sum())
        gain = city.at[(run.variant.name, ON_TIME), "diff_mean"]
        key = (fixed, -math.inf if pd.isna(gain) else gain)
        if best is None or key > best_fixed:
            best, best_fixed = run, key
    if best is not None:
        change = city.loc[(best.variant.name, ON_TIME), ["diff_mean", "diff_ci95_low", "diff_ci95_high"]]
        sentences.append(fix_sentence(today, target_status(best.summary.units, ON_TIME, target),
                                      variant_label(comparison, best.variant.name, language),
                                      {"mean": change["diff_mean"], "ci95_low": change["diff_ci95_low"],
                                       "ci95_high": change["diff_ci95_high"]}, language))
    overtime = bool(base.summary.summary.get("overtime_enabled"))

    def interval(variant):
        r = city.loc[(variant, OVERTIME)]
        return {"mean": r["mean"], "ci95_low": r["ci95_low"], "ci95_high": r["ci95_high"]}

    sentences.append(overtime_sentence(overtime, interval(base.variant.name), language,
                                       variant_label(comparison, best.variant.name, language) if best else "",
                                       interval(best.variant.name) if best else None))
    sentences.append(markup("v_uncertainty", language, reps=s.replications))
    label = text(ON_TIME, language)
    baseline = variant_label(comparison, base.variant.name, language)
    title = text("map_title_kpi", language, label=label) + f" ({baseline})"
    shown = {"sentences": sentences, "maps": [], "problem": "", "missing": status_rows(today, language)}
    try:
        save(plot_unit_map(base.summary.units.set_index("slug")[ON_TIME], label=label, title=title, language=language,
                           labelled=worst_labelled(today), target=target), folder / "unit_map.png")
    except MapDataError as exc:  # the comparison is written without its maps, and says so
        problems.append(str(exc))
        return {**shown, "problem": str(exc), "missing": {"rows": []}}
    shown["maps"].append({"path": folder / "unit_map.png", "title": title,
                          "caption": map_caption(base.summary.units, label, language)})
    if best is not None:
        change_label = text("change_points", language)
        change_variant = variant_label(comparison, best.variant.name, language)
        change_title = text("map_title_change", language, label=label, variant=change_variant,
                            baseline=baseline)
        changes = unit_differences(base.units, best.units).set_index("slug")["change"]
        save(plot_unit_map(changes, label=change_label, title=change_title, diverging=True, language=language,
                           labelled=worst_labelled(today)), folder / "unit_change_map.png")
        shown["maps"].append({"path": folder / "unit_change_map.png", "title": change_title,
                              "caption": text("map_caption_change", language, label=label, variant=change_variant)})
    return shown


def plot_groups(comparison: Comparison, kpi: str, language: str | None = None) -> Figure:
    """One KPI for the city, wards and communes, a bar per variant with its 95 % interval (words and
    numbers in ``language``; the comparison's report language unless given)."""
    language = language or comparison.runs[0].scenario.report_language
    t = comparison.table[comparison.table["kpi"] == kpi]
    variants = list(dict.fromkeys(t["variant"]))
    groups = [g for g in GROUPS if (t["group"] == g).any()]
    fig, ax = subplots(figsize=(10, 4))
    width = 0.8 / len(variants)
    for k, v in enumerate(variants):
        sub = t[t["variant"] == v].set_index("group").loc[groups]
        err = np.array([sub["mean"] - sub["ci95_low"].fillna(sub["mean"]), sub["ci95_high"].fillna(sub["mean"]) - sub["mean"]])
        ax.bar(np.arange(len(groups)) + k * width, sub["mean"], width, yerr=err, capsize=3,
               label=variant_label(comparison, v, language))
    ax.set_xticks(np.arange(len(groups)) + width * (len(variants) - 1) / 2,
                  [text(f"cmp_group_{g}", language) for g in groups])
    ax.set_ylabel(kpi_label(kpi, language))
    if language == "vi":  # the decimal comma
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: plain(round(value, 6), language)))
    lows = t["ci95_low"].fillna(t["mean"])
    if kpi.endswith("_pct"):
        highs = t["ci95_high"].fillna(t["mean"])
        if float(lows.min()) > 50:  # shares near 100 %: start the axis just below the lowest bound
            ax.set_ylim(max(0, float(lows.min()) - 2), 100)
            mark_axis_break(ax, language)
        else:
            ax.set_ylim(0, min(100, max(1.0, float(highs.max()) * 1.2)))
    ax.legend(fontsize=7)
    ax.set_title(text("cmp_chart_title", language, label=kpi_label(kpi, language)), fontsize=9)
    fig.tight_layout()
    return fig


def plot_differences(comparison: Comparison, language: str | None = None) -> Figure:
    """Each variant's paired difference to the baseline with its 95 % interval, a panel per KPI
    (words and numbers in ``language``; the comparison's report language unless given)."""
    language = language or comparison.runs[0].scenario.report_language
    t = comparison.table[(comparison.table["variant"] != comparison.runs[0].variant.name)
                         & comparison.table["kpi"].isin(DIFFERENCE_KPIS)]
    variants = list(dict.fromkeys(t["variant"]))
    fig, axes = subplots(1, len(DIFFERENCE_KPIS), figsize=(4 * len(DIFFERENCE_KPIS), 0.6 * len(variants) * 3 + 1.5),
                             squeeze=False)
    for ax, kpi in zip(axes[0], DIFFERENCE_KPIS):
        y = 0
        ticks = []
        for v in variants:
            for g in GROUPS:
                r = t[(t["variant"] == v) & (t["kpi"] == kpi) & (t["group"] == g)]
                if r.empty:
                    continue
                r = r.iloc[0]
                low = r["diff_mean"] - (r["diff_ci95_low"] if pd.notna(r["diff_ci95_low"]) else r["diff_mean"])
                high = (r["diff_ci95_high"] if pd.notna(r["diff_ci95_high"]) else r["diff_mean"]) - r["diff_mean"]
                ax.errorbar(r["diff_mean"], y, xerr=[[low], [high]], fmt="o", capsize=3,
                            color={"city": "black", "ward": "tab:blue", "commune": "tab:green"}[g])
                ticks.append(f"{variant_label(comparison, v, language)} ({text(f'cmp_group_{g}', language)})")
                y += 1
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks(range(len(ticks)), ticks if ax is axes[0][0] else [""] * len(ticks), fontsize=7)
        ax.invert_yaxis()
        ax.xaxis.set_major_locator(MaxNLocator(nbins=DIFFERENCE_TICKS, steps=[1, 2, 2.5, 5, 10]))
        ax.xaxis.set_major_formatter(FuncFormatter(_tick_text(ax, language)))
        ax.tick_params(axis="x", labelsize=8)
        ax.set_title(f"Δ {kpi_label(kpi, language)}", fontsize=9)
        unit = f"kpi_unit_{KPIS[kpi].unit}"
        ax.set_xlabel(text("cmp_chart_difference_axis", language,
                           unit=text(unit, language) if unit in TEXTS else KPIS[kpi].unit), fontsize=8)
    fig.suptitle(text("cmp_chart_differences", language,
                      baseline=variant_label(comparison, comparison.runs[0].variant.name, language)), fontsize=10)
    fig.tight_layout()
    return fig


DIFFERENCE_TICKS = 4  # at most this many intervals on a difference panel's axis: the labels fit its 4 inches


def _tick_text(ax, language: str = "en"):
    """A tick's label with as many decimals as the ticks' step needs (0.0025 apart: 4), past four
    decimals in powers of ten (2.5e−5), a true minus sign, and 0 as 0: at most 8 characters; a
    decimal comma in Vietnamese."""

    def label(value: float, _pos) -> str:
        ticks = ax.xaxis.get_majorticklocs()
        step = float(np.min(np.diff(ticks))) if len(ticks) > 1 else 1.0
        digits = next((d for d in range(12) if abs(round(step, d) - step) <= 1e-9 * abs(step)), 12)
        if abs(value) < step / 2:
            return "0"
        if digits <= 4:
            shown = f"{value:.{digits}f}"
        else:
            mantissa, exponent = f"{value:.2e}".split("e")
            shown = f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
        shown = shown.replace(".", ",") if language == "vi" else shown
        return shown.replace("-", "\u2212")

    return label


def compare_title(comparison: Comparison, language: str) -> str:
    """The page's title in words: the baseline structure against how many others (each is described
    in words in the answer under it)."""
    from sim.outputs.structure_verdict import described

    base = comparison.runs[0]
    others = len({run.variant.structure for run in comparison.runs}) - 1
    return text("compare_title", language, baseline=described(base.scenario.units, base.variant.structure, language),
                others=others)


def _html(comparison: Comparison, tables: dict, folder: Path, plots: list[str], front: dict) -> str:
    """report.html from ``templates/comparison_report.html``; ``front``: what comparison_verdict found."""
    from sim.outputs.structure_verdict import described

    base = comparison.runs[0]
    s = base.scenario
    language = s.report_language

    def in_words(run) -> str:
        words = described(run.scenario.units, run.variant.structure, language)
        key = f"policy_{run.variant.policy}"
        if "/" in run.variant.name:
            words += f" ({text(key, language) if key in TEXTS else run.variant.policy})"
        return words

    def label(name: str) -> str:
        return variant_label(comparison, name, language)

    return render(
        "comparison_report.html", language, title=text("cmp_page_title", language),
        heading=compare_title(comparison, language), answer=answer_sentences(comparison, language),
        glossary=glossary_terms(language), **front,
        units=len(s.units), start=s.start, end=s.end, reps=s.replications, seed=s.seed,
        baseline=label(base.variant.name),
        variants=[(label(r.variant.name), in_words(r)) for r in comparison.runs],
        per_unit=", ".join(f"{label(r.variant.name)} {number(r.scenario.units_per_unit, language, 2)}"
                           for r in comparison.runs),
        in_short=verdict(comparison, language),
        groups=[(group, table_of(levels), table_of(differences)) for group, (levels, differences) in tables.items()],
        plots=[folder / p for p in plots],
        movers=[(label(name), table_of(_movers_shown(comparison, movers, language))) for name, movers
                in comparison.movers.items()],
        movers_label=kpi_label(MOVERS_KPI, language))


def _movers_shown(comparison: Comparison, movers: pd.DataFrame, language: str) -> pd.DataFrame:
    """The units that gain and lose as a page shows them: the unit's name, its kind and whether it
    gains in words, the change and its interval as signed numbers in ``language``."""
    names = comparison.runs[0].summary.units.set_index("slug")["name"]

    def signed(value) -> str:
        return text("cmp_not_available", language) if pd.isna(value) else number(value, language, 2, signed=True)

    return pd.DataFrame({
        text("column_unit", language): [names.get(slug, slug) for slug in movers["slug"]],
        text("column_kind", language): [text(k, language) if k in TEXTS else k for k in movers["kind"]],
        text("cmp_col_change", language): [signed(v) for v in movers[f"{MOVERS_KPI}_change"]],
        text("column_low", language): [signed(v) for v in movers["ci95_low"]],
        text("column_high", language): [signed(v) for v in movers["ci95_high"]],
        text("cmp_col_direction", language): [text(f"cmp_{d}", language) for d in movers["direction"]],
    })
