"""The one error type a user should ever see: a bad setting, named by its key."""


class ConfigError(ValueError):
    """An invalid setting. ``key`` is the dotted config key, ``problem`` says what is wrong."""

    def __init__(self, key: str, problem: str):
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


class OutputMissing(Exception):
    """The results are written (the done file too) but a part of the output is not, such as a map
    whose packaged data is damaged: a command says which in one line and exits with status 1."""


class TaskError(RuntimeError):
    """A (unit, replication) task that failed where it ran (a cluster's worker): the message names
    the task and the cause in one line. A fault of the run, not of a setting."""
