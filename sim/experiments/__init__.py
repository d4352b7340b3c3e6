"""What is done with the engines: replications, sweeps, calibration, sensitivity and comparison."""
