"""Configuration: the schema of every key, and its validation into a model (a bad value stops here, naming its key)."""
