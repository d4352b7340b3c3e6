"""Helpers that drive the simulator the way users do: Hydra composition of sim/conf/ and the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from sim.config.paths import CONFIG_DIR
from sim.config.build import build_scenario
from sim.experiments.runner import run_scenario
from sim.config.schema import register

ROOT = Path(__file__).resolve().parents[1]
register()


# Tests build on the minimal front office (one first-come line per unit, submissions only), so
# that what they work out by hand does not hang on the front-office defaults; a test of the
# default front office, or of one of its mechanisms, says so (front_office=as_it_works, or the
# mechanism's own keys). The commands a user runs (the cli fixture) take the real default.
MINIMAL_FRONT_OFFICE = "front_office=submissions_only"


# The default scenario's staff side before it became the shipped ensemble's central member (the
# first-come-first-served point fit, officers on records only, 2,887 of them): tests of a mechanism
# whose figures were measured at that load run there, so that they do not move with the default.
FORMER_DEFAULT = ("staff.order=fifo", "scenario.effort_scale=0.975379", "staff.other_duties_share=0",
                  "staff.desk_rota_share=0", "staff.procedure_share=0.3", "staff.framework_weight=0",
                  "centre.design_load=0.8")


def compose_config(*overrides: str):
    chosen = any(o.startswith(("front_office=", "+experiment=")) for o in overrides)
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        return compose("config", overrides=list(overrides) if chosen else [MINIMAL_FRONT_OFFICE, *overrides])


def scenario_from(*overrides: str):
    return build_scenario(compose_config(*overrides))


def simulate(*overrides: str, workers: int = 1):
    scenario = scenario_from(*overrides)
    return scenario, run_scenario(scenario, workers=workers, progress=False)


def run_module(module: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run a command as a user would: ``python -m MODULE ARGS`` in ``cwd``."""
    return subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, capture_output=True, text=True, timeout=900)


@pytest.fixture
def cli(tmp_path):
    def call(*args: str) -> subprocess.CompletedProcess:
        return run_module("sim", *args, cwd=tmp_path)

    return call


# The slow tier: tests that take more than a few seconds each on two cores (measured with pytest's
# --durations), by node id prefix: a whole module, or one test with all its parameters. They are
# marked here, in one place, so that `pytest -m "not slow"` (the quick tier) runs the rest; CI runs
# everything. A new test that simulates weeks of a unit, runs the command line or builds many
# scenarios belongs here.
SLOW = (
    "notebooks/",
    # every test runs the command line, a sweep, a calibration, a recommendation or the browser
    "tests/test_api.py", "tests/test_budget.py", "tests/test_calibrated_default.py", "tests/test_calibration.py",
    "tests/test_cli.py", "tests/test_experiment_configs.py", "tests/test_faults.py",
    "tests/test_front_office_sensitivity.py", "tests/test_hostile.py", "tests/test_package.py",
    "tests/test_recommend.py", "tests/test_report_browser.py", "tests/test_structure_answer.py", "tests/test_comparison_language.py", "tests/test_sweep.py", "tests/test_validation.py",
    "tests/test_verdict.py",
    # a local Dask cluster started by the module, and each command's CLI run against a taken folder
    "tests/test_cluster.py",
    "tests/test_faults_io.py::test_a_folder_holding_another_run_is_refused_before_anything_is_written",
    # the compiled desks against the Python loop on every policy mix (test_compiled.py stays quick),
    # borrowing's fingerprints and split, two command-line refusals, Hydra's own help pages (a
    # command each)
    "tests/test_compiled_desks.py", "tests/test_help.py::test_help_is_hydras_own_page",
    "tests/test_borrowing.py::test_with_borrowing_off_the_engines_give_todays_outcomes_bit_for_bit",
    "tests/test_borrowing.py::test_with_borrowing_a_split_department_loses_less_on_time_share",
    "tests/test_structure_plans.py::test_a_run_whose_structure_adds_more_positions_than_the_quota_is_refused",
    "tests/test_ensemble_file.py::test_calibrate_central_writes_the_member_into_a_scenario_file",
    # every engine against the reference under many policies, or runs of weeks of several nodes
    "tests/test_centre.py", "tests/test_counters.py", "tests/test_day_start.py", "tests/test_structures.py",
    "tests/test_visits.py",
    # single tests of otherwise quick modules
    "tests/test_break_even.py::test_a_parameter_that_moves_nothing_gives_no_gain",
    "tests/test_break_even.py::test_a_strong_penalty_over_the_whole_range_gains_for_every_value",
    "tests/test_break_even.py::test_the_break_even_matches_a_grid_over_the_parameter",
    "tests/test_break_even.py::test_overtime_saved_is_the_gain_when_the_kpi_says_so",
    "tests/test_break_even.py::test_the_command_stops_bad_input_with_one_line",
    "tests/test_break_even.py::test_the_command_writes_the_table_the_map_and_the_summary",
    "tests/test_structure_plans.py::test_the_command_stops_bad_plan_input_in_one_line",
    "tests/test_structure_plans.py::test_a_small_run_writes_the_three_plans",
    "tests/test_calendar.py::test_lead_times_count_working_days_only",
    "tests/test_calendar.py::test_no_work_finishes_where_it_starts_and_a_return_at_position_zero_is_the_next_opening",
    "tests/test_calendar.py::test_2027_is_covered_2028_is_not",
    "tests/test_calendar.py::test_a_2026_run_neither_works_nor_falls_due_on_days_off",
    "tests/test_calendar.py::test_bad_calendar_settings_name_their_key",
    "tests/test_calendar.py::test_a_period_outside_the_calendar_stops_in_one_line",
    "tests/test_desk_queue.py::test_main_run_writes_the_queue_kpis_and_figure",
    "tests/test_desk_queue.py::test_a_unit_not_in_the_run_is_refused_before_simulating",
    "tests/test_desk_queue.py::test_open_days_are_the_days_with_a_desk_session",
    "tests/test_desk_queue.py::test_queue_figures_are_the_same_with_two_workers",
    "tests/test_desk_queue.py::test_report_queue_unit_chooses_the_unit_or_names_the_key",
    "tests/test_engines.py::test_every_engine_reproduces_the_simpy_reference",
    "tests/test_engines.py::test_every_engine_meets_the_contract",
    "tests/test_engines.py::test_the_comparison_covers_every_outcome_class",
    "tests/test_engines.py::test_the_overtime_policies_compare_days_with_and_without_overtime",
    "tests/test_engines.py::test_the_counter_policies_exercise_what_they_compare",
    "tests/test_engines.py::test_every_registered_closing_rule_runs_the_same_in_every_engine",
    "tests/test_engines.py::test_a_queue_order_registered_anew_is_the_built_in_one_it_copies",
    "tests/test_department_mechanisms.py::test_every_engine_agrees_with_rework_and_span_on",
    "tests/test_department_mechanisms.py::test_with_strong_rework_by_breadth_four_departments_beat_three_at_the_same_headcount",
    "tests/test_department_mechanisms.py::test_the_command_stops_with_one_line",
    "tests/test_erlang_c.py",
    "tests/test_intervals.py::test_a_two_replication_run_keeps_every_interval_in_range_and_warns",
    "tests/test_kpis.py::test_fewer_desks_never_raise_the_on_time_share_of_records_received",
    "tests/test_kpis.py::test_busiest_department_is_reported_beside_the_mean",
    "tests/test_model.py::test_a_financial_obligation_pauses_the_deadline_without_officers_work",
    "tests/test_model.py::test_more_desks_shorten_waits_and_more_staff_raise_on_time",
    "tests/test_model.py::test_same_seed_same_results_and_other_seed_differs",
    "tests/test_model.py::test_scenarios_share_random_numbers_per_replication",
    "tests/test_model.py::test_results_do_not_depend_on_worker_processes",
    "tests/test_overtime.py::test_overtime_buys_on_time_records_for_an_overloaded_unit",
    "tests/test_overtime.py::test_the_printed_summary_shows_overtime_when_it_is_enabled",
    "tests/test_staffing.py::test_units_lists_staff_and_expected_load_per_department",
    "tests/test_staffing.py::test_the_city_total_is_the_positions_times_the_processing_share_exactly",
    "tests/test_staffing.py::test_the_override_table_and_per_unit_win_over_the_rule",
    "tests/test_stock.py::test_a_later_run_starts_from_the_snapshot_of_an_earlier_one",
    "tests/test_stock.py::test_a_table_without_a_needed_column_or_file_is_refused",
    "tests/test_stock.py::test_a_stock_table_gives_each_record_its_procedure_dates_and_effort",
    "tests/test_stock.py::test_a_corrupt_compressed_snapshot_stops_the_command_line_with_one_line",
    "tests/test_stock.py::test_a_bad_stock_table_stops_the_command_line_with_one_line",
    "tests/test_stock.py::test_stock_plus_received_is_processed_plus_in_process_plus_abandoned",
)


def pytest_collection_modifyitems(config, items):
    """Mark the tests :data:`SLOW` names as slow."""
    for item in items:
        if item.nodeid.startswith(SLOW):
            item.add_marker(pytest.mark.slow)
