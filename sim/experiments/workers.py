"""Worker processes that leave Ctrl-C to their parent and do not outlive it.

Ctrl-C in a terminal interrupts every process of the command, workers included; a worker
interrupted in the middle of a task would print its own traceback. The parent stops its workers
when it is interrupted (joblib does), so workers ignore SIGINT (:func:`init_worker`), and so do
the workers they start, which inherit the setting from the moment they start.

A process killed outright (``kill -9``, the out-of-memory killer) cannot stop its workers, and
loky's workers notice a dead parent only when they next look for work or at their idle timeout
(300 s): until then they hold memory and cores. Every worker pool of the simulator (the
replications of :mod:`sim.experiments.runner`, the jobs of a sweep) therefore starts its workers
with :func:`init_worker`, which ends a worker as soon as its parent is gone; a worker's own
workers then see their parent gone in turn.

A daemon thread polling ``os.getppid()`` is used rather than Linux's
``prctl(PR_SET_PDEATHSIG)``: that signal follows the *thread* that started the worker, and loky
starts workers from whichever thread submits work or from its manager thread, so a worker would
be killed with a short-lived thread of a living parent. The parent id changes when, and only
when, the parent process is gone (its orphans are adopted by another process), on every POSIX
system; on Windows it never changes and the thread only waits.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time

PARENT_POLL_SECONDS = 0.5  # how soon a worker notices that its parent is gone
_watching = False


def _parent_pid() -> int:
    """The pid of the process that started this one, as recorded at start-up where possible: a
    parent that died before this process looked is still noticed."""
    recorded = getattr(multiprocessing.current_process(), "_parent_pid", None)
    return recorded or os.getppid()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)  # nothing of a worker's state is worth saving: its parent was collecting it


def init_worker() -> None:
    """Worker initializer: ignore Ctrl-C, and end this process when its parent ends."""
    global _watching
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _watching:
        return
    _watching = True
    threading.Thread(target=_watch, args=(_parent_pid(),), name="exit-with-parent", daemon=True).start()
