"""Sweeps as planners run them (``python -m sim -m ...``): one table of every job at the sweep's
root, a failed job that does not lose the others, finished jobs reused on a rerun, the same table
from ``python -m sim.collect`` and from submitit's launcher, one line for a bad sweep."""

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.conftest import compose_config, run_module
from sim.config.paths import CONFIG_DIR
from sim.config.provenance import NOT_RESULT_KEYS, config_hash
from sim.experiments.sweep.job import job_workers, sweep_folder_name
from sim.outputs.sweep_plots import write_plots

QUICK = ("city.units=[ba_dinh]", "replications=2", "period.end=2025-07-07", "desks.rule=fixed")
KPIS = ("received", "on_time_pct", "desk_wait_mean_min", "in_process")


def sweep(cwd: Path, folder: Path, *args: str):
    return run_module("sim", "-m", *QUICK, *args, f"hydra.sweep.dir={folder}", cwd=cwd)


def job_dir(folder: Path, table: pd.DataFrame, fixed: int) -> Path:
    return folder / table.loc[table["desks.fixed"] == fixed, "job"].item()


@pytest.fixture(scope="module")
def joblib_sweep(tmp_path_factory):
    """Three jobs on the default (joblib) launcher; desks.fixed=-1 is invalid and fails alone."""
    root = tmp_path_factory.mktemp("sweep")
    folder = root / "joblib"
    done = sweep(root, folder, "desks.fixed=2,3,-1")
    return folder, done


def test_table_has_every_job_and_a_failed_job_loses_nothing(joblib_sweep):
    folder, done = joblib_sweep
    assert done.returncode == 1, done.stderr  # honest: a job failed
    errors = [line for line in done.stderr.splitlines() if line.startswith("sim: error:")]
    assert len(errors) == 1 and "desks.fixed: must be at least 1 and at most 1,000, got -1" in errors[0], done.stderr
    assert "error.txt" in errors[0]
    assert "Traceback" not in done.stderr + done.stdout
    assert "sweep: jobs" in done.stderr and "unit-replications" not in done.stderr  # one bar, over jobs

    table = pd.read_csv(folder / "sweep.csv")
    assert len(table) == 3
    assert {"job", "job_num", "status", "error", "desks.fixed", "desks.rule", "replications", "city.units",
            "period.end"} <= set(table.columns)
    assert table["desks.fixed"].dtype.kind == "i" and sorted(table["desks.fixed"]) == [-1, 2, 3]

    failed = table[table["desks.fixed"] == -1].iloc[0]
    assert failed["status"] == "failed" and "desks.fixed: must be at least 1" in failed["error"]
    assert np.isnan(failed["on_time_pct"])
    bad = job_dir(folder, table, -1)
    assert (bad / ".hydra" / "config.yaml").is_file() and not (bad / "summary.json").exists()
    assert "Traceback" in (bad / "error.txt").read_text()

    for fixed in (2, 3):
        row = table[table["desks.fixed"] == fixed].iloc[0]
        assert row["status"] == "ok" and pd.isna(row["error"])
        summary = json.loads((job_dir(folder, table, fixed) / "summary.json").read_text())
        for kpi in KPIS:
            ci = summary["kpis"][kpi]
            assert row[kpi] == pytest.approx(ci["mean"])
            assert row[f"{kpi}_ci95_low"] <= row[kpi] <= row[f"{kpi}_ci95_high"]
        record = json.loads((job_dir(folder, table, fixed) / "job.json").read_text())
        assert record["workers"] == 1  # jobs share the cores: one worker each by default
        assert "City totals" in (job_dir(folder, table, fixed) / "output.txt").read_text()
    waits = table.set_index("desks.fixed")["desk_wait_mean_min"]
    assert waits[2] > waits[3]

    parquet = pd.read_parquet(folder / "sweep.parquet")
    assert parquet["desks.fixed"].dtype.kind == "i" and parquet["on_time_pct"].dtype.kind == "f"
    pd.testing.assert_frame_equal(parquet.astype(object).where(parquet.notna(), None).reset_index(drop=True),
                                  table.astype(object).where(table.notna(), None), check_dtype=False)
    assert (folder / "sweep_desks.fixed.png").stat().st_size > 0


def test_rerun_reuses_finished_jobs_and_redo_recomputes(joblib_sweep, tmp_path):
    original, _ = joblib_sweep
    folder = tmp_path / "again"
    shutil.copytree(original, folder)
    first = pd.read_csv(folder / "sweep.csv")
    for f in (2, 3):  # a mark that only a recomputed job would remove
        summary = job_dir(folder, first, f) / "summary.json"
        summary.write_text(json.dumps({**json.loads(summary.read_text()), "marked": True}))

    def marked(table: pd.DataFrame, fixed: int) -> bool:
        return "marked" in json.loads((job_dir(folder, table, fixed) / "summary.json").read_text())

    again = sweep(tmp_path, folder, "desks.fixed=2,3,-1")
    assert again.returncode == 1  # the invalid job fails again
    table = pd.read_csv(folder / "sweep.csv")
    assert dict(zip(table["desks.fixed"], table["status"])) == {2: "reused", 3: "reused", -1: "failed"}
    assert marked(table, 2) and marked(table, 3)
    pd.testing.assert_frame_equal(table[list(KPIS)], first[list(KPIS)])

    # redo=true recomputes, here with two worker processes nested inside the launcher's worker
    # (n_jobs=2 sends even a single job to a worker process; n_jobs=1 would run it in this one)
    redo = sweep(tmp_path, folder, "desks.fixed=2", "redo=true", "workers=2", "hydra.launcher.n_jobs=2")
    assert redo.returncode == 0, redo.stderr  # the old failed job is not part of this sweep
    table = pd.read_csv(folder / "sweep.csv")
    assert dict(zip(table["desks.fixed"], table["status"])) == {2: "ok", 3: "reused", -1: "failed"}
    assert not marked(table, 2) and marked(table, 3)
    assert json.loads((job_dir(folder, table, 2) / "job.json").read_text())["workers"] == 2
    pd.testing.assert_frame_equal(table[list(KPIS)], first[list(KPIS)])  # same numbers with 2 workers


def test_a_sweep_reports_only_its_own_jobs_whatever_the_file_times(joblib_sweep, tmp_path):
    """A sweep into a folder holding another sweep's failed job reports only its own jobs. The
    other sweep's records are dated an hour ahead, as on a shared disk whose clock runs fast (or
    a sweep that ended a moment ago): the jobs are told apart by their sweep run, not by time."""
    original, _ = joblib_sweep
    folder = tmp_path / "shared"
    shutil.copytree(original, folder)
    ahead = time.time() + 3600
    for record in folder.glob("*/job.json"):
        os.utime(record, (ahead, ahead))
    before = {json.loads(r.read_text())["sweep_run"] for r in folder.glob("*/job.json")}
    assert len(before) == 1 and "" not in before  # the first sweep's jobs share one run id

    second = sweep(tmp_path, folder, "desks.fixed=2,3")
    assert second.returncode == 0, second.stderr
    assert "sim: error" not in second.stderr
    table = pd.read_csv(folder / "sweep.csv")
    assert dict(zip(table["desks.fixed"], table["status"])) == {2: "reused", 3: "reused", -1: "failed"}
    runs = {int(f): json.loads((job_dir(folder, table, f) / "job.json").read_text())["sweep_run"] for f in (2, 3, -1)}
    assert runs[2] == runs[3] and runs[2] not in before and runs[-1] in before


def test_collect_rebuilds_the_same_table(joblib_sweep, tmp_path):
    original, _ = joblib_sweep
    folder = tmp_path / "copy"
    shutil.copytree(original, folder)
    for name in ("sweep.csv", "sweep.parquet", "sweep_desks.fixed.png"):
        (folder / name).unlink()
    done = run_module("sim.collect", str(folder), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (folder / "sweep.csv").read_text() == (original / "sweep.csv").read_text()
    assert (folder / "sweep.parquet").is_file() and (folder / "sweep_desks.fixed.png").is_file()


@pytest.mark.parametrize("where", ["missing", "empty"])
def test_collect_refuses_a_folder_without_jobs(where, tmp_path):
    folder = tmp_path / where
    if where == "empty":
        folder.mkdir()
    done = run_module("sim.collect", str(folder), cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sim: error: ") and str(folder) in lines[0], done.stderr
    assert not (folder / "sweep.csv").exists()


def test_submitit_local_launcher_gives_the_same_table(joblib_sweep, tmp_path):
    """The cluster path (submitit) run locally: the same jobs give the same numbers."""
    original, _ = joblib_sweep
    folder = tmp_path / "submitit"
    done = sweep(tmp_path, folder, "hydra/launcher=submitit_local", "desks.fixed=2,3")
    assert done.returncode == 0, done.stderr
    local = pd.read_csv(original / "sweep.csv")
    local = local[local["status"] == "ok"].reset_index(drop=True)
    table = pd.read_csv(folder / "sweep.csv")
    assert list(table["status"]) == ["ok", "ok"]
    columns = ["job", "desks.fixed"] + [c for c in table.columns if c.split("_ci95")[0] in KPIS]
    pd.testing.assert_frame_equal(table[columns], local[columns])


def test_a_mistyped_sweep_value_stops_before_any_job(tmp_path):
    folder = tmp_path / "bad"
    done = sweep(tmp_path, folder, "desks.fixed=2,many")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sim: error: desks.fixed"), done.stderr
    assert not folder.exists()


def test_config_hash_ignores_only_what_does_not_change_results():
    base = config_hash(compose_config("desks.fixed=2"))
    assert config_hash(compose_config("desks.fixed=2", "workers=3", "progress=false", "redo=true")) == base
    assert config_hash(compose_config("desks.fixed=3")) != base
    hydra_cfg = yaml.safe_load((Path(CONFIG_DIR) / "config.yaml").read_text())["hydra"]
    assert set(hydra_cfg["job"]["config"]["override_dirname"]["exclude_keys"]) == set(NOT_RESULT_KEYS)


def test_folder_names_and_workers_per_job():
    assert sweep_folder_name("", ["desks.fixed=2,3", "+desks.per_unit.x=4", "workers=2"]) == \
        "desks.fixed+desks.per_unit.x"
    assert sweep_folder_name("staffing_2026", ["desks.fixed=2"]) == "staffing_2026"
    assert len(sweep_folder_name("", [f"key_{k}=1" for k in range(60)])) <= 200
    assert job_workers(3, None) == 3
    from omegaconf import OmegaConf

    assert job_workers(0, OmegaConf.create({"n_jobs": -1})) == 1
    assert job_workers(0, OmegaConf.create({"cpus_per_task": 4})) == 4


def test_plots_per_pair_of_swept_keys_and_a_line_for_one(tmp_path):
    grid = [(d, s, r) for d in (2, 3, 4) for s in (0.4, 0.8) for r in ("fifo", "edf")]
    table = pd.DataFrame({
        "desks.fixed": [g[0] for g in grid], "scenario.demand.online_share": [g[1] for g in grid],
        "staff.order": [g[2] for g in grid], "status": ["ok"] * (len(grid) - 1) + ["failed"],
        "on_time_pct": np.linspace(90, 99, len(grid)), "desk_wait_mean_min": np.linspace(20, 2, len(grid)),
    })
    written = write_plots(tmp_path, table, ["desks.fixed", "scenario.demand.online_share", "staff.order"])
    assert sorted(p.name for p in written) == [
        "sweep_desks.fixed__scenario.demand.online_share.png", "sweep_desks.fixed__staff.order.png",
        "sweep_scenario.demand.online_share__staff.order.png"]
    table["on_time_pct_ci95_low"], table["on_time_pct_ci95_high"] = table["on_time_pct"] - 1, table["on_time_pct"] + 1
    written = write_plots(tmp_path, table, ["staff.order"])
    assert [p.name for p in written] == ["sweep_staff.order.png"]
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["sweep_staff.order.png"]  # old plots replaced
