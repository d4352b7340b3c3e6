"""The one error type a user should ever see: a bad setting, named by its key."""


class ConfigError(ValueError):
    """An invalid setting. ``key`` is the dotted config key, ``problem`` says what is wrong."""

    def __init__(self, key: str, problem: str):
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


class TaskError(RuntimeError):
    """A (unit, replication) task that failed where it ran (a cluster's worker): the message names
    the task and the cause in one line. A fault of the run, not of a setting."""
