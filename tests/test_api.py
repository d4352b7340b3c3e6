"""The Python API (``import sim``): the same configuration, numbers and files as the command line,
records that add up to a unit's counts, figures that do not touch matplotlib's backend."""

from __future__ import annotations

import inspect
import json
import math
import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from omegaconf import OmegaConf

import sim
from sim.outputs.run_files import RUN_FILES, _clean
from tests.conftest import ROOT

# Two units (a ward and a commune), ten days, two replications: a few seconds.
QUICK = ("city.units=[ba_dinh,soc_son]", "period.end=2025-07-10", "replications=2", "workers=1", "progress=false")


@pytest.fixture(scope="module")
def result():
    return sim.run(sim.load_config(*QUICK))


def test_import_is_light_and_never_switches_the_matplotlib_backend():
    script = textwrap.dedent("""
        import sys
        import sim
        heavy = [m for m in ("matplotlib", "scipy.stats", "simpy", "pandas", "sim.engines") if m in sys.modules]
        assert not heavy, heavy
        import matplotlib
        matplotlib.use("svg")  # what a user chose before importing the simulator's outputs
        import sim.outputs.run_files, sim.outputs.comparison_report, sim.outputs.fit_report, sim.outputs.sweep_plots
        print(matplotlib.get_backend())
    """)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "svg"


def test_every_public_name_exists_is_documented_and_shadows_no_command():
    assert len(set(sim.__all__)) == len(sim.__all__)
    for name in sim.__all__:
        obj = getattr(sim, name)
        doc = inspect.getdoc(obj) or ""
        assert len(doc) > 20 and not doc.startswith(f"{name}("), f"sim.{name} has no docstring of its own"
    commands = {"compare", "calibrate", "sensitivity", "collect", "recommend", "breakeven"}  # python -m sim.NAME
    assert not commands & set(sim.__all__)


@pytest.mark.parametrize("override, key", [
    ("city.unitz=[ba_dinh]", "city.unitz"),            # misspelt key
    ("replications=many", "replications"),             # wrong type
    ("structure=nine_departments", "structure"),       # unknown config of a group
    ("city.units=[ba_dinh", "city.units"),             # not an override
    ("desks.fixed=0", "desks.fixed"),                  # composed but invalid
    ("city.units=[atlantis]", "city.units[0]"),        # unknown unit
    ("+desks.fixd=4", "desks.fixd"),                   # a misspelt key added with +
])
def test_a_bad_override_raises_config_error_naming_the_key(override, key):
    with pytest.raises(sim.ConfigError) as caught:
        sim.load_config("desks.rule=fixed", override)
    assert caught.value.key == key
    assert str(caught.value).startswith(f"{key}: ")


def test_a_structure_in_a_folder_of_ones_own_is_selected(tmp_path):
    mine = (ROOT / "sim/conf/structure/three_departments.yaml").read_text()
    (tmp_path / "structure").mkdir()
    (tmp_path / "structure" / "mine.yaml").write_text(mine.replace("name: three_departments", "name: mine"))
    cfg = sim.load_config("structure=mine", "city.units=[ba_dinh]", config_dir=tmp_path)
    assert cfg.structure.name == "mine"
    with pytest.raises(sim.ConfigError, match="structure"):
        sim.load_config("structure=mine", "city.units=[ba_dinh]")  # not without the folder
    with pytest.raises(sim.ConfigError, match="config_dir"):
        sim.load_config("city.units=[ba_dinh]", config_dir=tmp_path / "missing")


def test_run_gives_the_numbers_and_files_of_the_command_line(result, tmp_path):
    cli = tmp_path / "cli"
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "DISPLAY", "WAYLAND_DISPLAY")}  # headless
    done = subprocess.run([sys.executable, "-m", "sim", *QUICK, f"hydra.run.dir={cli}"], cwd=tmp_path,
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    written = json.loads((cli / "summary.json").read_text())
    ours = json.loads(json.dumps(_clean(result.summary)))
    assert {k: written[k] for k in ours} == ours
    for table in ("units", "departments", "daily"):
        pd.testing.assert_frame_equal(pd.read_csv(cli / f"{table}.csv"), getattr(result, table), check_dtype=False)
    for name in RUN_FILES:
        if name.endswith(".png"):
            assert (cli / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name

    saved = result.save(tmp_path / "api")
    for name in RUN_FILES:
        assert (saved / name).is_file(), name
    for table in ("units.csv", "departments.csv", "daily.csv"):
        assert (saved / table).read_text() == (cli / table).read_text()
    assert OmegaConf.load(saved / ".hydra" / "config.yaml") == result.config
    with pytest.raises(FileExistsError, match="already holds another run's files"):
        result.save(saved)  # two results never mix in one folder ...
    assert result.save(saved, overwrite=True) == saved  # ... unless the caller says so


def test_replication_tables_are_what_the_intervals_are_made_of(result):
    reps = result.replications
    assert list(reps["replication"]) == [0, 1]
    assert reps["received"].nunique() == 2  # two replications, two different sets of citizens
    for name, ci in result.summary["kpis"].items():
        if ci["mean"] is not None and not math.isnan(ci["mean"]):
            assert reps[name].mean() == pytest.approx(ci["mean"], rel=1e-12), name
    per_unit = result.unit_replications.groupby("slug", sort=False).mean(numeric_only=True).drop(columns="replication")
    units = result.units.set_index("slug")[per_unit.columns]
    pd.testing.assert_frame_equal(per_unit, units, check_names=False)


@pytest.mark.parametrize("unit", ["ba_dinh", "soc_son"])
@pytest.mark.parametrize("replication", [0, 1])
def test_records_add_up_to_the_units_counts_of_that_replication(result, unit, replication):
    records = result.records(unit, replication)
    table = result.unit_replications
    row = table[(table["slug"] == unit) & (table["replication"] == replication)].iloc[0]
    stage = records["stage"]
    assert len(records) == row["received"]
    assert (stage == "done").sum() == row["processed"] == records["done"].notna().sum()
    assert records["on_time"].sum() == row["processed_on_time"]
    assert stage.isin(["desk_queue", "at_desk", "away", "back_office"]).sum() == row["in_process"]
    assert records["overdue"].sum() == row["in_process_overdue"]
    assert (stage == "abandoned").sum() == row["abandoned"] == records["abandoned_at"].notna().sum()
    assert 100 * (records["channel"] == "online").mean() == pytest.approx(row["online_pct"])
    served = records["desk_start"].notna()
    # the records' own visits: the submissions (the unit's desk waits count every kind of visit)
    assert records.loc[served, "desk_wait_min"].mean() == pytest.approx(row["desk_wait_mean_submission_min"])
    assert records["lead_time_wd"].mean() == pytest.approx(row["lead_time_mean_wd"])
    assert records["arrival_min"].is_monotonic_increasing
    start = pd.Timestamp(result.scenario.start)
    assert ((records["arrival"] - start) / pd.Timedelta(minutes=1)).to_numpy() == pytest.approx(records["arrival_min"])
    assert set(records["department"]) <= set(result.departments.query("slug == @unit")["department"])


def test_records_refuse_a_unit_or_replication_the_run_does_not_have(result):
    with pytest.raises(ValueError, match="hoan_kiem"):
        result.records("hoan_kiem")
    with pytest.raises(ValueError, match="0..1"):
        result.records("ba_dinh", replication=2)
    with pytest.raises(ValueError, match="whole number"):
        result.records("ba_dinh", replication="0")


@pytest.mark.parametrize("workers", [1000, -1, "two", 1.5])
def test_run_refuses_workers_the_command_line_refuses(workers):
    """The bound of the workers key holds for the API's argument too: each worker takes ~100 MB."""
    cfg = sim.load_config("city.units=[ba_dinh]", "replications=1", "period.end=2025-07-02")
    with pytest.raises(sim.ConfigError) as caught:
        sim.run(cfg, workers=workers)
    assert caught.value.key == "workers"


def test_a_file_of_ones_own_that_is_not_yaml_raises_config_error_naming_it(tmp_path):
    (tmp_path / "structure").mkdir()
    (tmp_path / "structure" / "broken.yaml").write_text("name: broken\ndepartments: [a: 1\n")
    with pytest.raises(sim.ConfigError) as caught:
        sim.load_config("structure=broken", config_dir=tmp_path)
    assert caught.value.key.endswith("broken.yaml:3") and "not valid YAML" in caught.value.problem


def test_plot_functions_return_figures_a_notebook_shows(result):
    for plot in (sim.plot_waits, sim.plot_backlog, sim.plot_unit_on_time):
        fig = plot(result)
        assert isinstance(fig, Figure) and fig.axes, plot.__name__
        assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"  # inline in Jupyter without pyplot


def test_the_per_unit_p90_plot_draws_each_unit_sorted_against_the_wait_target(result):
    from sim.outputs.run_files import plot_unit_wait_p90

    ax = plot_unit_wait_p90(result.run_summary).axes[0]
    p90 = result.units.set_index("slug")["desk_wait_p90_min"]
    heights = [bar.get_height() for bar in ax.patches]
    assert heights == sorted(heights) and sorted(heights) == pytest.approx(sorted(p90))
    assert [t.get_text() for t in ax.get_xticklabels()] == list(p90.sort_values(kind="stable").index)
    target = result.scenario.desk_policy.wait_target_minutes
    assert any(list(line.get_ydata()) == [target, target] for line in ax.get_lines())  # the target line
    assert ax.get_ylim()[0] == 0 and "minutes" in ax.get_ylabel()


def test_comparison_through_the_api(tmp_path):
    cfg = sim.load_config(*QUICK, "compare.structures=[five_departments_urban]", "compare.policies=[same_headcount]")
    comparison = sim.run_comparison(cfg)
    assert [r.variant.name for r in comparison.runs] == ["three_departments", "five_departments_urban/same_headcount"]
    levels = sim.headline_table(comparison, "ward")
    assert list(levels["variant"]) == ["three_departments", "five_departments_urban/same_headcount"]
    communes = comparison.table[(comparison.table["group"] == "commune") & (comparison.table["variant"] != "three_departments")]
    assert np.allclose(communes["diff_mean"].dropna(), 0)  # communes keep three departments: same records, same results
    assert list(sim.difference_table(comparison)["variant"]) == ["five_departments_urban/same_headcount"]
    for fig in (sim.plot_comparison(comparison), sim.plot_comparison(comparison, "lead_time_mean_wd"),
                sim.plot_differences(comparison)):
        assert isinstance(fig, Figure) and fig.axes
    assert (sim.save_comparison(comparison, tmp_path / "comparison") / "report.html").is_file()
    with pytest.raises(FileExistsError, match="already holds another run's files"):
        sim.save_comparison(comparison, tmp_path / "comparison")  # a used folder is refused, not mixed


def test_calibration_and_sensitivity_through_the_api():
    one_candidate = ["calibration.replications=1", "calibration.stop_cost=1e9", "calibration.identifiability=false",
                     "calibration.targets=[seed004_received]", "calibration.checks=[]",
                     "observations.seed004_received.tolerance=1000",
                     *(f"~calibration.parameters.{p}" for p in ("effort_scale", "supplement_share", "centre_demand",
                                                                "centre_supplement_share", "centre_supplement_wait", "stock_days",
                                                                "centre_stock_days"))]
    cfg = sim.load_config(*QUICK, *one_candidate)
    fit = sim.run_calibration(cfg)
    assert fit.evaluations == 1 and set(fit.fitted) == {"demand_rate"}
    assert list(sim.target_table(fit)["target"]) == ["seed004_received"]
    assert isinstance(sim.plot_calibration(fit), Figure)

    cfg = sim.load_config(*QUICK, "sensitivity.replications=1", "sensitivity.outputs=[in_process]")
    sensitivity = sim.run_sensitivity(cfg)
    table = sensitivity.table
    assert len(table) == 1 + 2 * len(cfg.sensitivity.parameters)
    demand = table[table["parameter"] == "demand_rate"].set_index("end")["in_process"]
    assert demand["low"] < table.loc[0, "in_process"] < demand["high"]  # more demand, more backlog
    assert isinstance(sim.plot_tornado(sensitivity), Figure)
