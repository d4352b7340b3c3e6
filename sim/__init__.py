"""Capacity simulator for the public administration service points of Hanoi's 126 wards and
communes: citizens at reception desks, records through departments, deadlines fixed in law.

From Python (a notebook, a script), as the command line does::

    import sim

    cfg = sim.load_config("city.units=[ba_dinh]", "replications=3")   # Hydra overrides
    result = sim.run(cfg)
    result.summary, result.units, result.departments, result.daily, result.replications
    result.records("ba_dinh", replication=0)                          # one row per record
    sim.plot_waits(result)                                            # a matplotlib Figure
    result.save("results/my_run")                                     # the CLI's run folder

``sim.run_comparison``, ``sim.run_calibration`` and ``sim.run_sensitivity`` do what
``python -m sim.compare``, ``sim.calibrate`` and ``sim.sensitivity`` do. Bad settings raise
:class:`sim.ConfigError` naming the key. Importing the package loads neither the engines nor
matplotlib, and never changes matplotlib's backend.
"""

from sim.version import VERSION as __version__  # single source: pyproject.toml

from sim.api import (  # noqa: E402  (light: each function imports what it needs)
    RunResult,
    build_scenario,
    difference_table,
    headline_table,
    identifiability_table,
    load_config,
    plot_backlog,
    plot_calibration,
    plot_comparison,
    plot_differences,
    plot_tornado,
    plot_unit_map,
    plot_unit_on_time,
    plot_waits,
    recommendation_table,
    run,
    run_break_even,
    run_calibration,
    run_comparison,
    run_recommendation,
    run_sensitivity,
    save_comparison,
    target_table,
)
from sim.errors import ConfigError  # noqa: E402

__all__ = [
    # configuration and one run
    "load_config", "build_scenario", "run", "RunResult", "ConfigError",
    "plot_waits", "plot_backlog", "plot_unit_on_time", "plot_unit_map",
    # structures compared
    "run_comparison", "headline_table", "difference_table", "save_comparison", "plot_comparison",
    "plot_differences", "run_break_even",
    # what each unit needs
    "run_recommendation", "recommendation_table",
    # calibration and sensitivity
    "run_calibration", "CalibrationError", "target_table", "identifiability_table", "plot_calibration", "run_sensitivity", "plot_tornado",
]


def __getattr__(name: str):
    # CalibrationError lives with the calibration, which loads the engines: only on first use.
    if name == "CalibrationError":
        from sim.experiments.calibration import CalibrationError

        return CalibrationError
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
