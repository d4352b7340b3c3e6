"""Sweeps (Hydra multirun): one job's folder and record, and the sweep's table built from the job folders."""
