"""python -m sim.recommend recommend.budget.enabled=true: a fixed budget of officers, moved.

The total never changes; with one unit's department heavily overloaded beside an idle unit, the
officers go from the idle unit to the overloaded department and the city's on-time share rises
(paired, common random numbers); bad settings stop with one message naming the key.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from sim.api import load_config
from sim.errors import ConfigError
from sim.experiments.budget import budget_spec, fixed_budget
from sim.config.build import build_scenario
from sim.outputs.budget_report import (budget_moves_table, budget_overrides, budget_sentences, budget_summary,
                                       write_budget)
from tests.conftest import FORMER_DEFAULT, run_module

UNITS = "city.units=[ba_dinh,hoan_kiem,soc_son]"
OVERLOADED, IDLE = "ba_dinh", "hoan_kiem"
SHORT = ("centre.enabled=false", "period.end=2025-07-21", "recommend.budget.replications=4", *FORMER_DEFAULT)
# ba_dinh's economic department gets one officer for about two officers' work (expected offered
# load ~2); hoan_kiem gets four times its allocation (load well under 0.1)
SKEWED = (f"+staff.per_unit.{OVERLOADED}={{office:8,economic:1,culture_society:3}}",
          f"+staff.per_unit.{IDLE}={{office:48,economic:48,culture_society:20}}")


@pytest.fixture(scope="module")
def skewed():
    cfg = load_config(UNITS, *SHORT, *SKEWED, "recommend.budget.max_moves=3", "recommend.budget.batch=2")
    return fixed_budget(cfg, workers=2)


def _slug(result, position):
    return result.scenario.units[position].unit.slug


def test_total_is_conserved(skewed):
    assert sum(map(sum, skewed.final)) == sum(map(sum, skewed.today)) == skewed.officers
    # every unit keeps its departments, each at least staff.min_per_department
    assert all(len(a) == len(b) and min(b) >= 1 for a, b in zip(skewed.today, skewed.final))


def test_officers_go_from_the_idle_unit_to_the_overloaded_department(skewed):
    kept = [m for m in skewed.moves if m.kept]
    assert kept, skewed.moves
    overloaded = next(p for p, plan in enumerate(skewed.scenario.units) if plan.unit.slug == OVERLOADED)
    economic = skewed.scenario.units[overloaded].organisation.structure.department_names.index("economic")
    assert all(m.receiver == (overloaded, economic) for m in kept)
    assert all(_slug(skewed, m.donor[0]) == IDLE for m in kept)
    assert skewed.final[overloaded][economic] == 1 + len(kept)
    change = skewed.city_share(skewed.final) - skewed.city_share(skewed.today)  # paired, replication by replication
    assert (change > 0).all()
    assert all(m.gain_pp["ci95_low"] > 0 for m in kept)


def test_a_larger_budget_is_placed_and_conserved():
    cfg = load_config(UNITS, *SHORT, *SKEWED, "recommend.budget.max_moves=0")
    today = sum(map(sum, fixed_budget(cfg, workers=1).today))
    result = fixed_budget(load_config(UNITS, *SHORT, *SKEWED, "recommend.budget.max_moves=0",
                                      f"recommend.budget.officers={today + 2}"), workers=1)
    assert sum(map(sum, result.start)) == sum(map(sum, result.final)) == today + 2
    assert result.start[0][1] >= 3  # the spare officers go where the expected load is highest: ba_dinh's economic
    assert result.stop.startswith("recommend.budget.max_moves")


def test_overrides_give_the_allocation_after_the_moves(skewed):
    built = build_scenario(load_config(UNITS, *SHORT, *SKEWED, *budget_overrides(skewed)))
    assert [tuple(plan.staff) for plan in built.units] == skewed.final


def test_files_and_sentences(skewed, tmp_path):
    write_budget(tmp_path, skewed)
    assert (tmp_path / "budget_moves.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # opens in Excel
    table = budget_moves_table(skewed)
    assert table["officers"].sum() == sum(m.kept for m in skewed.moves)
    summary = json.loads((tmp_path / "budget.json").read_text(encoding="utf-8"))
    city = summary["city_on_time_of_received_pct"]
    assert city["change_pp"]["ci95_low"] > 0
    assert len(summary["worst_units"]) == 3  # fewer units than recommend.budget.worst_units
    worst = summary["worst_units"][0]
    assert worst["slug"] == OVERLOADED and worst["change_pp"]["mean"] > 0
    assert summary["officers"]["budget"] == summary["officers"]["today"]
    text = budget_sentences(skewed)
    assert text and all(isinstance(s, str) for s in text) and any("on time" in s for s in text)
    assert budget_summary(skewed)["officers"]["moved"] == len([m for m in skewed.moves if m.kept])


@pytest.mark.parametrize("override, key", [
    ("recommend.budget.officers=-5", "recommend.budget.officers"),
    ("recommend.budget.officers=2.5", "recommend.budget.officers"),
    ("recommend.budget.max_moves=-1", "recommend.budget.max_moves"),
    ("recommend.budget.batch=0", "recommend.budget.batch"),
    ("recommend.budget.replications=1", "recommend.budget.replications"),
    ("recommend.budget.max_rounds=nan", "recommend.budget.max_rounds"),
    ("recommend.budget.min_receiver_load=-0.1", "recommend.budget.min_receiver_load"),
    ("recommend.budget.min_receiver_load=inf", "recommend.budget.min_receiver_load"),
])
def test_bad_settings_name_their_key(override, key):
    with pytest.raises(ConfigError) as error:
        budget_spec(load_config("city.units=[ba_dinh]", override))
    assert error.value.key == key


def test_too_small_a_budget_names_the_key():
    with pytest.raises(ConfigError) as error:
        fixed_budget(load_config("city.units=[ba_dinh]", *SHORT, "recommend.budget.officers=2"), workers=1)
    assert error.value.key == "recommend.budget.officers"


def test_command_stops_with_one_line_naming_the_key(tmp_path):
    done = run_module("sim.recommend", "recommend.budget.enabled=true", "recommend.budget.batch=-2",
                      "city.units=[ba_dinh]", cwd=tmp_path)
    assert done.returncode != 0
    assert "recommend.budget.batch" in done.stderr and "Traceback" not in done.stderr
    assert not list(tmp_path.rglob("budget.json"))


def test_the_documented_defaults_are_the_schema_defaults():
    """sim/conf/recommend/default.yaml documents recommend.budget; a copy that drifts from the
    schema fails here."""
    import yaml

    from sim.config.paths import CONFIG_DIR
    from sim.config.schema import BudgetConfig

    documented = yaml.safe_load((Path(CONFIG_DIR) / "recommend" / "default.yaml").read_text())
    assert documented["budget"] == dataclasses.asdict(BudgetConfig())


def test_no_back_office_names_the_key():
    with pytest.raises(ConfigError) as error:
        fixed_budget(load_config("city.units=[ba_dinh]", *SHORT, "scenario.back_office=false"), workers=1)
    assert error.value.key == "recommend.budget.enabled"


class _Told:
    """Stands in for sim.experiments.progress.RoundsBar: what the budget search tells it."""

    def __init__(self):
        self.started, self.done, self.ended = [], 0, []

    def start(self, label, tasks):
        self.started.append((label, tasks))

    def advance(self, n):
        self.done += n

    def end(self, note):
        self.ended.append(note)


def test_progress_is_told_each_round_and_every_unit_replication():
    told = _Told()
    cfg = load_config("city.units=[ba_dinh,soc_son]", "centre.enabled=false", "period.end=2025-07-07",
                      "recommend.budget.replications=2", "recommend.budget.max_moves=1", "recommend.budget.batch=1",
                      "recommend.budget.max_rounds=1", "progress=false")
    result = fixed_budget(cfg, workers=1, progress=told)
    assert told.done == result.simulated == sum(tasks for _, tasks in told.started)
    assert told.started[0][0] == "today and the start" and len(told.ended) == result.rounds
    assert all(label == f"round {k}" for k, (label, _) in enumerate(told.started[1:], start=1))
