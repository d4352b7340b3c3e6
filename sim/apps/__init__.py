"""The commands, one small module each; ``python -m sim.NAME`` runs ``sim.apps.NAME``."""
