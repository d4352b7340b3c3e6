"""Hydra's basic sweeper, minus its serial composition of every job before launching any.

The basic sweeper composes each job's configuration once in the sweeping process, one job after
another, only to check that it can be composed: about a second a job with the simulator's
configs, time that no number of workers can share, so that on 2 cores a sweep of short jobs ran
only about 1.6 times faster than on one. The check is not needed here: ``sim.apps.command`` tries every
swept value before the sweep starts, and each job composes and validates its own configuration,
recording a failure in its folder without stopping the other jobs (``sim.experiments.sweep.job``).
"""

from dataclasses import dataclass
from typing import Dict, Optional, Sequence

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.config_store import ConfigStore


class SimSweeper(BasicSweeper):
    """The cartesian product of the swept values, in batches, like ``hydra/sweeper=basic``."""

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Each job validates itself (see the module docstring)."""


@dataclass
class SimSweeperConf:
    _target_: str = "hydra_plugins.sim_sweeper.sim_sweeper.SimSweeper"
    max_batch_size: Optional[int] = None
    params: Optional[Dict[str, str]] = None


ConfigStore.instance().store(group="hydra/sweeper", name="sim", node=SimSweeperConf, provider="hanoi-service-sim")
