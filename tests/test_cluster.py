"""backend=dask (sim.experiments.cluster): a run on a Dask cluster gives the local run's results bit
for bit, whatever the number of workers; a task lost with its worker is run again; a task that
fails is one line; bad settings are refused in one line. The cluster is a local one this module
starts itself (127.0.0.1, two worker processes, no dashboard) and stops."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

from sim.analysis.summary import summarise  # noqa: E402
from sim.errors import ConfigError, TaskError  # noqa: E402
from sim.experiments import cluster  # noqa: E402
from sim.experiments.runner import run_scenario  # noqa: E402
from tests.conftest import run_module, scenario_from  # noqa: E402

SMALL = ("city.units=[ba_dinh,hoan_kiem,soc_son]", "centre.enabled=false", "period.end=2025-07-12",
         "replications=2")


@pytest.fixture(scope="module")
def dask_cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, scheduler_kwargs=cluster.QUIET_SCHEDULER) as local:
        try:
            yield local
        finally:
            cluster.close()  # the client the runs made, before its scheduler goes


def _tables(scenario, results):
    run = summarise(scenario, results)
    return run.summary, run.units, run.departments, run.daily, run.waits


def _assert_same(ours, theirs):
    summary, units, departments, daily, waits = ours
    assert json.dumps(summary, sort_keys=True, default=str) == json.dumps(theirs[0], sort_keys=True, default=str)
    for mine, other in zip((units, departments, daily), theirs[1:4]):
        pd.testing.assert_frame_equal(mine, other, check_exact=True)
    assert np.array_equal(waits, theirs[4])


def test_dask_gives_the_local_results_bit_for_bit(dask_cluster):
    local = scenario_from(*SMALL)
    expected = _tables(local, run_scenario(local, workers=1, progress=False))
    on_cluster = dataclasses.replace(local, backend="dask", cluster_address=dask_cluster.scheduler_address)
    _assert_same(_tables(local, run_scenario(on_cluster, progress=False)), expected)
    # and so does the local backend with two processes (batches spread otherwise)
    _assert_same(_tables(local, run_scenario(local, workers=2, progress=False)), expected)
    assert expected[0]["units"] == 3 and expected[1]["received"].min() > 0  # a run with records, not an empty one


def test_a_local_dask_cluster_of_the_commands_own(tmp_path):
    """cluster_address empty: the command starts its own cluster of `workers` processes, and the CLI
    writes the same files as the local backend."""
    folders = {}
    for backend in ("local", "dask"):
        folders[backend] = tmp_path / backend
        done = run_module("sim", *SMALL, "workers=2", f"backend={backend}", "progress=false",
                          f"hydra.run.dir={folders[backend]}", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "distributed" not in done.stdout + done.stderr  # the cluster's logging kept quiet
    for name in ("summary.json", "units.csv", "departments.csv", "daily.csv"):
        assert (folders["local"] / name).read_bytes() == (folders["dask"] / name).read_bytes(), name


def _fails(scenario, batch):
    raise RuntimeError(f"no good\nat all ({len(batch)} tasks)")


def _dies_once(marker: str, batch):
    """Kills its worker process the first time it runs anywhere, then returns its batch."""
    if not os.path.exists(marker):
        Path(marker).write_text("died")
        os._exit(1)
    return batch


def test_a_task_lost_with_its_worker_is_run_again(dask_cluster, tmp_path):
    client = cluster.client_for(dask_cluster.scheduler_address, 0)
    kept = []
    batches = [[(0, k)] for k in range(4)]
    cluster.run_batches(client, _dies_once, str(tmp_path / "died"), batches, kept.extend)
    assert (tmp_path / "died").exists()  # a worker did die
    assert sorted(kept) == [(0, k) for k in range(4)]  # and every batch came back once


def test_a_failed_task_is_one_line_naming_it(dask_cluster):
    scenario = scenario_from(*SMALL)
    client = cluster.client_for(dask_cluster.scheduler_address, 0)
    with pytest.raises(TaskError) as raised:
        cluster.run_batches(client, _fails, scenario, [[(1, 2), (0, 2)]], lambda batch: None)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("backend: the task of unit soc_son, replication 1 (and 1 other task of its batch)")
    assert message.endswith("RuntimeError: no good at all (2 tasks)")


@pytest.mark.parametrize("overrides, key", [
    (("backend=spark",), "backend: unknown value 'spark'; choose one of local, dask"),
    (("cluster_address=tcp://head:8786",), "cluster_address: 'tcp://head:8786' is set, but backend is 'local'"),
    (("backend=dask", "cluster_address=head node"), "cluster_address: 'head node' is not a scheduler's address"),
])
def test_bad_backend_settings_are_refused(overrides, key):
    with pytest.raises(ConfigError, match="^" + key.replace("(", r"\(").replace(")", r"\)")):
        scenario_from(*SMALL, *overrides)


def test_an_unknown_backend_is_one_line_on_the_command_line(tmp_path):
    done = run_module("sim", "backend=spark", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "sim: error: backend: unknown value 'spark'; choose one of local, dask\n"
    assert not (tmp_path / "results").exists()


def test_the_backend_does_not_change_the_config_hash():
    from sim.config.provenance import config_hash
    from tests.conftest import compose_config

    assert config_hash(compose_config(*SMALL)) == config_hash(compose_config(*SMALL, "backend=dask",
                                                                              "cluster_address=tcp://head:8786"))
