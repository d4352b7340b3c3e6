"""Tests of the simulator (a package, so that `tests.conftest` is this folder even when an
installed distribution ships a top-level `tests` package, as Ciw does)."""
