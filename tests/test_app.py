"""The web app's model side (sim.apps.webapp_runs) and its words, without a browser: a progress
callback that leaves the results unchanged, plain messages for impossible numbers, a name that
holds HTML shown as text, and one place per string."""

from __future__ import annotations

import math

import pytest

import sim
from sim.apps import webapp_runs as runs
from sim.apps.webapp_texts import APP_TEXTS, duplicates

QUICK = ("city.units=[ba_dinh,soc_son]", "period.end=2025-07-07", "replications=2", "workers=1", "progress=false")


def test_a_progress_callback_counts_every_unit_replication_and_changes_no_result():
    cfg = sim.load_config(*QUICK)
    seen = []
    called = sim.run(cfg, progress=lambda done, total: seen.append((done, total)))
    plain = sim.run(cfg)
    assert seen == [(k, 4) for k in range(1, 5)]
    assert called.summary["kpis"] == plain.summary["kpis"]
    assert called.units.equals(plain.units)


@pytest.mark.parametrize("change, word", [
    ({"units": ()}, "at least one unit"),
    ({"units": tuple(runs.unit_table()["slug"][:runs.MAX_UNITS + 1])}, "At most"),
    ({"units": ("atlantis",)}, "unknown unit"),
    ({"structure": "nope"}, "unknown structure"),
    ({"growth": -1.0}, "Demand"),
    ({"growth": math.nan}, "Demand"),
    ({"online_share": 1.5}, "online"),
    ({"officers": 0.0}, "officers"),
    ({"weeks": 0}, "Weeks"),
    ({"replications": 1}, "Replications"),
    ({"replications": 2.5}, "Replications"),
    ({"name": "x" * 81}, "at most 80"),
])
def test_impossible_numbers_give_a_plain_message(change, word):
    messages = runs.problems(runs.Choice(**change), "en")
    assert len(messages) == 1 and word in messages[0]
    assert runs.problems(runs.Choice(**change), "vi")  # and in Vietnamese


def test_the_default_choice_has_no_problem():
    assert runs.problems(runs.Choice(), "en") == []


def test_a_change_runs_against_today_on_the_same_random_numbers_and_its_name_stays_text():
    name = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    choice = runs.Choice(units=("ba_dinh",), weeks=1, replications=2, counters=1, name=name)
    steps = []
    pair = runs.run_pair(choice, progress=lambda done, total: steps.append((done, total)))
    assert steps[-1] == (4, 4) and [d for d, _ in steps] == [1, 2, 3, 4]
    assert "+desks.per_unit.ba_dinh=4" in pair.overrides  # 3 counters today, one more
    assert pair.today.summary["seed"] == pair.changed.summary["seed"]
    assert pair.today.summary["kpis"]["received"] == pair.changed.summary["kpis"]["received"]  # same citizens
    lines = runs.verdict_lines(pair, "en")
    assert all("<img" not in line and "<script" not in line for line in lines)
    assert "&lt;img src=x" in lines[0]
    table = runs.kpi_table(pair, "vi")
    assert len(table) == len(runs.KPIS) and table.iloc[:, 0].str.len().min() > 0


def test_every_phrase_of_the_app_is_in_both_languages_and_in_one_table_only():
    assert duplicates() == set()
    assert all(set(forms) == {"en", "vi"} for forms in APP_TEXTS.values())


def test_the_stored_city_run_says_how_it_was_made_and_a_unit_name_holding_html_stays_text(tmp_path):
    stored = runs.load_city_summary()
    assert stored is not None, "sim/data/city_summary.json: python -m sim.app --build-city-summary"
    assert len(stored["units"]) == 126 + stored["made"]["centre_branches"]
    units = stored["units"].copy()
    units["on_time_of_received_pct"] = units["on_time_of_received_pct_ci95_high"] = 50.0  # every unit misses
    units.loc[0, "name"] = "<script>alert(1)</script>"
    lines = runs.city_lines({**stored, "units": units}, "en")
    assert "95 % interval" in lines[0] and "replications" in lines[-1] and "python -m sim.app" in lines[-1]
    assert not any("<script>" in line for line in lines)
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in line for line in lines)
    assert any("the central one of the 23 plausible sets" in line for line in lines)  # what it rests on


def test_the_stored_city_run_was_made_with_the_default_it_claims_to_be():
    """The stored run is the main job: made with the default's parameter set and decisive values
    (rebuild it with python -m sim.app --build-city-summary after the default changes)."""
    from sim.analysis.assumptions import basis

    stored = runs.load_city_summary()
    cfg = sim.load_config()
    now = basis(cfg, sim.build_scenario(cfg))
    assert stored["made"]["command"] == "python -m sim.app --build-city-summary"
    assert stored["basis"]["parameter_set"] == now["parameter_set"]
    assert stored["basis"]["rests_on"] == now["rests_on"] and stored["basis"]["officers_today"] == now["officers_today"]


def test_fewer_counters_than_a_unit_has_leave_it_one_and_say_so():
    choice = runs.Choice(units=("ba_dinh", "soc_son"), counters=-4)
    overrides = runs.change_overrides(choice, {"ba_dinh": 3, "soc_son": 5}, 0.3)
    assert "+desks.per_unit.ba_dinh=1" in overrides and "+desks.per_unit.soc_son=1" in overrides
    assert runs.kept_one_counter(choice, {"ba_dinh": 3, "soc_son": 5}) == ["ba_dinh"]


def test_the_fast_configuration_is_what_load_config_gives_for_the_same_overrides():
    from omegaconf import OmegaConf

    choice = runs.Choice(units=("ba_dinh", "soc_son"), structure="five_departments_urban", counters=2, officers=1.3,
                         growth=1.2, online_share=0.7, weeks=3, replications=4, seed=11)
    values = runs.common_values(choice) | runs.change_values(choice, {"ba_dinh": 3, "soc_son": 5}, 0.3)
    fast = runs.config_for(choice.structure, values)
    slow = sim.load_config(*runs.as_overrides(choice.structure, values))
    assert OmegaConf.to_container(fast, resolve=True) == OmegaConf.to_container(slow, resolve=True)
    assert fast.desks.per_unit.ba_dinh == 5 and fast.structure.name == "five_departments_urban"


def test_a_value_the_simulator_refuses_is_refused_on_the_fast_path_too():
    values = runs.common_values(runs.Choice(units=("ba_dinh",), weeks=1)) | {"scenario.demand.growth": 0.0}
    with pytest.raises(sim.ConfigError) as refused:
        sim.run(runs.config_for("three_departments", values))
    assert "growth" in refused.value.key
    with pytest.raises(sim.ConfigError):
        runs.config_for("three_departments", {"replications": "many"})


@pytest.mark.parametrize("argv", [["--port", "0"], ["replications=3"], ["--port", "70000"]])
def test_the_launcher_refuses_bad_arguments_with_a_usage_line(argv, capsys):
    from sim.apps.app import main

    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2 and "python -m sim.app" in capsys.readouterr().err


def test_the_launcher_serves_offline_on_loopback_the_page_inside_the_package():
    from sim.apps.app import APP_FILE, streamlit_command

    command = streamlit_command(8765, "127.0.0.1")
    assert APP_FILE.is_file() and str(APP_FILE) in command
    for flag in ("--browser.gatherUsageStats=false", "--server.headless=true", "--server.address=127.0.0.1"):
        assert flag in command
