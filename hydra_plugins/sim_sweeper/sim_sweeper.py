"""Hydra's basic sweeper, minus its serial composition of every job before launching any, and
with a launcher that survives a lost worker process.

The basic sweeper composes each job's configuration once in the sweeping process, one job after
another, only to check that it can be composed: about a second a job with the simulator's
configs, time that no number of workers can share, so that on 2 cores a sweep of short jobs ran
only about 1.6 times faster than on one. The check is not needed here: ``sim.apps.command`` tries every
swept value before the sweep starts, and each job composes and validates its own configuration,
recording a failure in its folder without stopping the other jobs (``sim.experiments.sweep.job``).

A worker process that dies during a batch (killed, out of memory) breaks the whole process pool,
and Hydra would abort the sweep. Here the batch is launched again one job at a time: jobs that
finished before the loss return at once (their record names this sweep run), the others run,
and a job whose worker dies while it runs alone is recorded as ``lost`` in its folder; the sweep
goes on and its table lists it. (A job run in the sweeping process itself, ``n_jobs=1``, takes
the sweep with it when its process dies.)
"""

from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.config_store import ConfigStore
from hydra.core.utils import JobReturn
from hydra.plugins.launcher import Launcher


class LossTolerantLauncher:
    """Wraps the configured launcher: a batch broken by a lost worker is run again job by job."""

    def __init__(self, launcher: Launcher, sweeper: "SimSweeper") -> None:
        self.launcher = launcher
        self.sweeper = sweeper
        joblib_options = getattr(launcher, "joblib", None)
        if isinstance(joblib_options, dict):  # Hydra's joblib launcher: its workers end with this process
            joblib_options.setdefault("initializer", _worker_initializer())

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        try:
            return self.launcher.launch(job_overrides, initial_job_idx=initial_job_idx)
        except BrokenProcessPool:
            pass
        returns: List[JobReturn] = []  # a lost job has none
        for k, overrides in enumerate(job_overrides):
            try:
                returns.extend(self.launcher.launch([overrides], initial_job_idx=initial_job_idx + k))
            except BrokenProcessPool:
                self._record_lost(overrides, initial_job_idx + k)
        return returns

    def _record_lost(self, overrides: Sequence[str], job_num: int) -> None:
        from sim.experiments.sweep.job import record_lost

        config = self.sweeper.hydra_context.config_loader.load_sweep_config(self.sweeper.config, list(overrides))
        folder = Path(str(config.hydra.sweep.dir)) / str(config.hydra.sweep.subdir)
        record_lost(folder, list(config.hydra.overrides.task), job_num)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.launcher, name)


def _worker_initializer():
    from sim.experiments.workers import init_worker

    return init_worker


class SimSweeper(BasicSweeper):
    """The cartesian product of the swept values, in batches, like ``hydra/sweeper=basic``."""

    def setup(self, *args: Any, **kwargs: Any) -> None:
        super().setup(*args, **kwargs)
        self.launcher = LossTolerantLauncher(self.launcher, self)

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Each job validates itself (see the module docstring)."""


@dataclass
class SimSweeperConf:
    _target_: str = "hydra_plugins.sim_sweeper.sim_sweeper.SimSweeper"
    max_batch_size: Optional[int] = None
    params: Optional[Dict[str, str]] = None


ConfigStore.instance().store(group="hydra/sweeper", name="sim", node=SimSweeperConf, provider="hanoi-service-sim")
