"""Hydra plugin of the simulator: its sweeper (``hydra/sweeper=sim``, the default in sim/conf/)."""
