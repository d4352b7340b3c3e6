"""Starting from a state: the opening stock from its three sources (the handover rule, a table, the
snapshot of an earlier run), counted exactly, and leaving the period's own records untouched."""

import gzip

import numpy as np
import pytest

import sim
from sim.analysis.kpis import KPIS, unit_kpis
from sim.analysis.unit_counts import COUNTS, DEPARTMENT_COUNTS
from sim.engines.contract import ENGINES
from sim.engines.outcome import BACK_OFFICE
from sim.engines.streams import STOCK_STREAMS, STREAMS
from sim.errors import ConfigError
from sim.experiments.runner import calendar_for, simulate_records, unit_workload
from tests.conftest import scenario_from, simulate

UNIT = "city.units=[ba_dinh]"
TEN_DAYS = "period.end=2025-07-10"
# The handover rule at its schema sizes (the calibrated scenario fits them, near 0 at present)
HANDOVER = ("stock.source=handover", "stock.days_of_stock=5", "stock.centre_days_of_stock=5")


def counts(result) -> dict:
    return dict(zip(COUNTS, result.counts))


@pytest.mark.parametrize("engine", ["fast", "simpy"])
def test_stock_plus_received_is_processed_plus_in_process_plus_abandoned(engine):
    """Exactly, per unit and replication, with the stock on and citizens giving up at the desk."""
    _, results = simulate("city.units=[ba_dinh,soc_son]", TEN_DAYS, *HANDOVER, "replications=2", f"engine={engine}",
                          "desks.rule=fixed", "desks.fixed=1", "desks.patience_minutes.mean=30", "stock.age=uniform")
    for replication in results:
        for r in replication:
            c = counts(r)
            assert c["opening_stock"] > 0 and c["abandoned"] > 0
            assert c["opening_stock"] + c["received"] == c["processed"] + c["in_process"] + c["abandoned"]
            # the reported cohort: records received in the period only
            assert c["reported_processed"] + c["reported_in_process"] + c["abandoned"] == c["received"]
            assert c["reported_processed"] < c["processed"]
            departments = dict(zip(DEPARTMENT_COUNTS, r.departments.sum(axis=0)))
            assert departments["opening_stock"] == c["opening_stock"]
            assert departments["received"] == c["received"]
            # the daily backlog starts from the stock and ends at the records in process
            assert r.daily[-1, 3] == c["in_process"]


def test_the_handover_stock_is_sized_aged_and_due_by_its_rule():
    scenario = scenario_from(UNIT, TEN_DAYS, *HANDOVER, "stock.days_of_stock=4", "stock.max_age_wd=15")
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    w = unit_workload(scenario, 0, 0, calendar)
    stock = w.opening
    assert stock.sum() == round(scenario.units[0].records_per_day * 4)
    assert not stock[: w.n_arriving].any() and stock[w.n_arriving:].all()
    assert (w.arrival[stock] <= 0).all() and (w.arrival[stock] >= -15 * 7 / 5 * 1440).all()
    assert (np.diff(w.arrival[stock]) >= 0).all()  # in the order they queue in: first received first
    # within their deadline: none is overdue at the start
    assert (w.opening_due[stock] >= 0).all()
    same_day = w.deadline_wd[stock] == 0
    assert (w.arrival[stock][same_day] == 0).all()
    # deadline-weighted mix: long procedures are more common in the stock than in the period's demand
    assert w.deadline_wd[stock].mean() > w.deadline_wd[~stock].mean()


def test_adding_a_stock_changes_no_record_of_the_period():
    without = scenario_from(UNIT, TEN_DAYS)
    with_stock = scenario_from(UNIT, TEN_DAYS, *HANDOVER)
    calendar = calendar_for(without.calendar, without.start, without.days)
    a, b = unit_workload(without, 1, 0, calendar), unit_workload(with_stock, 1, 0, calendar)
    assert len(a) == b.n_arriving < len(b)
    for name in ("arrival", "channel", "procedure", "desk_minutes", "patience_minutes", "effort_minutes",
                 "lag_minutes", "paused_wd", "approval_minutes"):
        np.testing.assert_array_equal(getattr(b, name)[: len(a)], getattr(a, name), err_msg=name)
    assert not set(STOCK_STREAMS) & set(STREAMS) and all(name.startswith("stock.") for name in STOCK_STREAMS)
    # ... while the stock, ahead of them in the queues, delays the period's records
    _, _, first = simulate_records(without, 1, 0)
    _, _, second = simulate_records(with_stock, 1, 0)
    assert np.nansum(second.done[: len(a)] - first.done) > 0 or np.isnan(second.done[: len(a)]).sum() > \
        np.isnan(first.done).sum()


def test_without_stock_the_reported_cohort_is_every_record():
    _, results = simulate(UNIT, TEN_DAYS)
    k = unit_kpis(results[0][0])
    assert k["opening_stock"] == 0
    assert (k["reported_processed"], k["reported_in_process"]) == (k["processed"], k["in_process"])
    assert k["reported_on_time_pct"] == k["on_time_pct"]
    for name in ("opening_stock", "reported_processed", "reported_on_time_pct", "reported_in_process"):
        assert name in KPIS and KPIS[name].description


def write_table(path, rows, header="slug,procedure,department,received,due,remaining_effort_minutes,count"):
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return str(path)


def test_a_stock_table_gives_each_record_its_procedure_dates_and_effort(tmp_path):
    scenario = scenario_from(UNIT, TEN_DAYS)
    procedure = scenario.procedures[0].name
    department = scenario.units[0].organisation.structure.department_names[-1]
    table = write_table(tmp_path / "stock.csv", [
        f"ba_dinh,{procedure},,2025-06-20,2025-07-03,90,3",  # three records, due in the period
        f"ba_dinh,,{department},2025-06-02T09:30,2025-06-25,,",  # overdue; procedure drawn in its department
        f"hoan_kiem,{procedure},,2025-06-20,2025-07-03,,2",  # a unit not in this run
    ])
    scenario = scenario_from(UNIT, TEN_DAYS, "stock.source=table", f"stock.path={table}")
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    w = unit_workload(scenario, 0, 0, calendar)
    stock = np.flatnonzero(w.opening)
    assert len(stock) == 4
    first = stock[0]  # sorted by receipt: the overdue record, 2 June 09:30, 29 days before the start
    assert w.arrival[first] == -(29 * 1440) + 9.5 * 60
    assert w.opening_due[first] == -(6 * 1440) + 17 * 60  # close of business on 25 June
    assert w.department[first] == len(scenario.units[0].organisation.structure.department_names) - 1
    np.testing.assert_array_equal(w.effort_minutes[stock[1:]], 90.0)
    np.testing.assert_array_equal(w.opening_due[stock[1:]], 2 * 1440 + 17 * 60)
    assert (w.procedure[stock[1:]] == 0).all()
    # the overdue record counts as overdue, in process or finished late
    _, results = simulate(UNIT, TEN_DAYS, "stock.source=table", f"stock.path={table}")
    c = counts(results[0][0])
    assert c["opening_stock"] == 4
    assert c["processed"] - c["processed_on_time"] + c["in_process_overdue"] >= 1


@pytest.mark.parametrize("row, column", [
    ("ba_dinh,no_such_procedure,,2025-06-20,2025-07-03,,", "procedure"),
    ("ba_dinh,,no_such_department,2025-06-20,2025-07-03,,", "department"),
    ("ba_dinh,,,2025-06-20,2025-07-03,,", "procedure"),
    ("ba_dinh,{procedure},,20/06/2025,2025-07-03,,", "received"),
    ("ba_dinh,{procedure},,2025-07-05,2025-07-08,,", "received"),  # after the start
    ("ba_dinh,{procedure},,2025-06-20,2025-06-01,,", "due"),  # before its receipt
    ("ba_dinh,{procedure},,2025-06-20,2025-07-03,-5,", "remaining_effort_minutes"),
    ("ba_dinh,{procedure},,2025-06-20,2025-07-03,,2.5", "count"),
])
def test_a_bad_table_row_is_refused_naming_file_line_and_column(tmp_path, row, column):
    procedure = scenario_from(UNIT, TEN_DAYS).procedures[0].name
    table = write_table(tmp_path / "stock.csv", [f"ba_dinh,{procedure},,2025-06-20,2025-07-03,,",
                                                 row.format(procedure=procedure)])
    with pytest.raises(ConfigError) as error:
        scenario_from(UNIT, TEN_DAYS, "stock.source=table", f"stock.path={table}")
    assert error.value.key == "stock.path"
    assert str(error.value).startswith("stock.path: ") and "\n" not in str(error.value)
    assert f"{table}: line 3: column {column}:" in str(error.value)


def test_a_table_without_a_needed_column_or_file_is_refused(tmp_path):
    table = write_table(tmp_path / "stock.csv", ["ba_dinh,2025-06-20"], header="slug,received")
    with pytest.raises(ConfigError, match="line 1: missing column 'due'"):
        scenario_from(UNIT, TEN_DAYS, "stock.source=table", f"stock.path={table}")
    with pytest.raises(ConfigError, match="no such file"):
        scenario_from(UNIT, TEN_DAYS, "stock.source=table", f"stock.path={tmp_path / 'nope.csv'}")
    with pytest.raises(ConfigError, match="needs the file"):
        scenario_from(UNIT, TEN_DAYS, "stock.source=table")
    with pytest.raises(ConfigError, match="choose one of none, handover, table, snapshot"):
        scenario_from(UNIT, TEN_DAYS, "stock.source=guess")
    with pytest.raises(ConfigError, match="stock.days_of_stock"):
        scenario_from(UNIT, TEN_DAYS, *HANDOVER, "stock.days_of_stock=-1")


def test_a_later_run_starts_from_the_snapshot_of_an_earlier_one(tmp_path):
    """The records in process at the end of 1-10 July are the opening stock of 11-20 July, replication
    by replication, with their due dates; the engines agree on them record by record."""
    first = sim.run(sim.load_config(UNIT, TEN_DAYS, *HANDOVER, "replications=2", "stock.save_snapshot=true",
                                    "scenario.supplement_share=0.4", "staff.rule=fixed", "staff.fixed=2"))
    folder = first.save(tmp_path / "first")
    snapshot = folder / "snapshot.csv.gz"
    assert snapshot.is_file() and (folder / "summary.json").is_file()
    with gzip.open(snapshot, "rt", encoding="utf-8-sig") as handle:
        assert handle.readline().strip().split(",")[-1] == "as_of"

    later = ("period.start=2025-07-11", "period.end=2025-07-20", "stock.source=snapshot", f"stock.path={snapshot}",
             "scenario.supplement_share=0.4", "staff.rule=fixed", "staff.fixed=2")
    scenario = sim.build_scenario(sim.load_config(UNIT, "replications=2", *later))
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    stages = set()
    for replication in range(2):
        old_calendar, _, old = simulate_records(first.scenario, replication, 0)
        carried = old.stage == BACK_OFFICE
        w = unit_workload(scenario, replication, 0, calendar)
        assert w.opening.sum() == carried.sum() > 0
        shift = old_calendar.horizon  # 00:00 on 11 July in the first run's minutes
        np.testing.assert_allclose(np.sort(w.opening_due[w.opening]), np.sort(old.due[carried] - shift), atol=1e-3)
        np.testing.assert_allclose(np.sort(w.arrival[w.opening]), np.sort(old.receipt[carried] - shift), atol=1e-3)
        stages.update(w.opening_reviewed[w.opening].tolist())
        plan = scenario.units[0]
        args = (w, calendar, plan.desk_plan, plan.organisation, scenario.desk_policy, scenario.back_office)
        fast, reference = ENGINES.get("fast")(*args), ENGINES.get("simpy")(*args)
        np.testing.assert_array_equal(fast.stage, reference.stage)
        for name in ("receipt", "due", "done", "reviewed", "staff_busy", "approver_busy"):
            np.testing.assert_allclose(getattr(fast, name), getattr(reference, name), rtol=1e-9, atol=1e-6,
                                       err_msg=name)
    assert stages == {False, True}  # records with the officers and records past them both carried

    with pytest.raises(ConfigError, match="period.start: 2025-07-10 is before the state"):
        sim.load_config(UNIT, "period.start=2025-07-10", "period.end=2025-07-20", "stock.source=snapshot",
                        f"stock.path={snapshot}")


def test_a_run_that_kept_no_closing_stock_cannot_save_a_snapshot(tmp_path):
    result = sim.run(sim.load_config(UNIT, "period.end=2025-07-02", "replications=1"))
    with pytest.raises(ValueError, match="stock.save_snapshot=true"):
        result.save(tmp_path / "run", snapshot=True)


def test_a_bad_stock_table_stops_the_command_line_with_one_line(cli, tmp_path):
    table = write_table(tmp_path / "stock.csv", ["ba_dinh,nothing,,2025-06-20,2025-07-03,,"])
    done = cli(UNIT, TEN_DAYS, "stock.source=table", f"stock.path={table}", "replications=1")
    assert done.returncode == 2
    assert done.stderr.strip() == (f"sim: error: stock.path: {table}: line 2: column procedure: unknown procedure "
                                   f"'nothing' (procedures: " + done.stderr.split("(procedures: ")[1].strip())
    assert "Traceback" not in done.stderr and not list(tmp_path.glob("results/*/summary.json"))


SNAPSHOT_HEADER = ("replication,slug,procedure,channel,stage,received,due,remaining_effort_minutes,remaining_wait_wd,"
                   "pending_papers_wd,as_of")
AFTER_THE_STATE = ("period.start=2025-07-11", "period.end=2025-07-20", "stock.source=snapshot")


def write_snapshot(path, rows: list[str], as_of: str = "2025-07-11", copies: int = 1) -> str:
    """A snapshot file as a run writes it (gzip CSV), each row ``copies`` times."""
    lines = [SNAPSHOT_HEADER] + [f"{row},{as_of}" for row in rows for _ in range(copies)]
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return str(path)


@pytest.mark.parametrize("row, column", [
    ("0,ba_dinh,{procedure},online,staff,2025-07-12T09:00:00,2025-07-20T17:00:00,30,0,0", "received"),  # after as_of
    ("0,ba_dinh,{procedure},online,staff,2025-07-02T09:00:00,2025-07-01T17:00:00,30,0,0", "due"),  # before receipt
    ("0,ba_dinh,no_such_procedure,online,staff,2025-07-02T09:00:00,2025-07-20T17:00:00,30,0,0", "procedure"),
    ("0,ba_dinh,,online,staff,2025-07-02T09:00:00,2025-07-20T17:00:00,30,0,0", "procedure"),
])
def test_a_bad_snapshot_row_is_refused_as_a_table_row_is(tmp_path, row, column):
    """A snapshot's rows pass the checks of a table's: known procedure, received no later than the
    state (00:00 on as_of), due no earlier than received."""
    procedure = scenario_from(UNIT, TEN_DAYS).procedures[0].name
    good = f"0,ba_dinh,{procedure},online,staff,2025-07-02T09:00:00,2025-07-20T17:00:00,30,0,0"
    path = write_snapshot(tmp_path / "snapshot.csv.gz", [good, row.format(procedure=procedure)])
    with pytest.raises(ConfigError) as error:
        scenario_from(UNIT, *AFTER_THE_STATE, f"stock.path={path}")
    assert error.value.key == "stock.path" and "\n" not in str(error.value)
    assert f"{path}: line 3: column {column}:" in str(error.value)


def test_a_snapshot_row_received_before_its_state_and_due_after_it_is_taken(tmp_path):
    procedure = scenario_from(UNIT, TEN_DAYS).procedures[0].name
    rows = [f"0,ba_dinh,{procedure},online,staff,2025-07-02T09:00:00,2025-07-20T17:00:00,30,0,0",
            f"0,ba_dinh,{procedure},post,staff,2025-07-11T00:00:00,2025-07-11T00:00:00,30,0,0"]  # at the state
    scenario = scenario_from(UNIT, *AFTER_THE_STATE, f"stock.path={write_snapshot(tmp_path / 'ok.csv.gz', rows)}")
    assert len(scenario.stock.given_for("ba_dinh", 0)) == 2


def test_a_corrupt_compressed_snapshot_stops_the_command_line_with_one_line(cli, tmp_path):
    procedure = scenario_from(UNIT, TEN_DAYS).procedures[0].name
    path = tmp_path / "snapshot.csv.gz"
    write_snapshot(path, [f"0,ba_dinh,{procedure},online,staff,2025-07-02T09:00:00,2025-07-20T17:00:00,30,0,0"],
                   copies=500)
    data = bytearray(path.read_bytes())
    data[40:80] = bytes(b ^ 0x5A for b in data[40:80])  # the compressed stream, not the gzip header
    path.write_bytes(bytes(data))
    done = cli(UNIT, *AFTER_THE_STATE, f"stock.path={path}", "replications=1")
    assert done.returncode == 2
    assert done.stderr.startswith(f"sim: error: stock.path: {path}: ") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr and not (tmp_path / "results").exists()
