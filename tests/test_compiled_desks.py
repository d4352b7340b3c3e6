"""The compiled desk loop (sim.engines.compiled_desks) gives the Python loop's outcome to the last bit:
on the default and on every mechanism mix of the engine agreement tests, and on random small runs;
where it does not cover a configuration it leaves the hall to the Python loop."""

from __future__ import annotations

import pytest

pytest.importorskip("numba")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sim.engines import compiled_desks  # noqa: E402
from tests.conftest import MINIMAL_FRONT_OFFICE, scenario_from  # noqa: E402
from tests.test_compiled import SMALL, _outcome_hash  # noqa: E402
from tests.test_engines import POLICIES, THREE_WEEKS, UNITS  # noqa: E402

# what the kernel leaves to Python: booked numbers called first, the return_next_day closing rule
NOT_COVERED = ("booked_first", "return_next_day")


def _not_covered(overrides) -> bool:
    text = " ".join(overrides)
    return "desks.closing=return_next_day" in text or (
        "desks.booking.enabled=true" in text and "desks.booking.serve=fifo" not in text)


def both_ways(scenario, monkeypatch) -> tuple[str, str, list[bool]]:
    """(hash with the kernel, hash with the Python loop, whether the kernel ran each hall)."""
    used: list[bool] = []
    run = compiled_desks.run
    monkeypatch.setattr(compiled_desks, "run", lambda hall: used.append(run(hall)) or used[-1])
    with_kernel = _outcome_hash(scenario)
    monkeypatch.setattr(compiled_desks, "_kernel", False)  # as where numba is missing
    ran = list(used)
    python = _outcome_hash(scenario)
    assert not any(used[len(ran):])  # the Python loop ran every hall
    return with_kernel, python, ran


# the calibrated default (front_office=as_it_works) on two units for a month, then the engine
# agreement tests' mixes (on submissions_only, their base) and some of them on the default front office
RUNS = {**{f"month: {name}": (*SMALL, *o) for name, o in {
            "default": ("front_office=as_it_works",), "default, edf": ("front_office=as_it_works", "staff.order=edf"),
            "submissions only": (MINIMAL_FRONT_OFFICE,)}.items()},
        **{name: (UNITS, THREE_WEEKS, *o) for name, o in POLICIES.items()},
        **{f"as it works: {name}": (UNITS, THREE_WEEKS, "front_office=as_it_works", *POLICIES[name])
           for name in ("busy desks, overtime", "counter groups, fewer desks than groups", "land intake cap",
                        "door arrivals", "booked numbers in line", "booked numbers first")}}


@pytest.mark.parametrize("overrides", RUNS.values(), ids=RUNS.keys())
def test_a_run_is_the_same_with_the_compiled_desks_or_not(overrides, monkeypatch):
    with_kernel, python, ran = both_ways(scenario_from(*overrides), monkeypatch)
    assert with_kernel == python
    assert ran and all(r == (not _not_covered(overrides)) for r in ran)  # the kernel ran where it covers


def test_the_kernel_leaves_what_it_does_not_cover_untouched():
    from sim.engines import fast
    from sim.engines.rules import as_desks
    from sim.experiments.runner import calendar_for, unit_workload

    scenario = scenario_from(UNITS, THREE_WEEKS, *POLICIES["busy desks, sent home at closing"])
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    hall = fast._DeskHall(unit_workload(scenario, 0, 0, calendar), calendar,
                          as_desks(scenario.units[0].desk_plan), scenario.desk_policy)
    before = (list(hall.stage), list(hall.desk_wait), list(hall.coming_back))
    assert not compiled_desks.covers(hall) and compiled_desks.run(hall) is False
    assert (hall.stage, hall.desk_wait, hall.coming_back) == before


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(replication=st.integers(0, 10 ** 6), desks=st.integers(1, 4), patience=st.sampled_from([15, 40, 120]),
       groups=st.booleans(), cap=st.sampled_from([0, 2, 5]), duties=st.sampled_from([0.0, 0.3]),
       visits=st.booleans(), door=st.sampled_from([0.0, 0.3]), wait_counts_closed=st.booleans())
def test_random_small_runs_are_the_same_compiled_or_not(replication, desks, patience, groups, cap, duties, visits,
                                                       door, wait_counts_closed):
    """A week of one unit under random desk mechanisms and a random seed (its own workload)."""
    overrides = ["city.units=[soc_son]", "period.end=2025-07-07", f"seed={replication}",
                 "desks.rule=fixed", f"desks.fixed={desks}", f"desks.patience_minutes.mean={patience}",
                 f"desks.groups.enabled={str(groups).lower()}", f"desks.other_duties_share={duties}",
                 f"scenario.demand.before_opening.share={door}",
                 f"desks.wait_counts_closed={str(wait_counts_closed).lower()}"]
    if cap:
        overrides += ["desks.land_intake.enabled=true", "desks.land_intake.specialists=1",
                      f"desks.land_intake.per_specialist={cap}"]
    if visits:
        overrides += ["procedures.land_transfer.collect_share=1", "desks.visits.guidance.per_submission=0.3",
                      "scenario.supplement_share=0.4", "desks.visits.supplement.share=0.8"]
    scenario = scenario_from(*overrides)
    from sim.experiments.runner import simulate_records

    def outcome_bits():
        import dataclasses

        import numpy as np
        _, _, outcome = simulate_records(scenario, 0, 0)
        return [np.ascontiguousarray(getattr(outcome, f.name)).tobytes() for f in dataclasses.fields(outcome)
                if isinstance(getattr(outcome, f.name), np.ndarray)]

    kernel = compiled_desks._make_kernel()
    hall_runs: list[bool] = []
    run = compiled_desks.run
    try:  # by hand: a function-scoped fixture would carry the kernel's absence to the next example
        compiled_desks.run = lambda hall: hall_runs.append(run(hall)) or hall_runs[-1]
        with_kernel = outcome_bits()
        compiled_desks._kernel = False
        python = outcome_bits()
    finally:
        compiled_desks.run, compiled_desks._kernel = run, kernel
    assert hall_runs == [True, False] and python == with_kernel
