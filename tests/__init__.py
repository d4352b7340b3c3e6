"""Tests of the simulator (a package, so that ``tests.conftest`` is this folder's even when an installed
package also ships a top-level ``tests``)."""
