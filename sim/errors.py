"""The one error type a user should ever see: a bad setting, named by its key."""


class ConfigError(ValueError):
    """An invalid setting. ``key`` is the dotted config key, ``problem`` says what is wrong."""

    def __init__(self, key: str, problem: str):
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem
