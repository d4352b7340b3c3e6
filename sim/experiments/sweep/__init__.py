"""Sweeps (Hydra multirun): one job's folder and record, the sweep's table, and the callback that writes it."""
