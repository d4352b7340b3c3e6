"""``--help`` of every command loads no engine and no heavy library (so it answers at once), and
prints the page Hydra's own ``--help`` prints, interpolations, overrides and a user's folder
included (sim.apps.help)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hydra._internal.hydra import Hydra
from hydra._internal.utils import get_args_parser
from hydra.core.global_hydra import GlobalHydra

from tests.conftest import ROOT

COMMANDS = ("sim", "sim.recommend", "sim.compare", "sim.breakeven", "sim.calibrate", "sim.validate", "sim.sensitivity",
            "sim.units", "sim.collect")
HEAVY = ("pandas", "matplotlib", "scipy", "joblib", "simpy", "openpyxl", "pyarrow", "tqdm", "holidays",
         "distributed", "dask", "numba", "sim.engines", "sim.analysis", "sim.outputs", "sim.config.build")

# Runs a command's --help as ``python -m`` would, then prints the modules it loaded.
PROBE = """
import contextlib, io, runpy, sys
module = sys.argv[1]
sys.argv = [module, "--help"]
page = io.StringIO()
try:
    with contextlib.redirect_stdout(page):
        runpy.run_module(module, run_name="__main__", alter_sys=True)
except SystemExit as exc:
    assert exc.code in (None, 0), exc.code
assert len(page.getvalue()) > 200, page.getvalue()
print("\\n".join(sorted(sys.modules)))
"""


@pytest.mark.parametrize("command", COMMANDS)
def test_help_loads_no_heavy_library(command, tmp_path):
    done = subprocess.run([sys.executable, "-c", PROBE, command], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.split())
    assert "sim" in loaded  # the probe did run the command
    assert sorted(m for m in loaded if m.split(".")[0] in HEAVY or any(m.startswith(h + ".") or m == h
                                                                        for h in HEAVY)) == []
    assert not (tmp_path / "results").exists()


def _hydras_own_page(argv: list[str], capsys) -> str:
    import sim.apps.main  # noqa: F401  (registers the schema and the resolvers the template uses)
    from sim.apps.command import config_search_path, hydra_arguments

    args = hydra_arguments(argv)
    try:
        hydra = Hydra.create_main_hydra2(task_name="main", config_search_path=config_search_path(args))
        hydra.app_help(config_name=args.config_name or "config", args_parser=get_args_parser(), args=args)
    finally:
        GlobalHydra.instance().clear()
    return capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["--help", "--config-dir", str(ROOT / "configs"), "replications=3", "scenario=baseline"],
    ["--help", "--resolve", "city.units=[ba_dinh]",
     "hydra.help.template='$FLAGS_HELP|$HYDRA_CONFIG_GROUPS|$APP_CONFIG_GROUPS|${seed}|$CONFIG'"],
], ids=["users folder", "every template name"])
def test_help_is_hydras_own_page(argv, capsys):
    from sim.apps.command import config_loader, hydra_arguments
    from sim.apps.help import app_help

    theirs = _hydras_own_page(argv, capsys)
    args = hydra_arguments(argv)
    with config_loader(args) as loader:
        ours = app_help(loader, args.config_name or "config", args)
    assert ours + "\n" == theirs
    assert "land_department_large_wards" in ours or "ba_dinh" in ours  # the case at hand, not an empty page


# A key of each command's own section, with its type and default in the schema (sim.config.schema_text).
OWN_KEYS = {"sim.recommend": ["recommend.confidence: float = 0.9", "recommend.budget.enabled: bool = False"],
            "sim.compare": ["compare.baseline: str = 'three_departments'"],
            "sim.calibrate": ["calibration.max_evaluations: int = 40", "calibration.ensemble.waves: int = 2"],
            "sim.validate": ["validate.little_tolerance: float = 0.05", "report.language: str = 'en'"],
            "sim.sensitivity": ["sensitivity.replications: int = 2"],
            "sim.breakeven": ["break_even.tolerance: float = 0.005"]}


@pytest.mark.parametrize("command", OWN_KEYS)
def test_command_help_lists_its_sections_keys(command, tmp_path):
    done = subprocess.run([sys.executable, "-m", command, "--help"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    for key in OWN_KEYS[command]:
        assert key in done.stdout, key
    assert "every key: docs/keys.md" in done.stdout
    if command == "sim.recommend":  # with the first sentence of the schema's comment
        assert "recommend.confidence: float = 0.9   Assumption: the probability" in done.stdout
        assert "compare." not in done.stdout.split("== Keys of")[1]  # its own section only


def test_section_keys_come_from_the_schema():
    from sim.config.schema_text import section_keys, section_lines

    assert len(section_keys("recommend")) > 20  # recommend.budget.* included
    assert section_lines(("compare",)).count("\n  compare.") == 5
    with pytest.raises(KeyError):
        section_keys("nothing")
