"""A progress bar for the searches that simulate in rounds (``sim.recommend`` and its fixed budget)."""

from __future__ import annotations

from tqdm.auto import tqdm


class RoundsBar:
    """A tqdm bar (stderr) over the unit-replications simulated, round by round. How many rounds a
    search takes is not known in advance, but a round's unit-replications are when it starts: the
    bar's total grows then, so its estimate of the time left is to the end of the round running.
    ``enabled=False`` (``progress=false``) draws nothing."""

    def __init__(self, desc: str, enabled: bool = True):
        self.bar = tqdm(total=0, desc=desc, unit="task", disable=not enabled)

    def start(self, label: str, tasks: int) -> None:
        """A round of ``tasks`` unit-replications begins."""
        self.bar.total += tasks
        self.bar.set_postfix_str(label, refresh=True)

    def advance(self, done: int) -> None:
        """``done`` more unit-replications are simulated."""
        self.bar.update(done)

    def end(self, note: str) -> None:
        """The round is over: ``note`` says where the search stands."""
        self.bar.set_postfix_str(note, refresh=True)

    def close(self) -> None:
        self.bar.close()
