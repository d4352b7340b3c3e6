"""The package as users get it: a built wheel installed normally runs from any folder; --version,
--help and ``python -m sim.units``; and configs of the user's own folder, selected with
--config-dir, --config-name or hydra.searchpath, with one clear line for a bad file there."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import site
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

import sim
from sim.config.paths import CONFIG_DIR
from tests.conftest import ROOT, run_module, scenario_from

EXAMPLES = ROOT / "configs"
PYPROJECT_VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
COMMANDS = ("python -m sim ", "sim.compare", "sim.breakeven", "sim.calibrate", "sim.sensitivity", "sim.collect", "sim.units", "sim.validate", "sim.recommend", "sim.app")


def one_error_line(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sim: error: "), done.stderr
    return lines[0]


# --- a wheel installed into a fresh environment -----------------------------------------------
@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a clean copy of the sources (a stale build/ folder cannot leak in)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("sim", "hydra_plugins"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                            "-q", "-w", str(out), str(source)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr  # the build backend comes with the test extra (pyproject.toml)
    (built,) = out.glob("hanoi_service_sim-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel installed normally (not editable). Its
    dependencies come from this test environment, listed in a .pth file: they are on the path
    after the environment's own site-packages, so ``sim`` is the wheel's copy. No network."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    "-q", str(wheel)], check=True, capture_output=True, timeout=300)
    own = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                              check=True, capture_output=True, text=True).stdout.strip())
    (own / "test_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return venv


def installed_run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=900)


def test_the_wheel_holds_every_config_and_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = [p for folder in ("sim/conf", "sim/data") for p in (ROOT / folder).rglob("*")
               if p.is_file() and "__pycache__" not in p.parts]
    assert any(p.suffix == ".yaml" for p in shipped) and any(p.suffix == ".csv" for p in shipped)
    missing = [str(p.relative_to(ROOT)) for p in shipped if str(p.relative_to(ROOT)) not in names]
    assert not missing, missing
    assert "hydra_plugins/sim_sweeper/sim_sweeper.py" in names
    assert "sim/py.typed" in names  # PEP 561: type checkers use the package's own hints


def test_installed_wheel_runs_one_unit_from_any_folder(installed, tmp_path):
    here = tmp_path / "elsewhere"
    here.mkdir()
    done = installed_run(installed, installed / "bin" / "hanoi-sim", "city.units=[ba_dinh]", "replications=1",
                         "period.end=2025-07-05", "progress=false", cwd=here)
    assert done.returncode == 0, done.stderr
    (folder,) = (here / "results").iterdir()  # the run folder goes under the current folder's results/
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["units"] == 1 and summary["end"] == "2025-07-05"

    where = installed_run(installed, installed / "bin" / "python", "-c", "import sim; print(sim.__file__)", cwd=here)
    origin = Path(where.stdout.strip()).resolve()
    assert origin.is_relative_to(installed.resolve()) and not origin.is_relative_to(ROOT), origin


def test_installed_wheel_answers_version_help_and_units(installed, tmp_path):
    script = installed / "bin" / "hanoi-sim"
    version = installed_run(installed, script, "--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith(f"hanoi-sim {PYPROJECT_VERSION} "), version
    helped = installed_run(installed, script, "--help", cwd=tmp_path)
    assert helped.returncode == 0 and "sim.units" in helped.stdout, helped.stderr
    units = installed_run(installed, installed / "bin" / "python", "-m", "sim.units", "--csv", cwd=tmp_path)
    assert units.returncode == 0, units.stderr
    assert len(list(csv.DictReader(io.StringIO(units.stdout)))) == 126 + 12  # the units, then the Centre's branches
    assert not (tmp_path / "results").exists()  # neither writes a run folder


# --- version and help ---------------------------------------------------------------------------
def test_version_is_the_simulators_from_pyproject(cli):
    assert sim.__version__ == PYPROJECT_VERSION
    done = cli("--version")
    assert done.returncode == 0 and done.stdout.startswith(f"hanoi-sim {PYPROJECT_VERSION} "), done.stdout
    compare = run_module("sim.compare", "--version", cwd=ROOT)
    assert compare.stdout == done.stdout


def test_help_is_short_and_names_commands_groups_and_keys(cli, tmp_path):
    done = cli("--help")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert len(text.splitlines()) < 60
    for command in COMMANDS:
        assert command in text, command
    assert "structure: five_departments_urban, four_departments_land, four_departments_land_communes, three_departments" in text
    assert "scenario: baseline, hanoi_2025_calibrated" in text
    assert "city.units=" in text and "replications=5" in text and "results/" in text and "README" in text
    assert "hydra:" not in text  # not the composed config
    assert "== Keys of" not in text and "own keys: its --help" in text  # a section's keys are its command's help
    theirs = cli("--hydra-help")
    assert theirs.returncode == 0 and "Hydra" in theirs.stdout and "--config-dir" in theirs.stdout
    assert not (tmp_path / "results").exists()


def test_help_lists_the_options_of_a_users_folder(cli):
    done = cli("--help", "--config-dir", str(EXAMPLES), "replications=3")
    assert done.returncode == 0, done.stderr
    assert "land_department_large_wards" in done.stdout and "growth_2026" in done.stdout
    assert "replications=3" in done.stdout  # current values, overrides included


# --- python -m sim.units ------------------------------------------------------------------------
def units_csv(*args: str, cwd: Path) -> list[dict]:
    done = run_module("sim.units", "--csv", *args, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return list(csv.DictReader(io.StringIO(done.stdout)))


def test_units_lists_the_126_units_with_the_desks_and_staff_of_a_run(tmp_path):
    every = units_csv(cwd=tmp_path)
    assert [r["kind"] for r in every[126:]] == ["centre"] * 12  # then the City Centre's branches
    rows = every[:126]
    assert {r["kind"] for r in rows} == {"ward", "commune"}
    by_slug = {r["slug"]: r for r in rows}
    assert by_slug["ba_dinh"]["name"] == "Phường Ba Đình"  # UTF-8, diacritics kept
    assert sum(r["population_imputed"] == "True" for r in rows) == 8
    scenario = scenario_from("centre.enabled=false")
    for plan in scenario.units:
        row = by_slug[plan.unit.slug]
        assert (int(row["population"]), int(row["desks"]), int(row["staff"])) == (
            plan.unit.population, plan.desks, sum(plan.staff)), plan.unit.slug
    assert len({r["desks"] for r in rows}) > 1  # the population rule, not one constant

    wards = units_csv("--kind", "ward", "desks.rule=fixed", "desks.fixed=4", cwd=tmp_path)
    assert len(wards) == 51 and {r["desks"] for r in wards} == {"4"}


def test_units_stops_bad_input_in_one_line(tmp_path):
    one_error_line(run_module("sim.units", "desks.rule=fixed", "desks.fixed=0", cwd=tmp_path))
    assert "--table" in one_error_line(run_module("sim.units", "--table", "no_such.csv", cwd=tmp_path))


# --- configs of the user's own folder -----------------------------------------------------------
def test_config_dir_and_config_name_select_a_users_main_config_and_structure(cli, tmp_path):
    folder = tmp_path / "run"
    done = cli("--config-dir", str(EXAMPLES), "-cn", "two_wards_week", "structure=land_department_large_wards",
               "progress=false", f"hydra.run.dir={folder}")
    assert done.returncode == 0, done.stderr
    summary = json.loads((folder / "summary.json").read_text())
    assert (summary["units"], summary["replications"], summary["end"]) == (2, 2, "2025-07-07")
    assert summary["structure"] == "land_department_large_wards"
    departments = (folder / "departments.csv").read_text()
    assert "hoan_kiem,ward,units,land_department_large_wards,land_environment" in departments  # 105,301 residents
    assert "ba_dinh,ward,units,three_departments,office" in departments  # 65,023: its otherwise


def test_searchpath_relative_to_the_current_folder_selects_a_users_scenario(cli, tmp_path):
    shutil.copytree(EXAMPLES, tmp_path / "configs")
    folder = tmp_path / "run"
    done = cli("hydra.searchpath=[file://configs]", "scenario=growth_2026", "city.units=[ba_dinh]", "replications=1",
               "period.end=2025-07-03", "progress=false", f"hydra.run.dir={folder}")
    assert done.returncode == 0, done.stderr
    assert json.loads((folder / "summary.json").read_text())["scenario"] == "growth_2026"
    config = yaml.safe_load((folder / ".hydra" / "config.yaml").read_text())
    calibrated = yaml.safe_load((Path(CONFIG_DIR) / "scenario" / "hanoi_2025_calibrated.yaml").read_text())
    assert config["scenario"]["demand"]["growth"] == 1.2  # the user's change, on top of ...
    assert (config["scenario"]["demand"]["records_per_1000_residents_per_day"]  # ... the package's scenario
            == calibrated["scenario"]["demand"]["records_per_1000_residents_per_day"])


def test_the_check_looks_for_options_on_the_users_search_path(cli, tmp_path):
    line = one_error_line(cli(f"hydra.searchpath=[file://{EXAMPLES}]", "structure=nope", "city.units=[ba_dinh]"))
    assert "structure/nope" in line and "land_department_large_wards" in line
    sweep = one_error_line(cli("-m", "--config-dir", str(EXAMPLES), "structure=land_department_large_wards,nope",
                               "city.units=[ba_dinh]", f"hydra.sweep.dir={tmp_path / 'sweep'}"))
    assert "structure/nope" in sweep
    assert not (tmp_path / "sweep").exists()
    missing = one_error_line(cli("--config-dir", str(tmp_path / "absent"), "city.units=[ba_dinh]"))
    assert "--config-dir" in missing


def test_a_users_structure_may_name_another_users_structure_as_otherwise(tmp_path):
    mine = tmp_path / "mine" / "structure"
    mine.mkdir(parents=True)
    example = (EXAMPLES / "structure" / "land_department_large_wards.yaml").read_text()
    (mine / "huge_wards_only.yaml").write_text(
        example.replace("name: land_department_large_wards", "name: huge_wards_only")
        .replace("min_population: 100000", "min_population: 120000")
        .replace("otherwise: three_departments", "otherwise: land_department_large_wards"))
    rows = units_csv(f"hydra.searchpath=[file://{EXAMPLES},file://{tmp_path / 'mine'}]", "structure=huge_wards_only",
                     "city.units=[bach_mai,hoan_kiem,ba_dinh]", cwd=tmp_path)
    assert [r["structure"] for r in rows] == ["huge_wards_only", "land_department_large_wards", "three_departments"]


BROKEN = {
    "not YAML": ("name: broken\ndepartments: [office, economic\n", "broken.yaml"),
    "wrong type": ("name: broken\ndepartments:\n  office: {fields: [other], staff_weight: lots}\n",
                   "structure.departments.office.staff_weight"),
    "unknown key": ("name: broken\ndepartmens: {}\n", "structure.departmens"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
@pytest.mark.parametrize("named", ["selected", "as otherwise"])
def test_a_bad_file_in_a_users_folder_stops_in_one_line(case, named, cli, tmp_path):
    text, key = BROKEN[case]
    groups = tmp_path / "mine" / "structure"
    groups.mkdir(parents=True)
    (groups / "broken.yaml").write_text(text)
    (groups / "leans_on_broken.yaml").write_text(
        "name: leans_on_broken\napplies_to: {kinds: [ward]}\notherwise: broken\n"
        "departments:\n  all: {fields: [justice, other, land, social]}\n")
    selected = "broken" if named == "selected" else "leans_on_broken"
    folder = tmp_path / "run"
    line = one_error_line(cli("--config-dir", str(tmp_path / "mine"), f"structure={selected}",
                              "city.units=[ba_dinh]", f"hydra.run.dir={folder}"))
    assert (key if named == "selected" or case == "not YAML" else "structure.otherwise") in line, line
    assert not folder.exists()
