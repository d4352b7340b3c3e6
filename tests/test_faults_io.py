"""Nothing lost, nothing mixed, nothing escapes (issue 24, part A): a run folder belongs to one run,
files are written whole or not at all with each command's done file last, and a full disk, a
killed worker or damaged map data end in one line ``sim: error: ...`` without a traceback, keeping
what the command promises to keep.

Faults are made inside the command's own processes by a ``sitecustomize`` module put on its
``PYTHONPATH``: a full disk is a file whose writes fail with ENOSPC once half written (as a real
full disk fails a write, naming no file), a killed worker is a worker process sending itself
SIGKILL, damaged map data is a truncated copy of the packaged GeoJSON. None depends on timing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.apps.command import flags_first
from sim.errors import ConfigError
from sim.model.city import DATA_DIR
from sim.outputs.atomic import write_text
from sim.outputs.run_folder import CLAIM_FILE, claim
from tests.conftest import run_module

ONE_UNIT = ("city.units=[ba_dinh]", "replications=1", "period.end=2025-07-05", "progress=false")
TWO_WORKERS = ("city.units=[ba_dinh,bach_mai]", "replications=2", "period.end=2025-07-05", "workers=2",
               "progress=false")
RECOMMEND = ("city.units=[ba_dinh]", "period.end=2025-07-07", "recommend.replications=2",
             "recommend.max_replications=2", "recommend.max_rounds=2", "progress=false")
HYDRA_OWN = {".hydra", "main.log", "recommend.log", CLAIM_FILE}  # what Hydra and the claim put in a run folder

FULL_DISK_HOOK = '''"""Writes to a file whose name holds SIM_TEST_FULL_AT fail like a full disk, half written."""
import builtins, errno, io, os

_open, _full_at = io.open, os.environ["SIM_TEST_FULL_AT"]


class _Full:
    def __init__(self, handle):
        self._handle = handle

    def write(self, data):
        self._handle.write(data[: len(data) // 2])
        self._handle.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()


def _open_full(file, mode="r", *args, **kwargs):
    handle = _open(file, mode, *args, **kwargs)
    if any(m in mode for m in "wax") and _full_at in os.path.basename(str(file)):
        return _Full(handle)
    return handle


builtins.open = io.open = _open_full
'''
KILL_HOOK = '''"""Every simulation task run in a worker process kills its process, as the out-of-memory killer would."""
import multiprocessing, os, signal

import sim.experiments.runner as runner

_run_batch = runner._run_batch


def _killed(scenario, tasks):
    if multiprocessing.current_process().name == "MainProcess":
        return _run_batch(scenario, tasks)
    os.kill(os.getpid(), signal.SIGKILL)


runner._run_batch = _killed
'''
DAMAGED_MAP_HOOK = '''"""The map reads its data from SIM_TEST_MAP_DATA, where the GeoJSON is cut short."""
import os
from pathlib import Path

import sim.outputs.unit_map as unit_map

unit_map.DATA_DIR = Path(os.environ["SIM_TEST_MAP_DATA"])
'''


def run_with_hook(tmp_path: Path, hook: str, module: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    """``python -m MODULE ARGS`` in ``tmp_path`` with ``hook`` loaded first by every process it starts."""
    folder = tmp_path / "hook"
    folder.mkdir(exist_ok=True)
    (folder / "sitecustomize.py").write_text(hook)
    env = {**os.environ, **env, "PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", module, *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=900)


def one_error_line(done: subprocess.CompletedProcess, status: int) -> str:
    """The command's only line on stderr, a ``sim: error:`` line, with exit ``status`` and no traceback."""
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sim: error: "), done.stderr
    return lines[0]


def leftovers(folder: Path) -> set[str]:
    """What is in a run folder besides Hydra's snapshot and log and the claim."""
    return {entry.name for entry in folder.iterdir()} - HYDRA_OWN


# --- a run folder belongs to one run ----------------------------------------------------------
COMMANDS = {
    "sim": (),
    "sim.recommend": (),
    "sim.compare": (),
    "sim.breakeven": ("replications=2",),
    "sim.validate": (),
    "sim.calibrate": (),
    "sim.sensitivity": ("sensitivity.replications=1",),
}


@pytest.mark.parametrize("module", sorted(COMMANDS))
def test_a_folder_holding_another_run_is_refused_before_anything_is_written(module, tmp_path):
    """Every command that writes a run folder refuses one that holds files: nothing is merged, and
    the other run's files (Hydra's snapshot included) are left exactly as they were."""
    folder = tmp_path / "run"
    (folder / ".hydra").mkdir(parents=True)
    before = {"summary.json": '{"scenario": "first"}', "units.csv": "slug\nba_dinh\n",
              ".hydra/config.yaml": "seed: 1\n"}
    for name, content in before.items():
        (folder / name).write_text(content)
    done = run_module(module, *ONE_UNIT, *COMMANDS[module], f"hydra.run.dir={folder}", cwd=tmp_path)
    line = one_error_line(done, 2)
    assert line.startswith(f"sim: error: hydra.run.dir: {folder}: "), line
    assert {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} == set(before)
    assert all((folder / name).read_text() == content for name, content in before.items())


def test_a_folder_two_runs_start_into_is_claimed_by_one(tmp_path):
    """Two runs that pass the check at the same moment: the claim file is created exclusively, so
    the second is refused (the race itself needs no timing: the second claim finds the first)."""
    kept = claim(tmp_path)
    assert CLAIM_FILE in kept and json.loads((tmp_path / CLAIM_FILE).read_text())["pid"] == os.getpid()
    with pytest.raises(ConfigError) as refused:
        claim(tmp_path)
    assert refused.value.key == "hydra.run.dir" and str(tmp_path) in refused.value.problem


# --- files whole or not at all ----------------------------------------------------------------
def test_a_file_is_replaced_whole_or_left_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "summary.json"
    write_text(path, '{"old": true}')

    def full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as caught:
        write_text(path, '{"new": true}')
    assert caught.value.filename == str(path)  # a full disk names no file: the error names this one
    assert path.read_text() == '{"old": true}'
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]  # no temporary file left


@pytest.mark.slow
def test_a_full_disk_in_a_run_gives_one_line_and_no_finished_looking_folder(tmp_path):
    folder = tmp_path / "run"
    done = run_with_hook(tmp_path, FULL_DISK_HOOK, "sim", *ONE_UNIT, f"hydra.run.dir={folder}",
                         SIM_TEST_FULL_AT="summary.json")
    assert one_error_line(done, 1) == f"sim: error: {folder / 'summary.json'}: No space left on device"
    assert leftovers(folder) == set(), "a run stopped by a fault leaves no result files"


@pytest.mark.slow
def test_a_full_disk_in_a_recommendation_leaves_no_recommendation_behind(tmp_path):
    folder = tmp_path / "run"
    done = run_with_hook(tmp_path, FULL_DISK_HOOK, "sim.recommend", *RECOMMEND, f"hydra.run.dir={folder}",
                         SIM_TEST_FULL_AT="recommendation.json")
    assert one_error_line(done, 1) == f"sim: error: {folder / 'recommendation.json'}: No space left on device"
    assert leftovers(folder) == set(), leftovers(folder)


# --- a killed worker --------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("module", ["sim", "sim.recommend"])
def test_a_killed_worker_outside_a_sweep_gives_one_line(module, tmp_path):
    folder = tmp_path / "run"
    args = TWO_WORKERS if module == "sim" else (*RECOMMEND, "workers=2")
    done = run_with_hook(tmp_path, KILL_HOOK, module, *args, f"hydra.run.dir={folder}")
    line = one_error_line(done, 1)
    assert "worker process" in line and "died" in line, line
    assert leftovers(folder) == set(), leftovers(folder)


# --- names ------------------------------------------------------------------------------------
@pytest.mark.slow
def test_an_emoji_in_a_name_is_quiet(tmp_path):
    """A character the plotting font lacks is drawn as a box without matplotlib's warnings."""
    folder = tmp_path / "run"
    done = run_module("sim", *ONE_UNIT, 'scenario.name="ok🙂"', f"hydra.run.dir={folder}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(done.stderr.strip().splitlines()) <= 1, done.stderr
    assert json.loads((folder / "summary.json").read_text(encoding="utf-8"))["scenario"] == "ok🙂"


def test_flags_may_stand_among_the_overrides():
    """``python -m sim desks.fixed=2 -m city.units=[x]``: Hydra's parser needs its flags first."""
    assert flags_first(["desks.fixed=2", "-m", "city.units=[x]"]) == ["-m", "desks.fixed=2", "city.units=[x]"]
    assert flags_first(["a=1", "--cfg", "job", "b=2", "--info", "c=3"]) == ["--cfg", "job", "--info", "a=1", "b=2", "c=3"]
    assert flags_first(["a=1", "--config-dir=x", "-cn", "mine"]) == ["--config-dir=x", "-cn", "mine", "a=1"]


@pytest.mark.parametrize("args", [("--kind", "district"), ("--bogus",), ("--table",)])
def test_units_stops_a_bad_argument_with_one_line(args, tmp_path):
    done = run_module("sim.units", *args, cwd=tmp_path)
    line = one_error_line(done, 2)
    assert args[0] in line, line


# --- damaged map data -------------------------------------------------------------------------
def damaged_map_data(tmp_path: Path) -> Path:
    """A copy of the packaged map data whose GeoJSON is cut short (SIM_TEST_MAP_DATA points there)."""
    data = tmp_path / "map_data"
    data.mkdir()
    geojson = (DATA_DIR / "hanoi_units_2025.geojson").read_text(encoding="utf-8")
    (data / "hanoi_units_2025.geojson").write_text(geojson[: len(geojson) // 3], encoding="utf-8")
    (data / "centre_branch_locations.csv").write_bytes((DATA_DIR / "centre_branch_locations.csv").read_bytes())
    return data


@pytest.mark.slow
def test_damaged_map_data_loses_no_results(tmp_path):
    """The packaged GeoJSON cut short: summary.json and the rest are written (the map's absence in
    summary.json's warnings and on the report), then one line naming the file and exit status 1."""
    data = damaged_map_data(tmp_path)
    folder = tmp_path / "run"
    done = run_with_hook(tmp_path, DAMAGED_MAP_HOOK, "sim", *ONE_UNIT, f"hydra.run.dir={folder}",
                         SIM_TEST_MAP_DATA=str(data))
    line = one_error_line(done, 1)
    assert line.startswith(f"sim: error: {data / 'hanoi_units_2025.geojson'}: damaged map data"), line
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["kpis"]["received"]["mean"] > 0
    assert any("map" in warning for warning in summary["warnings"]), summary["warnings"]
    assert "damaged map data" in (folder / "report.html").read_text(encoding="utf-8")
    assert not (folder / "unit_map.png").exists()
    assert (folder / "units.csv").is_file()


@pytest.mark.slow
def test_damaged_map_data_loses_no_comparison(tmp_path):
    """The same for sim.compare: the comparison's tables, answer and report are written without the
    maps, then one line naming the file and exit status 1."""
    data = damaged_map_data(tmp_path)
    folder = tmp_path / "run"
    done = run_with_hook(tmp_path, DAMAGED_MAP_HOOK, "sim.compare", *ONE_UNIT, "centre.enabled=false",
                         "compare.structures=[three_departments,four_departments_land]",
                         "compare.policies=[same_headcount]", f"hydra.run.dir={folder}", SIM_TEST_MAP_DATA=str(data))
    line = one_error_line(done, 1)
    assert line.startswith(f"sim: error: {data / 'hanoi_units_2025.geojson'}: damaged map data"), line
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "damaged map data" in page and "id='answer'" in page
    assert not (folder / "unit_map.png").exists()
    for name in ("comparison.csv", "comparison.xlsx", "structure_answer.csv"):
        assert (folder / name).is_file(), name
