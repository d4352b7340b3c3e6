"""KPIs: exact desk-wait quantiles, an on-time share that does not reward turning citizens away,
and the busiest department beside a unit's mean utilisation."""

import numpy as np
import pytest

from sim.analysis.kpis import KPI_NAMES, kpis, pooled_kpis
from sim.analysis.summary import BUSY_UTILISATION, summarise
from sim.analysis.unit_counts import COUNTS, UnitResult
from tests.conftest import FORMER_DEFAULT, simulate


def counts(**given) -> np.ndarray:
    return np.array([float(given.get(name, 0)) for name in COUNTS])


def unit(waits, **given) -> UnitResult:
    waits = np.asarray(waits, dtype=np.float32)
    return UnitResult(0, 0, counts(served_at_desk=len(waits), desk_wait_sum=float(waits.sum()), **given), waits,
                      np.zeros((1, 10)), np.zeros((1, 5)))


def test_p90_is_zero_when_more_than_nine_in_ten_did_not_wait():
    # 92 of 100 served at once, 8 waited 0.7-12 minutes: 0.5-minute bins interpolated this to about 0.4
    waits = np.r_[np.zeros(92), np.linspace(0.7, 12, 8)]
    k = kpis(unit(waits).counts, unit(waits).waits)
    assert k["desk_wait_p90_min"] == 0.0 and k["desk_wait_median_min"] == 0.0
    assert k["desk_wait_p95_min"] > 0


def test_quantiles_are_the_exact_quantiles_of_the_pooled_waits():
    rng = np.random.default_rng(7)
    a, b = rng.exponential(4.0, 1001).astype(np.float32), rng.exponential(9.0, 333).astype(np.float32)
    pooled = pooled_kpis([unit(a), unit(b)])
    both = np.concatenate([a, b])
    for name, q in (("desk_wait_median_min", 0.5), ("desk_wait_p90_min", 0.9), ("desk_wait_p95_min", 0.95)):
        assert pooled[name] == float(np.quantile(both, q, method="inverted_cdf")), name
        assert pooled[name] in both  # a wait some citizen had
    assert np.isnan(kpis(counts(), np.zeros(0, dtype=np.float32))["desk_wait_p90_min"])


def test_served_waits_are_kept_small_and_exact():
    _, results = simulate("city.units=[hoan_kiem]", "replications=1", "period.end=2025-07-10", "progress=false")
    r = results[0][0]
    c = dict(zip(COUNTS, r.counts))
    assert r.waits.dtype == np.float32 and len(r.waits) == c["served_at_desk"]
    assert float(r.waits.sum(dtype=np.float64)) == pytest.approx(c["desk_wait_sum"], rel=1e-5)
    assert r.waits.nbytes == 4 * len(r.waits)  # ~0.8 MB for a city replication's ~210,000 served citizens


def test_known_outcomes_add_up_to_100_percent():
    c = counts(received=1000, processed=700, processed_on_time=650, in_process=250, in_process_overdue=30,
               abandoned=50, served_at_desk=1)
    k = kpis(c, np.zeros(1, dtype=np.float32))
    assert set(k) == set(KPI_NAMES)
    known = 700 + 50 + 30  # finished, abandoned, overdue in process; the 220 not yet due are left out
    assert k["on_time_of_received_pct"] == pytest.approx(100 * 650 / known)
    assert k["abandoned_of_received_pct"] == pytest.approx(100 * 50 / known)
    assert k["overdue"] == 50 + 30
    late = 100 * (700 - 650 + 30) / known
    assert k["on_time_of_received_pct"] + k["abandoned_of_received_pct"] + late == pytest.approx(100)


def test_fewer_desks_never_raise_the_on_time_share_of_records_received():
    """With one or two desks citizens give up and never reach the back office: the share over
    processed records then rises as desks fall, the share over records received does not. Six
    officers a department leave some records late, so that the share over processed can move; the
    back office is kept short of overload (catalogue effort, no overtime, no stock, demand fixed
    here): overloaded, a citizen turned away at the desk does relieve those behind, and the share
    over received can then rise a little as desks fall (README, "What a run writes")."""
    by_desks = {}
    for desks in (1, 2, 3, 4):
        _, results = simulate("city.units=[hoan_kiem]", "replications=2", "period.end=2025-07-10",
                              "desks.rule=fixed", f"desks.fixed={desks}", "staff.rule=fixed", "staff.fixed=6",
                              "scenario.demand.records_per_1000_residents_per_day=0.96",  # not the fitted value
                              "progress=false", *FORMER_DEFAULT, "scenario.effort_scale=1.0",
                              "staff.overtime.enabled=false", "stock.source=none")
        by_desks[desks] = [pooled_kpis(rep) for rep in results]  # same seeds: replication r shares its citizens
    assert by_desks[1][0]["abandoned"] > 50  # the case does turn citizens away
    for rep in range(2):
        received = [by_desks[d][rep]["on_time_of_received_pct"] for d in (1, 2, 3, 4)]
        abandoned = [by_desks[d][rep]["abandoned_of_received_pct"] for d in (1, 2, 3, 4)]
        assert all(a <= b for a, b in zip(received, received[1:])), received
        assert all(a >= b for a, b in zip(abandoned, abandoned[1:])), abandoned
    processed = [[by_desks[d][rep]["on_time_pct"] for d in (1, 2, 3, 4)] for rep in range(2)]
    assert any(a > b for p in processed for a, b in zip(p, p[1:])), processed  # the old share does reward it


def test_busiest_department_is_reported_beside_the_mean():
    scenario, results = simulate("city.units=[ba_dinh,hoan_kiem]", "replications=2", "period.end=2025-07-15",
                                 "+staff.per_unit.ba_dinh={economic:1}", "progress=false")
    run = summarise(scenario, results)
    units = run.units.set_index("slug")
    departments = run.departments
    for slug, row in units.iterrows():
        own = departments[departments["slug"] == slug].set_index("department")["staff_utilisation"]
        assert row["staff_utilisation_max"] == own.max() and row["busiest_department"] == own.idxmax()
        assert row["staff_utilisation_max"] >= row["staff_utilisation"]
    ba_dinh = units.loc["ba_dinh"]
    assert ba_dinh["busiest_department"] == "economic" and ba_dinh["staff_utilisation_max"] > BUSY_UTILISATION
    assert ba_dinh["staff_utilisation"] < ba_dinh["staff_utilisation_max"] - 0.2  # the mean hides it
    busy = run.summary["busy_departments"]
    assert busy["count"] == int((departments["staff_utilisation"] > BUSY_UTILISATION).sum()) >= 1
    assert {"slug": "ba_dinh", "department": "economic"}.items() <= busy["departments"][0].items()


def test_sweep_heatmaps_use_a_fixed_share_scale_and_the_jobs_targets(tmp_path):
    import pandas as pd
    import yaml

    from sim.outputs.sweep_plots import _norm, _targets

    for job, target in (("a", 90.0), ("b", 90.0)):
        (tmp_path / job / ".hydra").mkdir(parents=True)
        (tmp_path / job / ".hydra" / "config.yaml").write_text(
            yaml.safe_dump({"report": {"on_time_target_pct": target}, "desks": {"wait_target_minutes": 20}}))
    targets = _targets(tmp_path, pd.DataFrame({"job": ["a", "b"]}))
    assert targets == {"on_time_of_received_pct": 90.0, "desk_wait_p90_min": 20.0}
    for values in (np.array([96.0, 99.5]), np.array([40.0, 60.0])):  # same colours whatever the sweep found
        norm = _norm("on_time_of_received_pct", values, targets["on_time_of_received_pct"])
        assert (norm.vmin, norm.vmax, norm(90.0)) == (0.0, 100.0, 0.5)
    abandoned = _norm("abandoned_of_received_pct", np.array([0.1, 0.3]), None)
    assert (abandoned.vmin, abandoned.vmax) == (0.0, 100.0)
