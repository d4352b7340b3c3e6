"""What a department is, as mechanisms (sim.model.departments): rework from breadth and the head's
span. Worked out by hand on a few records, in the mean over many, on the drawn workload (common
random numbers: the same citizens, only their minutes change), in every engine alike, on what a
structure is worth, and on bad input."""

import numpy as np
import pytest

from sim.analysis.kpis import pooled_kpis
from sim.analysis.offered_load import unit_loads
from sim.config.build import build_scenario
from sim.engines.workload import draw_workload
from sim.errors import ConfigError
from sim.experiments.runner import calendar_for
from sim.engines.streams import unit_streams
from sim.model.departments import MAX_REWORK_SHARE, Rework, Span, passes
from tests.conftest import compose_config, run_module, scenario_from, simulate
from tests.test_engines import assert_engines_agree, every_engine
from tests.test_streams import SEED, _Recording

ONE_UNIT = ("city.units=[ba_dinh]", "period.end=2025-07-14")
REWORK = ("staff.rework.base_share=0.2", "staff.rework.per_extra_field=0.03")
SPAN = ("staff.span.per_extra_field=0.1", "staff.span.per_officer_above=0.5", "staff.span.officers_norm=1")


def workload(*overrides: str, streams=None):
    scenario = scenario_from(*ONE_UNIT, *overrides)
    plan = scenario.units[0]
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    return plan, draw_workload(scenario, plan, calendar, streams or unit_streams(SEED, 0, plan.unit.index))


# --- by hand ---------------------------------------------------------------------------------------
def test_returns_are_geometric_by_inverse_transform():
    """P(returns >= k) = p ** k: with p = 1/2 a uniform below 1/2 gives no return, [1/2, 3/4) one,
    [3/4, 7/8) two; with p = 0 there is never a return."""
    u = np.array([0.0, 0.49, 0.5, 0.74, 0.76, 0.86, 0.9])
    np.testing.assert_array_equal(passes(np.full(7, 0.5), u), [1, 1, 2, 2, 3, 3, 4])
    np.testing.assert_array_equal(passes(np.zeros(7), u), np.ones(7))


def test_mean_passes_are_one_over_one_minus_the_share():
    u = np.random.default_rng(1).random(200_000)
    for p in (0.1, 0.3, 0.6):
        n = passes(np.full(len(u), p), u)
        se = np.sqrt(p) / (1 - p) / np.sqrt(len(u))  # sd of a geometric count: sqrt(p) / (1 - p)
        assert abs(n.mean() - 1 / (1 - p)) < 4 * se, p


def test_shares_and_span_factors_by_hand():
    assert Rework(0.2, 0.03).share(10) == pytest.approx(0.2 + 0.03 * 9)
    assert Rework(0.2, 0.03).share(1) == 0.2
    # 4 fields, 6 officers over 2 approvers (3 each) against a norm of 1: (1 + 0.1 x 3) x (1 + 0.5 x 2)
    assert Span(0.1, 0.5, 1.0).factor(4, 6, 2) == pytest.approx(1.3 * 2.0)
    assert Span(0.1, 0.5, 5.0).factor(1, 6, 2) == 1.0  # below the norm, one field: no cost
    assert Span().factor(10, 100, 1) == 1.0


# --- on the drawn workload ----------------------------------------------------------------------------
def test_rework_multiplies_effort_and_approval_by_the_same_whole_number_of_passes():
    plan, off = workload()
    _, on = workload(*REWORK)
    share = np.asarray(plan.organisation.rework_share)
    assert plan.organisation.rework_share == (0.0,) * len(share)  # the default: off
    ratio = on.effort_minutes / off.effort_minutes
    np.testing.assert_allclose(ratio, np.round(ratio), rtol=1e-12)
    assert ratio.min() == pytest.approx(1.0) and ratio.max() >= 3
    np.testing.assert_allclose(on.approval_minutes / off.approval_minutes, ratio, rtol=1e-12)
    # the citizens and everything else they bring stay the same (a stream of its own)
    for name in ("arrival", "procedure", "desk_minutes", "patience_minutes", "lag_minutes", "paused_wd"):
        np.testing.assert_array_equal(getattr(on, name), getattr(off, name), err_msg=name)
    # the mean number of passes per department, 1 / (1 - p), within sampling error
    scenario = scenario_from(*ONE_UNIT, *REWORK)
    fields = [len(d.fields) for d in scenario.units[0].organisation.structure.departments]
    for d, n in enumerate(fields):
        p = 0.2 + 0.03 * (n - 1)
        rows = on.department == d
        if rows.sum() > 200:
            se = np.sqrt(p) / (1 - p) / np.sqrt(rows.sum())
            assert abs(ratio[rows].mean() - 1 / (1 - p)) < 4 * se, (d, p)


def test_rework_draws_its_own_streams_only_when_on():
    streams = _Recording(unit_streams(SEED, 0, 0))
    workload(streams=streams)
    assert not {"in_person.rework", "remote.rework"} & streams.used
    streams = _Recording(unit_streams(SEED, 0, 0))
    workload(*REWORK, streams=streams)
    assert {"in_person.rework", "remote.rework"} <= streams.used


def test_the_heads_span_stretches_approval_by_hand():
    """Three departments of 4, 10 and 5 fields, 4 officers each; the 6 deputies of Decree 150's
    three departments shared 2, 2, 2, so 3 approvers each: 4/3 officers per approver."""
    fixed = ("staff.rule=fixed", "staff.fixed=4", "staff.deputies_per_department=2")
    plan, off = workload(*fixed)
    _, on = workload(*fixed, *SPAN)
    assert plan.organisation.approvers == (3, 3, 3)
    factor = np.array([(1 + 0.1 * (n - 1)) * (1 + 0.5 * (4 / 3 - 1)) for n in (4, 10, 5)])
    np.testing.assert_allclose(on.approval_minutes, off.approval_minutes * factor[off.department], rtol=1e-12)
    np.testing.assert_array_equal(on.effort_minutes, off.effort_minutes)


def test_explicitly_off_is_bit_identical_to_the_default():
    _, default = workload("stock.source=handover", "stock.days_of_stock=3")
    _, off = workload("stock.source=handover", "stock.days_of_stock=3", "staff.rework.base_share=0",
                      "staff.rework.per_extra_field=0", "staff.span.per_extra_field=0",
                      "staff.span.per_officer_above=0", "staff.span.officers_norm=4")
    for name in ("effort_minutes", "approval_minutes", "arrival"):
        np.testing.assert_array_equal(getattr(off, name), getattr(default, name), err_msg=name)


def test_the_expected_officer_load_counts_every_pass_of_rework():
    """1 / (1 - p) passes on average: p = 0.2 + 0.03 x (fields - 1) per department; the span acts on
    the approvers, not on the officers' load."""
    off, on = scenario_from(*ONE_UNIT), scenario_from(*ONE_UNIT, *REWORK, *SPAN)
    departments = on.units[0].organisation.structure.departments
    for d, a, b in zip(departments, unit_loads(off, off.units[0], 400.0), unit_loads(on, on.units[0], 400.0)):
        p = 0.2 + 0.03 * (len(d.fields) - 1)
        assert b.work_minutes_per_day == pytest.approx(a.work_minutes_per_day / (1 - p), rel=1e-12)


def test_a_replanned_unit_keeps_its_mechanisms():
    """The recommendation re-organises a unit with other officers: the span follows the new count."""
    from sim.model.structures import organise

    plan = scenario_from(*ONE_UNIT, *SPAN, "staff.rule=fixed", "staff.fixed=4").units[0]
    o = plan.organisation
    again = organise(o.structure, [10, 10, 10], 2, 0.0, True, [], {}, o.mechanisms)
    assert again.mechanisms == o.mechanisms
    assert again.approval_factor[0] == pytest.approx((1 + 0.1 * 3) * (1 + 0.5 * (10 / 3 - 1)))


# --- every engine alike -----------------------------------------------------------------------------
STOCK = ("stock.source=handover", "stock.days_of_stock=5")
MIXES = {
    "rework and span": (*REWORK, *SPAN),
    "rework and span, opening stock, edf, thin staff, approval cap": (
        *REWORK, *SPAN, *STOCK, "staff.order=edf", "staff.rule=fixed", "staff.fixed=3", "staff.approvals_per_day=6"),
    "strong rework, five departments, no pooling, overtime": (
        "staff.rework.per_extra_field=0.08", "structure=five_departments_urban", "staff.pooling=false",
        "staff.overtime.enabled=true", "staff.overtime.threshold_records_per_officer=3", *STOCK),
}


@pytest.mark.parametrize("overrides", MIXES.values(), ids=MIXES.keys())
def test_every_engine_agrees_with_rework_and_span_on(overrides):
    for *_, outcomes in every_engine(*overrides):
        assert_engines_agree(outcomes)


# --- what a structure is worth ------------------------------------------------------------------------
def test_with_strong_rework_by_breadth_four_departments_beat_three_at_the_same_headcount():
    """A busy ward (effort x 1.5): the economic department's ten fields return 72 % of its records
    (0.08 a field beyond the first: 3.6 passes on average), more than its officers can do; splitting
    land and environment out (same headcount: one of its officers becomes the new head) returns 8 %
    of land's records and 56 % of the rest's, and more records are on time in every replication.
    Without the mechanism the split gains nothing (it only loses pooling and an officer)."""
    busy = ("city.units=[bach_mai]", "period.end=2025-08-31", "replications=3", "progress=false",
            "staff.policy=same_headcount", "scenario.effort_scale=1.5")

    def on_time(structure: str, *overrides: str) -> np.ndarray:
        _, results = simulate(*busy, f"structure={structure}", *overrides, workers=1)
        return np.array([pooled_kpis(rep)["on_time_pct"] for rep in results])

    rework = "staff.rework.per_extra_field=0.08"
    three, four = on_time("three_departments", rework), on_time("four_departments_land", rework)
    assert (four > three).all() and (four - three).mean() > 0.5, (three, four)
    assert (on_time("four_departments_land") - on_time("three_departments")).mean() < 0.1


# --- bad input ----------------------------------------------------------------------------------------
BAD = {
    "rework share negative": ("staff.rework.base_share=-0.1", "staff.rework.base_share"),
    "rework share nan": ("staff.rework.base_share=nan", "staff.rework.base_share"),
    "rework share one": ("staff.rework.base_share=1", "staff.rework.base_share"),
    "rework per field inf": ("staff.rework.per_extra_field=inf", "staff.rework.per_extra_field"),
    "rework per field negative": ("staff.rework.per_extra_field=-0.01", "staff.rework.per_extra_field"),
    # 0.1 + 0.1 x (10 - 1) = 1.0 in the economic department: a record would never get out
    "rework reaching one by breadth": (("staff.rework.base_share=0.1", "staff.rework.per_extra_field=0.1"),
                                       "staff.rework.per_extra_field"),
    "span per field nan": ("staff.span.per_extra_field=nan", "staff.span.per_extra_field"),
    "span per field negative": ("staff.span.per_extra_field=-1", "staff.span.per_extra_field"),
    "span per officer inf": ("staff.span.per_officer_above=inf", "staff.span.per_officer_above"),
    "span per officer negative": ("staff.span.per_officer_above=-0.5", "staff.span.per_officer_above"),
    "span norm negative": ("staff.span.officers_norm=-1", "staff.span.officers_norm"),
    "span norm nan": ("staff.span.officers_norm=nan", "staff.span.officers_norm"),
    "span norm inf": ("staff.span.officers_norm=inf", "staff.span.officers_norm"),
    # the structure itself
    "a field in two departments": ("structure.departments.office.fields=[justice,other,office_admin,foreign_affairs,land]",
                                   "structure.departments.economic.fields"),
}


def refused(*overrides: str, departments: dict | None = None) -> ConfigError:
    """The one-line error building the scenario raises (with the structure's ``departments``, if given)."""
    cfg = compose_config("city.units=[ba_dinh]", "replications=1", "period.end=2025-07-05", *overrides)
    if departments is not None:
        cfg.structure.departments = departments
    with pytest.raises(ConfigError) as caught:
        build_scenario(cfg)
    assert "\n" not in str(caught.value), str(caught.value)
    return caught.value


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_refused_naming_its_key(case):
    overrides, key = BAD[case]
    overrides = (overrides,) if isinstance(overrides, str) else overrides
    assert refused(*overrides).key == key


def test_a_structure_with_no_department_is_refused():
    assert refused(departments={}).key == "structure.departments"


def empty_structure(tmp_path) -> str:
    """A structure of one's own with no department; its search-path override."""
    (tmp_path / "mine" / "structure").mkdir(parents=True)
    (tmp_path / "mine" / "structure" / "empty.yaml").write_text("name: empty\ndepartments: {}\n")
    return f"hydra.searchpath=[file://{tmp_path / 'mine'}]"


def test_the_highest_return_probability_is_accepted():
    """0.9 in the widest department (the economic one's ten fields) is within reach."""
    scenario = scenario_from("city.units=[ba_dinh]", "staff.rework.base_share=0", "staff.rework.per_extra_field=0.1")
    assert max(scenario.units[0].organisation.rework_share) == pytest.approx(MAX_REWORK_SHARE)


@pytest.mark.parametrize("args, key", [
    (("staff.rework.per_extra_field=nan",), "staff.rework.per_extra_field"),
    (("staff.rework.base_share=0.5", "staff.rework.per_extra_field=0.1"), "staff.rework.per_extra_field"),
    (("structure.departments.office.fields=[justice,land]",), "structure.departments.economic.fields"),
    ((empty_structure, "structure=empty"), "structure.departments"),
])
def test_the_command_stops_with_one_line(args, key, tmp_path):
    args = [a(tmp_path) if callable(a) else a for a in args]
    done = run_module("sim", "city.units=[ba_dinh]", "replications=1", *args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sim: error: ") and key in lines[0], done.stderr
    assert not (tmp_path / "results").exists()
