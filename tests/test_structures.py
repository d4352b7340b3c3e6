"""Structures compared: what makes structure matter (pooling, heads, breadth), common random
numbers, and clear errors; on a reduced setting (three units, three weeks)."""

import numpy as np
import pytest
from omegaconf import OmegaConf

from sim.analysis.kpis import KPI_NAMES, pooled_kpis
from sim.experiments.comparison import Variant, compare, paired, run_variant
from sim.config.schema import StructureConfig
from tests.conftest import FORMER_DEFAULT, compose_config, run_module, simulate

UNITS = "city.units=[bach_mai,ba_dinh,soc_son]"
REDUCED = (UNITS, "period.end=2025-07-21", "replications=4", "progress=false", *FORMER_DEFAULT)
ONE_FIELD_EACH = {f"dept_{f}": {"label": f, "fields": [f], "staff_weight": 1.0}
                  for f in ("justice", "other", "land", "construction", "business", "social")}


def test_a_structure_identical_to_the_baseline_differs_by_exactly_zero():
    cfg = compose_config(*REDUCED)
    copy = cfg.copy()
    copy.structure.name = "three_departments_copy"
    base = run_variant(Variant("three_departments", "three_departments", "same_headcount", cfg), workers=2)
    same = run_variant(Variant("copy", "three_departments_copy", "same_headcount", copy), workers=2)
    for group in base.groups:
        for name in KPI_NAMES:
            diff = paired(base.groups[group], same.groups[group], name)
            if diff["mean"] is not None:
                assert diff == {"mean": 0.0, "ci95_low": 0.0, "ci95_high": 0.0}, (group, name)


def test_common_random_numbers_narrow_the_interval_of_a_difference():
    def half_width(crn: bool) -> float:
        cfg = compose_config(*REDUCED, "replications=6", "compare.structures=[three_departments,five_departments_urban]",
                             "compare.policies=[same_headcount]", f"compare.common_random_numbers={str(crn).lower()}")
        t = compare(cfg, workers=2).table
        row = t[(t["variant"] != "three_departments") & (t["group"] == "city") & (t["kpi"] == "lead_time_mean_wd")]
        return float(row["diff_ci95_high"].iloc[0] - row["diff_ci95_low"].iloc[0]) / 2

    assert half_width(True) < 0.5 * half_width(False)


def on_time(*overrides: str) -> list[float]:
    return kpi("on_time_pct", *overrides)


def kpi(name: str, *overrides: str) -> list[float]:
    _, results = simulate(*REDUCED, *overrides, workers=2)
    return [pooled_kpis(rep)[name] for rep in results]


def one_field_per_department(*overrides: str) -> list[np.ndarray]:
    cfg = compose_config(*REDUCED, *overrides)
    cfg.structure = OmegaConf.merge(OmegaConf.structured(StructureConfig),
                                    {"name": "one_field_each", "departments": ONE_FIELD_EACH, "max_average_units": 10})
    from sim.config.build import build_scenario
    from sim.experiments.runner import run_scenario

    return [[r.counts for r in rep] for rep in run_scenario(build_scenario(cfg), workers=2, progress=False)]


def test_breadth_penalty_slows_wide_departments_only():
    # Every record takes longer (x 1.15 to x 1.45 at 0.05 a field beyond the first): officers
    # work more of the time. The allocation leaves the penalty out, so it draws no officers.
    narrow = kpi("staff_utilisation", "staff.breadth_penalty=0")
    wide = kpi("staff_utilisation", "staff.breadth_penalty=0.05")
    assert all(w > 1.15 * n for n, w in zip(narrow, wide))
    # Where staff are thin (the capped framework headcount, Soc Son's economic department near
    # capacity) it costs records on time.
    thin = ("staff.rule=framework", "staff.department_split=weights",  # seed 004's demand, catalogue effort
            "scenario.demand.records_per_1000_residents_per_day=1.03", "scenario.effort_scale=1")
    narrow = on_time("staff.breadth_penalty=0", *thin)
    wide = on_time("staff.breadth_penalty=0.05", *thin)
    assert all(w < n - 1 for n, w in zip(narrow, wide))
    np.testing.assert_array_equal(one_field_per_department("staff.breadth_penalty=0"),
                                  one_field_per_department("staff.breadth_penalty=0.05"))


def test_daily_approval_capacity_of_heads_holds_records_back():
    _, free = simulate(*REDUCED, workers=2)
    _, capped = simulate(*REDUCED, "staff.approvals_per_day=5", workers=2)
    for a, b in zip(free, capped):
        assert pooled_kpis(b)["in_process"] > pooled_kpis(a)["in_process"] * 1.2
        assert pooled_kpis(b)["on_time_pct"] < pooled_kpis(a)["on_time_pct"]


def test_pooled_officers_never_idle_while_their_department_has_work():
    """Pooling is work-conserving: with the same officers, split by field, some idle while another
    field's records wait, so pooled officers work more of the time."""
    same = ("staff.rule=fixed", "staff.fixed=4")
    _, pooled = simulate(*REDUCED, *same, "staff.pooling=true", workers=2)
    _, split = simulate(*REDUCED, *same, "staff.pooling=false", workers=2)
    for a, b in zip(pooled, split):
        assert pooled_kpis(a)["staff_utilisation"] > pooled_kpis(b)["staff_utilisation"] + 0.02


@pytest.mark.parametrize("overrides, key", [
    (("compare.structures=[three_departments,six_departments]",), "compare.structures[1]: unknown structure"),
    (("structure.departments.culture_society.fields=[culture]",), "procedures.social_assistance.field"),
    (("+staff.per_unit.ba_dinh={economic:0}",), "staff.per_unit.ba_dinh.economic"),
])
def test_compare_refuses_bad_structures_clearly(overrides, key, tmp_path):
    done = run_module("sim.compare", *REDUCED, *overrides, f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sim: error: ") and key in lines[0], done.stderr
    assert not (tmp_path / "run").exists()


def test_compare_command_writes_the_leaders_report(tmp_path):
    folder = tmp_path / "run"
    done = run_module("sim.compare", *REDUCED, "replications=2", f"hydra.run.dir={folder}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for name in ("report.html", "comparison.csv", "comparison.xlsx", "on_time_by_group.png", "differences.png"):
        assert (folder / name).stat().st_size > 0, name
    html = (folder / "report.html").read_text()
    assert "data:image/png;base64," in html and "Wards" in html and "Communes" in html
    assert "gain and lose most" in html
    for variant in ("three_departments", "four_departments_land__same_headcount", "five_departments_urban__extra_head"):
        assert (folder / "variants" / variant / "summary.json").is_file()
    import pandas as pd

    sheets = pd.read_excel(folder / "comparison.xlsx", sheet_name=None)
    assert {"headline_city", "headline_ward", "headline_commune", "all_kpis"} <= set(sheets)


def test_gains_and_losses_are_clear_signed_and_never_list_a_unit_twice():
    import pandas as pd

    from sim.experiments.comparison import movers

    def per_rep(values: dict) -> pd.DataFrame:
        return pd.DataFrame([{"slug": s, "kind": "ward", "replication": r, "on_time_of_received_pct": v}
                             for s, vs in values.items() for r, v in enumerate(vs)])

    base = per_rep({"up": [90, 91, 92], "down": [95, 96, 97], "same": [99, 98, 97], "noisy": [90, 95, 92],
                    "small_up": [80, 80, 80]})
    new = per_rep({"up": [94, 95, 96], "down": [93.1, 93.9, 95.0], "same": [99, 98, 97], "noisy": [93, 93, 91],
                   "small_up": [80.5, 80.5, 80.5]})
    table = movers(base, new, top=10)
    gains, losses = table[table["direction"] == "gains"], table[table["direction"] == "loses"]
    assert list(gains["slug"]) == ["up", "small_up"] and list(losses["slug"]) == ["down"]
    assert (gains["ci95_low"] > 0).all() and (losses["ci95_high"] < 0).all()
    assert movers(base, new, top=1)["slug"].tolist() == ["up", "down"]


def test_leaders_lists_on_a_small_comparison_obey_the_rules():
    cfg = compose_config(*REDUCED, "replications=2", "compare.structures=[three_departments,five_departments_urban]",
                         "compare.policies=[same_headcount]", "compare.top_units=3")
    from sim.analysis.kpis import difference_interval

    comparison = compare(cfg, workers=2)
    base, other = comparison.runs
    table = comparison.movers[other.variant.name]
    kpi = "on_time_of_received_pct"
    change = (other.units.set_index(["slug", "replication"])[kpi] - base.units.set_index(["slug", "replication"])[kpi])
    unchanged = {slug for slug, c in change.groupby(level="slug") if (c == 0).all()}
    assert unchanged  # five_departments_urban leaves the commune as it was
    assert not unchanged & set(table["slug"])
    assert table["slug"].is_unique
    for _, row in table.iterrows():
        mean = change.xs(row["slug"], level="slug").mean()
        assert row[f"{kpi}_change"] == pytest.approx(mean)
        if row["direction"] == "gains":
            assert row[f"{kpi}_change"] > 0 and row["ci95_low"] > 0
        else:
            assert row[f"{kpi}_change"] < 0 and row["ci95_high"] < 0
    intervals = {slug: difference_interval(kpi, list(c)) for slug, c in change.groupby(level="slug")}
    assert set(table.loc[table["direction"] == "gains", "slug"]) == {s for s, ci in intervals.items() if ci["ci95_low"] > 0}
    assert set(table.loc[table["direction"] == "loses", "slug"]) == {s for s, ci in intervals.items() if ci["ci95_high"] < 0}
