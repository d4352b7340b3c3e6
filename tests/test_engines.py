"""Every registered engine against the event-driven SimPy reference: the same workload must give
the same outcome, record by record, under every desk and back-office policy; and every outcome
meets the engine contract (:class:`sim.engines.contract.Engine`)."""

import gc

import numpy as np
import pytest

from sim.engines.contract import ENGINES
from sim.engines.rules import CLOSING_RULES, QUEUE_ORDERS
from sim.engines.outcome import ABANDONED, AT_DESK, AWAY, BACK_OFFICE, DESK_QUEUE, DONE, IN_PROCESS_STAGES
from sim.errors import ConfigError
from sim.experiments import runner
from sim.experiments.runner import calendar_for, unit_workload
from tests.conftest import FORMER_DEFAULT, scenario_from

REFERENCE = "simpy"

UNITS = "city.units=[hoan_kiem,soc_son]"
THREE_WEEKS = "period.end=2025-07-21"
# Few desks and impatient citizens: queues, reneging and returns all happen.
BUSY_DESKS = ("desks.rule=fixed", "desks.fixed=1", "desks.patience_minutes.mean=30")
# Desk-only visits of every kind (sim.engines.visits): results collected (same-day and multi-day
# procedures, in person and online), missing papers brought, guidance.
VISITS = ("procedures.copy_certification.collect_share=0.3", "procedures.contract_certification.collect_share=0.8",
          "procedures.land_transfer.collect_share=1", "procedures.land_first_certificate.collect_share=0.9",
          "desks.visits.collection.delay_open_days.mean=1", "scenario.supplement_share=0.4",
          "desks.visits.supplement.share=0.8", "scenario.supplement_wait_wd.mean=4",
          "desks.visits.guidance.per_submission=0.3")

# The day as it starts: a land group that comes early, civil status late; numbers booked from 7 July.
LAND_EARLY = "scenario.demand.group_hour_weights.land_construction=[0,0,0,0,0,0,0,0,3,2,1,0.5,0,0.2,0.5,0.4,0.2,0,0,0,0,0,0,0]"
CIVIL_LATE = "scenario.demand.group_hour_weights.civil_status=[0,0,0,0,0,0,0,0,0.3,0.6,1,1,0,0.5,1.5,2,1.5,0.5,0,0,0,0,0,0]"
BOOKING = ("desks.booking.enabled=true", "desks.booking.start=2025-07-07", "desks.booking.share=0.4")

OVERTIME = ("staff.overtime.enabled=true", "staff.overtime.threshold_records_per_officer=3")
STOCK = ("stock.source=handover", "stock.days_of_stock=5")  # a stock of its own size, not the fitted one

POLICIES = {
    "default": (),
    "busy desks, overtime": BUSY_DESKS,
    "busy desks, sent home at closing": (*BUSY_DESKS, "desks.closing=return_next_day"),
    # One desk, nobody leaves, demand set here (not the fitted value): the day's overtime runs past
    # midnight, into the horizon.
    "one desk, no reneging, no Saturday": ("desks.reneging=false", "desks.rule=fixed", "desks.fixed=1",
                                           "calendar.saturday_morning=false",
                                           "scenario.demand.records_per_1000_residents_per_day=1.2"),
    "earliest deadline first, thin staff": ("staff.order=edf", "staff.rule=fixed", "staff.fixed=2"),
    "daily approval cap": ("staff.approvals_per_day=4", "staff.deputies_per_department=1"),
    "cap with edf, sent home": ("staff.approvals_per_day=3", "staff.order=edf", *BUSY_DESKS,
                                "desks.closing=return_next_day"),
    "five departments, no pooling": ("structure=five_departments_urban", "staff.pooling=false"),
    "no back office": ("scenario.back_office=false",),
    # An opening stock enters the staff pools at the start, ahead of the period's records.
    "opening stock": (*STOCK,),
    "opening stock, overdue, edf, thin staff, papers": (*STOCK, "stock.age=uniform",
                                                        "stock.max_age_wd=40", "staff.order=edf", "staff.rule=fixed",
                                                        "staff.fixed=2", "scenario.supplement_share=0.3"),
    "opening stock, daily approval cap": (*STOCK, "stock.days_of_stock=10",
                                          "staff.approvals_per_day=3"),
    "opening stock, no back office": (*STOCK, "scenario.back_office=false"),
    # The stock waiting at the start counts in the first morning's backlog that decides overtime.
    "opening stock, overtime": (*STOCK, "stock.days_of_stock=15", *OVERTIME, "staff.rule=fixed",
                                "staff.fixed=3"),
    # Thin staff and a low threshold: some days with overtime, some without, work carried over both.
    "overtime, thin staff": (*OVERTIME, "staff.rule=fixed", "staff.fixed=2"),
    # Officers' time as it is spent: other duties and the counters' rota stretch the records'
    # effort, and overtime starts when the waiting work per officer exceeds the day.
    "overtime when the day's work exceeds it, other duties, counters' rota": (
        *FORMER_DEFAULT, "staff.overtime.enabled=true", "staff.overtime.trigger=work", "staff.overtime.threshold_days=1",
        "staff.rule=fixed", "staff.fixed=4", "staff.other_duties_share=0.3", "staff.desk_rota_share=0.5", *STOCK),
    "overtime on Saturdays, weekly limit, edf, approval cap": (
        *OVERTIME, "staff.rule=fixed", "staff.fixed=3", "staff.overtime.saturdays=true",
        "staff.overtime.max_hours_per_week=7", "staff.overtime.hours_per_day=2.5", "staff.order=edf",
        "staff.approvals_per_day=4", "structure=five_departments_urban", "staff.pooling=false"),
    # Officers help other departments (staff.borrow; not with overtime): thin staff so that queues
    # form, one pool idle while another's records wait; a third, a half or all of each pool's time.
    "borrowing, thin staff, opening stock": (*FORMER_DEFAULT, "staff.overtime.enabled=false", "staff.borrow.share=0.34",
                                             "staff.rule=fixed", "staff.fixed=3", *STOCK),
    "borrowing, edf, five departments, no pooling, approval cap": (
        "staff.overtime.enabled=false", "staff.borrow.share=0.5", "staff.order=edf", "structure=five_departments_urban",
        "staff.pooling=false", "scenario.effort_scale=2", "staff.approvals_per_day=6", *STOCK, "stock.age=uniform",
        "stock.max_age_wd=40", "scenario.supplement_share=0.3"),
    "borrowing, all their time, busy desks": ("staff.overtime.enabled=false", "staff.borrow.share=1", "staff.rule=fixed",
                                             "staff.fixed=2", *BUSY_DESKS),
    # Counters by field group, busy enough that free counters take from other groups' queues.
    "counter groups, when idle": ("desks.groups.enabled=true", "desks.rule=fixed", "desks.fixed=4",
                                  "desks.patience_minutes.mean=60"),
    "counter groups, strict, sent home": ("desks.groups.enabled=true", "desks.groups.take=strict", "desks.rule=fixed",
                                          "desks.fixed=5", "desks.patience_minutes.mean=45",
                                          "desks.closing=return_next_day"),
    # Fewer desks than groups: a group without a counter is served by any free one.
    "counter groups, fewer desks than groups": ("desks.groups.enabled=true", "desks.groups.take=strict", *BUSY_DESKS),
    # Land files capped at a few a day: citizens asked to come back, some again and again.
    "land intake cap": ("desks.land_intake.enabled=true", "desks.land_intake.specialists=1",
                        "desks.land_intake.per_specialist=3"),
    "land intake cap, groups, sent home": ("desks.land_intake.enabled=true", "desks.land_intake.specialists=1",
                                           "desks.land_intake.per_specialist=4", "desks.groups.enabled=true",
                                           *BUSY_DESKS, "desks.fixed=3", "desks.closing=return_next_day"),
    # Desk officers spend a share of their time on each record's back work.
    "other duties": ("desks.other_duties_share=0.4", *BUSY_DESKS),
    "other duties, groups, cap": ("desks.other_duties_share=0.25", "desks.groups.enabled=true", "desks.rule=fixed",
                                  "desks.fixed=4", "desks.land_intake.enabled=true",
                                  "desks.land_intake.per_specialist=5", "desks.land_intake.specialists=1"),
    # Desk-only visits queue with the submissions, give up, come back and are sent home like them.
    "desk visits, busy desks": (*VISITS, "desks.rule=fixed", "desks.fixed=2", "desks.patience_minutes.mean=40"),
    "desk visits, groups, cap, other duties, sent home": (
        *VISITS, "desks.visits.guidance.counter=general", "desks.groups.enabled=true", "desks.rule=fixed",
        "desks.fixed=4", "desks.patience_minutes.mean=45", "desks.closing=return_next_day",
        "desks.land_intake.enabled=true", "desks.land_intake.specialists=1", "desks.land_intake.per_specialist=4",
        "desks.other_duties_share=0.3"),
    # A branch of the City Centre: its own land-heavy mix, departments and desks (few records, cheap).
    "a City Centre branch": ("city.units=[soc_son,centre_branch_07]", "centre.records_per_day=400"),
    # The day as it starts (sim.engines.arrivals): citizens at the door before opening, who give up
    # there or are called at opening; after overtime the line has emptied, so they wait for opening.
    "door arrivals": ("scenario.demand.before_opening.share=0.3", *BUSY_DESKS),
    "door arrivals, patience from arrival": ("scenario.demand.before_opening.share=0.3",
                                             "scenario.demand.before_opening.patience_from=arrival", *BUSY_DESKS),
    "door arrivals, sent home, groups": ("scenario.demand.before_opening.share=0.25",
                                         "scenario.demand.before_opening.window_minutes=120", "desks.groups.enabled=true",
                                         "desks.rule=fixed", "desks.fixed=3", "desks.patience_minutes.mean=45",
                                         "desks.closing=return_next_day"),
    # Overtime past midnight meets the next morning's door arrivals.
    "door arrivals, one desk, no reneging": ("scenario.demand.before_opening.share=0.2", "desks.reneging=false",
                                             "desks.rule=fixed", "desks.fixed=1",
                                             "scenario.demand.records_per_1000_residents_per_day=1.2"),
    "door arrivals at a City Centre branch": ("city.units=[soc_son,centre_branch_01]", "centre.records_per_day=600",
                                              "scenario.demand.before_opening.centre_share=0.4",
                                              "scenario.demand.before_opening.share=0.1", "desks.patience_minutes.mean=90"),
    # Time-of-day profiles per counter group: land early, civil status late, with and without split counters.
    "hour profiles by group": ("desks.groups.enabled=true", "desks.rule=fixed", "desks.fixed=4",
                               "desks.patience_minutes.mean=60", f"+{LAND_EARLY}", f"+{CIVIL_LATE}"),
    "hour profiles, pooled desks, door": (f"+{LAND_EARLY}", "scenario.demand.before_opening.share=0.2", *BUSY_DESKS),
    # Queue numbers booked in advance (from the second week of the period): called first, or in line.
    "booked numbers first": (*BOOKING, *BUSY_DESKS, "scenario.demand.before_opening.share=0.2"),
    "booked numbers first, groups, sent home, cap": (*BOOKING, "desks.groups.enabled=true", "desks.rule=fixed",
                                                     "desks.fixed=3", "desks.patience_minutes.mean=40",
                                                     "desks.closing=return_next_day", "desks.land_intake.enabled=true",
                                                     "desks.land_intake.specialists=1",
                                                     "desks.land_intake.per_specialist=3", f"+{LAND_EARLY}"),
    "booked numbers in line": (*BOOKING, "desks.booking.serve=fifo", *BUSY_DESKS),
    # Everything at the desks at once: desk-only visits of records moved by the door and by booking
    # (their record's place changes when the in-person block is sorted again), counters by group.
    "desk visits, door arrivals, booked numbers, groups": (
        *VISITS, *BOOKING, "scenario.demand.before_opening.share=0.3", "desks.groups.enabled=true",
        "desks.rule=fixed", "desks.fixed=3", "desks.patience_minutes.mean=50", f"+{LAND_EARLY}",
        "desks.other_duties_share=0.2"),
}
OVERTIME_POLICIES = [name for name in POLICIES if name.startswith("overtime")]
BORROWING_POLICIES = [name for name in POLICIES if name.startswith("borrowing")]


# Plug-ins registered by this test as a user would (README, "Extending the engines"), beside the
# built-in ones: every registered queue order and closing rule must run the same in every engine.
def due_date_copy(receipt, due):
    """The built-in earliest deadline first, as a new array (it once froze the reference's order)."""
    return due.copy()


def least_time_in_hand(receipt, due):
    """Smallest time between receipt and due date first (reads both; a due moved by papers counts)."""
    return due - receipt


def keep_the_line(queue, now):
    """Those waiting at closing stay in line overnight: the desks stop, nobody is sent home."""
    return False


TEST_ORDERS = {"test_due_copy": due_date_copy, "test_least_time_in_hand": least_time_in_hand}
TEST_CLOSING_RULES = {"test_keep_the_line": keep_the_line}
# Thin staff, an overdue stock, missing papers, an approval cap and busy desks: the order matters at
# both stages and due dates move between them; the desks close with people in line.
PLUG_IN_POLICY = (*STOCK, "stock.age=uniform", "stock.max_age_wd=40", "staff.rule=fixed", "staff.fixed=2",
                  "scenario.supplement_share=0.3", "staff.approvals_per_day=4", *BUSY_DESKS)


def assert_engines_agree(outcomes) -> None:
    reference = outcomes[REFERENCE]
    for engine, outcome in outcomes.items():
        np.testing.assert_array_equal(outcome.stage, reference.stage, err_msg=engine)
        for name in ("receipt", "due", "done", "desk_start", "desk_end", "desk_wait", "abandoned_at",
                     "staff_busy", "approver_busy", "reviewed", "staff_overtime", "asked_to_return",
                     "return_visits"):
            np.testing.assert_allclose(getattr(outcome, name), getattr(reference, name), rtol=1e-9, atol=1e-6,
                                       err_msg=f"{engine}: {name}")
        for name in ("extra_kind", "extra_arrival", "extra_desk_start", "extra_desk_end", "extra_desk_wait",
                     "extra_abandoned_at"):  # desk-only visits, visit by visit
            np.testing.assert_allclose(getattr(outcome, name), getattr(reference, name), rtol=1e-9, atol=1e-6,
                                       err_msg=f"{engine}: {name}")
        for name in ("visit_enter", "visit_exit"):  # the same stays, logged in another order
            np.testing.assert_allclose(np.sort(getattr(outcome, name)), np.sort(getattr(reference, name)),
                                       rtol=1e-9, atol=1e-6, err_msg=f"{engine}: {name}")


def every_engine(*overrides: str):
    """For each unit: the workload, the calendar, the unit's plan and every engine's outcome by name."""
    scenario = scenario_from(UNITS, THREE_WEEKS, *overrides)
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    for position, plan in enumerate(scenario.units):
        workload = unit_workload(scenario, 0, position, calendar)
        args = (workload, calendar, plan.desk_plan, plan.organisation, scenario.desk_policy, scenario.back_office)
        yield workload, calendar, plan, {name: ENGINES.get(name)(*args) for name in ENGINES.names()}


@pytest.mark.parametrize("overrides", POLICIES.values(), ids=POLICIES.keys())
def test_every_engine_reproduces_the_simpy_reference(overrides):
    for *_, outcomes in every_engine(*overrides):
        assert_engines_agree(outcomes)


@pytest.mark.parametrize("name", (*QUEUE_ORDERS.names(), *TEST_ORDERS))
def test_every_registered_queue_order_runs_the_same_in_every_engine(name, monkeypatch):
    if name in TEST_ORDERS:
        monkeypatch.setitem(QUEUE_ORDERS._items, name, TEST_ORDERS[name])
    for *_, outcomes in every_engine(*PLUG_IN_POLICY, f"staff.order={name}"):
        assert_engines_agree(outcomes)


@pytest.mark.parametrize("name", (*CLOSING_RULES.names(), *TEST_CLOSING_RULES))
def test_every_registered_closing_rule_runs_the_same_in_every_engine(name, monkeypatch):
    if name in TEST_CLOSING_RULES:
        monkeypatch.setitem(CLOSING_RULES._items, name, TEST_CLOSING_RULES[name])
    for *_, outcomes in every_engine(*PLUG_IN_POLICY, f"desks.closing={name}"):
        assert_engines_agree(outcomes)


def test_a_queue_order_registered_anew_is_the_built_in_one_it_copies(monkeypatch):
    """An order returning a copy of the due dates is earliest deadline first: the same outcome."""
    monkeypatch.setitem(QUEUE_ORDERS._items, "test_due_copy", due_date_copy)
    copied = [outcomes for *_, outcomes in every_engine(*PLUG_IN_POLICY, "staff.order=test_due_copy")]
    built_in = [outcomes for *_, outcomes in every_engine(*PLUG_IN_POLICY, "staff.order=edf")]
    for a, b in zip(copied, built_in):
        for engine in ENGINES.names():
            np.testing.assert_array_equal(a[engine].done, b[engine].done, err_msg=engine)


def check_contract(outcome, workload, calendar, plan) -> None:
    """The invariants the engine contract states, on one outcome."""
    # the opening stock filed in person came to no desk in the period: received at its arrival, at or before 0
    n, horizon, in_person = len(workload), calendar.horizon, (workload.channel == 0) & ~workload.opening
    for name in ("stage", "receipt", "due", "done", "desk_start", "desk_end", "desk_wait", "abandoned_at"):
        assert len(getattr(outcome, name)) == n, name
    assert len(outcome.staff_busy) == len(plan.organisation.pool_staff)
    assert len(outcome.approver_busy) == len(plan.organisation.approvers)
    assert set(np.unique(outcome.stage)) <= {DONE, ABANDONED, *IN_PROCESS_STAGES}
    for name in ("receipt", "done", "desk_start", "desk_end", "abandoned_at"):
        times = getattr(outcome, name)
        assert not (times >= horizon).any(), f"{name} at or after the horizon"
    # Received on arrival if remote, at the end of desk service if in person (SimPy's clock adds rounding).
    np.testing.assert_allclose(outcome.receipt[~in_person], workload.arrival[~in_person], rtol=1e-12)
    np.testing.assert_array_equal(outcome.receipt[in_person], outcome.desk_end[in_person])
    served = in_person & ~np.isnan(outcome.desk_start)
    assert (outcome.desk_start[served] >= workload.arrival[served] - 1e-9).all()
    np.testing.assert_array_equal(outcome.stage == DONE, ~np.isnan(outcome.done))
    np.testing.assert_array_equal(outcome.stage == ABANDONED, ~np.isnan(outcome.abandoned_at))
    received = ~np.isnan(outcome.receipt)
    assert (outcome.done[received] >= outcome.receipt[received]).all(where=~np.isnan(outcome.done[received]))
    assert not np.isin(outcome.stage[received], (DESK_QUEUE, AT_DESK, AWAY, ABANDONED)).any()
    assert (outcome.visit_exit >= outcome.visit_enter).all() and (outcome.visit_exit <= horizon).all()
    assert (outcome.staff_busy >= 0).all() and (outcome.approver_busy >= 0).all()
    assert len(outcome.staff_overtime) == len(plan.organisation.pool_staff) and (outcome.staff_overtime >= 0).all()
    # desk-only visits: one entry per visit drawn; served only once made, never at or after the horizon
    extra = 0 if workload.visits is None else len(workload.visits)
    for name in ("extra_kind", "extra_arrival", "extra_desk_start", "extra_desk_end", "extra_desk_wait",
                 "extra_abandoned_at"):
        assert len(getattr(outcome, name)) == extra, name
    served = ~np.isnan(outcome.extra_desk_start)
    assert (outcome.extra_desk_start[served] >= outcome.extra_arrival[served] - 1e-9).all()
    for name in ("extra_arrival", "extra_desk_start", "extra_desk_end", "extra_abandoned_at"):
        assert not (getattr(outcome, name) >= horizon).any(), name
    assert np.isnan(outcome.extra_desk_start[np.isnan(outcome.extra_arrival)]).all()


CONTRACT_POLICIES = ("cap with edf, sent home", "no back office", "opening stock, overdue, edf, thin staff, papers",
                     "overtime, thin staff", "desk visits, groups, cap, other duties, sent home")


@pytest.mark.parametrize("overrides", [POLICIES[name] for name in CONTRACT_POLICIES], ids=CONTRACT_POLICIES)
def test_every_engine_meets_the_contract(overrides):
    for workload, calendar, plan, outcomes in every_engine(*overrides):
        for outcome in outcomes.values():
            check_contract(outcome, workload, calendar, plan)


def test_the_comparison_covers_every_outcome_class():
    """The policies above are only a check if records end in every stage somewhere."""
    stages, stock_stages = set(), set()
    for overrides in POLICIES.values():
        for workload, _, _, outcomes in every_engine(*overrides):
            stages.update(np.unique(outcomes[REFERENCE].stage).tolist())
            stock_stages.update(np.unique(outcomes[REFERENCE].stage[workload.opening]).tolist())
    assert {DESK_QUEUE, AT_DESK, AWAY, BACK_OFFICE, DONE, ABANDONED} <= stages
    # the opening stock is finished within the period, or still in process at its end, somewhere
    assert {BACK_OFFICE, DONE} <= stock_stages


@pytest.mark.parametrize("name", OVERTIME_POLICIES)
def test_the_overtime_policies_compare_days_with_and_without_overtime(name):
    """The overtime comparison is only a check if a pool stays late on some days and not on others."""
    mixed = 0
    for _, calendar, plan, outcomes in every_engine(*POLICIES[name]):
        overtime = outcomes[REFERENCE].staff_overtime
        every_day = np.asarray(plan.organisation.pool_staff) * 150 * calendar.is_working_day[:calendar.days].sum()
        mixed += ((overtime > 0) & (overtime < every_day)).sum()
    assert mixed > 0


@pytest.mark.parametrize("name", BORROWING_POLICIES)
def test_the_borrowing_policies_compare_officers_helping_other_departments(name):
    """The borrowing comparison is only a check if lending changes when records are reviewed."""
    without = [o[REFERENCE].reviewed for *_, o in every_engine(*POLICIES[name], "staff.borrow.share=0")]
    with_ = [o[REFERENCE].reviewed for *_, o in every_engine(*POLICIES[name])]
    assert any(not np.array_equal(a, b, equal_nan=True) for a, b in zip(with_, without))


def test_engine_is_chosen_by_config_among_the_registered_ones():
    assert set(ENGINES.names()) >= {"fast", REFERENCE}
    assert scenario_from(UNITS).engine == "fast"
    assert scenario_from(UNITS, "engine=simpy").engine == "simpy"
    with pytest.raises(ConfigError, match="choose one of " + ", ".join(ENGINES.names())):
        scenario_from(UNITS, "engine=quantum")


def test_the_counter_policies_exercise_what_they_compare():
    """The counter policies above are only a check if citizens are turned away and come back, if
    free counters do take from other groups' queues, and if other duties slow the desks."""
    asked = returned = asked_twice = 0
    for name in ("land intake cap", "land intake cap, groups, sent home", "other duties, groups, cap"):
        for *_, outcomes in every_engine(*POLICIES[name]):
            reference = outcomes[REFERENCE]
            asked += reference.asked_to_return.sum()
            returned += reference.return_visits.sum()
            asked_twice += (reference.asked_to_return > 1).sum()
    assert asked > 0 and returned > 0 and asked_twice > 0

    def waits(*overrides):
        return [outcomes[REFERENCE].desk_start for *_, outcomes in every_engine(*overrides)]

    def differ(a, b):
        return any(not np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b))

    when_idle = POLICIES["counter groups, when idle"]
    assert differ(waits(*when_idle), waits(*when_idle, "desks.groups.take=strict"))  # counters took others' citizens
    assert differ(waits(*when_idle), waits(*when_idle, "desks.groups.enabled=false"))  # groups are not one line
    duties = POLICIES["other duties"]
    assert differ(waits(*duties), waits(*duties, "desks.other_duties_share=0"))


def test_the_cyclic_collector_is_paused_only_while_a_unit_is_simulated(monkeypatch):
    """run_unit pauses Python's cyclic garbage collector for the simulation and restores it after,
    also when the simulation fails, and leaves it off if it was off."""
    scenario = scenario_from("city.units=[hoan_kiem]", "period.end=2025-07-07")
    seen = []
    simulate = runner.simulate_records

    def watched(*args):
        seen.append(gc.isenabled())
        return simulate(*args)

    monkeypatch.setattr(runner, "simulate_records", watched)
    assert gc.isenabled()
    runner.run_unit(scenario, 0, 0)
    assert seen == [False] and gc.isenabled()

    def failing(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "simulate_records", failing)
    with pytest.raises(KeyboardInterrupt):
        runner.run_unit(scenario, 0, 0)
    assert gc.isenabled()
    gc.disable()
    try:
        monkeypatch.setattr(runner, "simulate_records", watched)
        runner.run_unit(scenario, 0, 0)
        assert not gc.isenabled()
    finally:
        gc.enable()
