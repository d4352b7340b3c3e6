"""The command line as a user runs it: a complete run folder and identical results for 1 and 2
worker processes. Bad input of every kind is tested in tests/test_hostile.py."""

import json

import pandas as pd
import pytest

from sim.analysis.kpis import KPI_NAMES
from sim.outputs.run_files import RUN_FILES

QUICK = ("city.units=[ba_dinh,hoan_kiem]", "replications=2", "period.end=2025-07-15")
REQUIRED_KPIS = (
    "received", "processed", "processed_on_time", "on_time_pct", "in_process", "in_process_overdue",
    "abandoned", "desk_wait_mean_min", "desk_wait_p90_min", "desk_wait_over_target_pct",
    "lead_time_mean_wd", "desk_utilisation", "staff_utilisation",
)


def test_two_unit_run_writes_every_file_and_same_results_with_two_workers(cli, tmp_path):
    folders, printed = {}, {}
    for workers in (1, 2):
        folder = tmp_path / f"run_w{workers}"
        done = cli(*QUICK, f"workers={workers}", f"hydra.run.dir={folder}")
        assert done.returncode == 0, done.stderr
        folders[workers], printed[workers] = folder, done.stdout
    folder = folders[1]
    for name in RUN_FILES:
        assert (folder / name).stat().st_size > 0, name
    for name in ("config.yaml", "overrides.yaml", "hydra.yaml"):
        assert (folder / ".hydra" / name).is_file()

    summary = json.loads((folder / "summary.json").read_text())
    assert {"scenario", "structure", "seed", "replications", "start", "end", "units", "kpis"} <= summary.keys()
    assert summary["units"] == 2 and summary["replications"] == 2 and summary["end"] == "2025-07-15"
    assert summary["structure"] == "three_departments"
    for name in REQUIRED_KPIS:
        ci = summary["kpis"][name]
        assert ci["ci95_low"] <= ci["mean"] <= ci["ci95_high"], name

    units = pd.read_csv(folder / "units.csv")
    assert list(units["slug"]) == ["ba_dinh", "hoan_kiem"]
    assert set(KPI_NAMES) <= set(units.columns)
    departments = pd.read_csv(folder / "departments.csv")
    assert set(departments["department"]) == {"office", "economic", "culture_society"}
    assert len(departments) == 6
    daily = pd.read_csv(folder / "daily.csv")
    assert len(daily) == 15
    assert daily["in_process"].iloc[-1] == pytest.approx(summary["kpis"]["in_process"]["mean"])
    assert "City totals" in printed[1] and "Units with the longest mean desk wait" in printed[1]
    assert "unit-replications" in done.stderr  # the progress bar

    other = folders[2]
    assert json.loads((other / "summary.json").read_text())["kpis"] == summary["kpis"]
    pd.testing.assert_frame_equal(pd.read_csv(other / "units.csv"), units)
    pd.testing.assert_frame_equal(pd.read_csv(other / "departments.csv"), departments)
