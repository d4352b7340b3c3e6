"""Faults as they happen to planners: Ctrl-C, a command killed outright, a worker process that dies
during a sweep, a results folder that cannot be written, and a sweep folder whose files are
damaged. Each ends in one line (no traceback), a documented exit status, and no worker process
left running.

Worker processes are watched through /proc (Linux). Waiting for them to be ready has no event to
wait on, so it is a bounded poll that pauses on the command's own exit (``Popen.wait`` with a
short timeout); waiting for them to end waits on their pidfds, an event, with a bounded timeout.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import run_module

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists() or not hasattr(os, "pidfd_open"),
                                reason="watches processes through /proc and pidfds (Linux)")

SIGINT_BIT = 1 << (signal.SIGINT - 1)  # in /proc/PID/status SigIgn
READY_SECONDS = 300  # a loaded machine may take long to start the workers
GONE_SECONDS = 30  # workers notice their parent's end within a second (sim.experiments.workers)
QUICK = ("replications=2", "period.end=2025-07-07", "desks.rule=fixed")
RUN = ("city.units=[ba_dinh,bach_mai]", *QUICK, "workers=2", "progress=false")
SWEEP = ("-m", "city.units=[ba_dinh,bach_mai]", *QUICK, "desks.fixed=2,3", "workers=2", "hydra.launcher.n_jobs=2",
         "progress=false")
BLOCK_HOOK = '''"""Every simulation task run in a worker process blocks until the process is stopped, so the
command is sure to be still running when the test interrupts or kills it (whatever the machine's speed)."""
import multiprocessing
import threading

import sim.experiments.runner as runner

_run_batch = runner._run_batch


def _blocked(scenario, tasks):
    if multiprocessing.current_process().name == "MainProcess":
        return _run_batch(scenario, tasks)
    threading.Event().wait()


runner._run_batch = _blocked
'''


def _parent_of() -> dict[int, int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass  # ended meanwhile
    return parents


def descendants(pid: int) -> list[int]:
    parents = _parent_of()
    found, todo = [], [pid]
    while todo:
        here = todo.pop()
        children = [p for p, parent in parents.items() if parent == here]
        found += children
        todo += children
    return found


def ready_workers(pid: int) -> list[int]:
    """The command's worker processes (joblib's loky, or a local Dask cluster's) that have started
    and been set up (they ignore Ctrl-C)."""
    ready = []
    for child in descendants(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
            status = Path(f"/proc/{child}/status").read_text()
        except OSError:
            continue
        ignored = int(next(line for line in status.splitlines() if line.startswith("SigIgn:")).split()[1], 16)
        worker = b"popen_loky_posix" in command or b"multiprocessing.spawn" in command  # joblib's, Dask's
        if worker and ignored & SIGINT_BIT:
            ready.append(child)
    return ready


def start(cwd: Path, *args: str) -> subprocess.Popen:
    """``python -m sim ARGS`` in a session of its own, so that Ctrl-C can reach all its processes (and
    with Ctrl-C not ignored, whatever this process inherited),
    with :data:`BLOCK_HOOK` loaded at start-up (``sitecustomize``) by every process it starts."""
    hook = cwd / "block_hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(BLOCK_HOOK)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=_ctrl_c_as_in_a_terminal)


def _ctrl_c_as_in_a_terminal() -> None:
    """In the child before it starts: SIGINT at its default, as in a terminal. A test run started in
    the background of a shell without job control inherits SIGINT ignored, and so would the command."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for_workers(command: subprocess.Popen, at_least: int) -> list[int]:
    """Every process under the command once ``at_least`` workers are ready."""
    for _ in range(int(READY_SECONDS / 0.2)):
        if len(ready_workers(command.pid)) >= at_least:
            return descendants(command.pid)
        try:
            command.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"the command ended before {at_least} workers were ready: {command.stderr.read()}")
    command.kill()
    pytest.fail(f"fewer than {at_least} workers ready after {READY_SECONDS} s")


def still_running(pids: list[int], timeout: float = GONE_SECONDS) -> list[int]:
    """Wait until every process in ``pids`` has ended; those still running after ``timeout``."""
    poller, open_fds = select.poll(), {}
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue  # already gone
        open_fds[fd] = pid
        poller.register(fd, select.POLLIN)  # readable once the process has ended
    ended: set[int] = set()
    try:
        while len(ended) < len(open_fds):
            events = poller.poll(timeout * 1000)
            if not events:
                break
            for fd, _ in events:
                ended.add(fd)
                poller.unregister(fd)
    finally:
        for fd in open_fds:
            os.close(fd)
    return [pid for fd, pid in open_fds.items() if fd not in ended]


def _arguments(kind: str, tmp_path: Path) -> tuple[str, ...]:
    """A run, a sweep (2 jobs, one with its own 2 workers), or a run on a local Dask cluster of 2."""
    if kind == "dask run":
        pytest.importorskip("distributed")
        return (*RUN, "backend=dask")
    return RUN if kind == "run" else (*SWEEP, f"hydra.sweep.dir={tmp_path / 'sweep'}")


@pytest.mark.parametrize("kind", ["run", "sweep", "dask run"])
def test_ctrl_c_ends_in_one_line_and_leaves_no_worker(kind, tmp_path):
    command = start(tmp_path, *_arguments(kind, tmp_path))
    processes = wait_for_workers(command, 4 if kind == "sweep" else 2)  # a sweep: 2 jobs, one with its own 2
    os.killpg(command.pid, signal.SIGINT)  # Ctrl-C in a terminal reaches every process of the command
    out, err = command.communicate(timeout=120)
    assert command.returncode == 130, err
    assert "Traceback" not in out + err
    assert err.strip().splitlines() == ["sim: interrupted"], err
    assert still_running(processes) == []


@pytest.mark.parametrize("kind", ["run", "sweep", "dask run"])
def test_a_killed_command_leaves_no_worker_running(kind, tmp_path):
    command = start(tmp_path, *_arguments(kind, tmp_path))
    processes = wait_for_workers(command, 4 if kind == "sweep" else 2)
    command.send_signal(signal.SIGKILL)  # the main process only, as the out-of-memory killer does
    command.communicate(timeout=GONE_SECONDS)  # its pipes close once every process holding them has ended
    assert command.returncode == -signal.SIGKILL
    assert still_running(processes) == []


KILL_HOOK = '''"""A Hydra callback that kills the worker process of the job whose desks.fixed is VALUE."""
import multiprocessing, os, signal
from hydra.experimental.callback import Callback


class KillWorker(Callback):
    def __init__(self, value):
        self.value = value

    def on_job_start(self, config, **kwargs):
        if config.desks.fixed == self.value and multiprocessing.current_process().name != "MainProcess":
            os.kill(os.getpid(), signal.SIGKILL)
'''


def test_a_sweep_goes_on_when_a_job_loses_its_worker_process(tmp_path):
    """The job with desks.fixed=3 kills its own worker (a callback given on the command line, from
    a module of this test): the other jobs keep their results and the table lists the lost one."""
    (tmp_path / "kill_hook.py").write_text(KILL_HOOK)
    folder = tmp_path / "sweep"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(
        [sys.executable, "-m", "sim", "-m", "city.units=[ba_dinh]", *QUICK, "desks.fixed=2,3,4",
         "hydra.launcher.n_jobs=2", "+hydra.callbacks.kill._target_=kill_hook.KillWorker",
         "+hydra.callbacks.kill.value=3", f"hydra.sweep.dir={folder}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("sim: error:")]
    assert len(errors) == 1 and "desks.fixed=3" in errors[0] and "job lost" in errors[0], done.stderr

    table = pd.read_csv(folder / "sweep.csv")
    assert dict(zip(table["desks.fixed"], table["status"])) == {2: "ok", 3: "lost", 4: "ok"}
    assert "worker process died" in table.set_index("desks.fixed").loc[3, "error"]
    for _, row in table.iterrows():
        assert (folder / row["job"] / "summary.json").is_file() == (row["status"] == "ok")
    assert table.set_index("desks.fixed").loc[[2, 4], "on_time_pct"].notna().all()


@pytest.mark.parametrize("command", ["run", "sweep", "collect"])
def test_a_results_folder_that_cannot_be_written_gives_one_line(command, tmp_path):
    """A path under a regular file cannot be a folder, whoever runs the command (root included)."""
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a folder\n")
    if command == "run":
        target = blocker / "run"
        done = run_module("sim", "city.units=[ba_dinh]", *QUICK, f"hydra.run.dir={target}", cwd=tmp_path)
    elif command == "sweep":
        target = blocker / "sweep"
        done = run_module("sim", "-m", "city.units=[ba_dinh]", *QUICK, "desks.fixed=2,3",
                          f"hydra.sweep.dir={target}", cwd=tmp_path)
    else:  # a sweep folder whose table's name is taken by a folder
        folder = tmp_path / "sweep"
        (folder / "job" / ".hydra").mkdir(parents=True)
        (folder / "job" / ".hydra" / "overrides.yaml").write_text("- desks.fixed=2\n")
        target = folder / "sweep.csv"
        target.mkdir()
        done = run_module("sim.collect", str(folder), cwd=tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"sim: error: {target}"), done.stderr


def _job(folder: Path, overrides: str, record: str | None = None, summary: str | None = None) -> None:
    (folder / ".hydra").mkdir(parents=True)
    (folder / ".hydra" / "overrides.yaml").write_text(overrides)
    if record is not None:
        (folder / "job.json").write_text(record)
    if summary is not None:
        (folder / "summary.json").write_text(summary)


GOOD_RECORD = json.dumps({"status": "ok", "error": "", "job_num": 0, "seconds": 1.5, "config_hash": "abc"})
GOOD_SUMMARY = json.dumps({"scenario": "baseline", "replications": 2,
                           "kpis": {"on_time_pct": {"mean": 90.0, "ci95_low": 85.0, "ci95_high": 95.0}}})
DAMAGED = {  # job folder: (overrides.yaml, job.json, summary.json, damaged file, words of the error)
    "record_not_json": ("- desks.fixed=3\n", "{status: ok", GOOD_SUMMARY, "job.json", "not JSON"),
    "record_wrong_type": ("- desks.fixed=4\n", json.dumps({"status": 7}), GOOD_SUMMARY, "job.json", "status"),
    "record_a_list": ("- desks.fixed=5\n", "[1, 2]", GOOD_SUMMARY, "job.json", "JSON object"),
    "summary_not_json": ("- desks.fixed=6\n", GOOD_RECORD, "NaN]", "summary.json", "not JSON"),
    "summary_wrong_type": ("- desks.fixed=7\n", GOOD_RECORD, json.dumps({"kpis": {"on_time_pct": {"mean": "high"}}}),
                           "summary.json", "kpis.on_time_pct.mean"),
    "overrides_not_yaml": ("- [desks.fixed=8\n", GOOD_RECORD, GOOD_SUMMARY, ".hydra/overrides.yaml", "not YAML"),
}


def test_collect_lists_damaged_jobs_and_tables_the_rest(tmp_path):
    folder = tmp_path / "sweep"
    _job(folder / "good", "- desks.fixed=2\n", GOOD_RECORD, GOOD_SUMMARY)
    for name, (overrides, record, summary, _, _) in DAMAGED.items():
        _job(folder / name, overrides, record, summary)
    done = run_module("sim.collect", str(folder), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    errors = done.stderr.strip().splitlines()
    assert len(errors) == len(DAMAGED), done.stderr
    for name, (_, _, _, damaged, words) in DAMAGED.items():
        line = next(line for line in errors if f"/{name}/" in line)
        assert line.startswith(f"sim: error: {folder / name / damaged}: ") and words in line, line

    table = pd.read_csv(folder / "sweep.csv").set_index("job")
    assert table.loc["good", "status"] == "ok" and table.loc["good", "on_time_pct"] == 90.0
    assert (table.drop(index="good")["status"] == "damaged").all() and len(table) == 1 + len(DAMAGED)
    assert table.loc["record_not_json", "desks.fixed"] == 3  # what could be read is kept
    assert pd.isna(table.loc["summary_wrong_type", "on_time_pct"])


def test_collect_without_a_folder_prints_one_usage_line(tmp_path):
    done = run_module("sim.collect", cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sim: error: ") and "DIR" in lines[0], done.stderr


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path):
    """``python -m sim.units | head -1``: once the reader has closed the pipe, the command ends with
    SIGPIPE's status and says nothing, rather than a BrokenPipeError traceback. The pipe holds one
    page, a few times less than the command prints, so the command is still writing (blocked on the
    full pipe) when the reader goes."""
    import fcntl

    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    process = subprocess.Popen([sys.executable, "-m", "sim.units"], cwd=tmp_path, stdout=write_end,
                               stderr=subprocess.PIPE)
    os.close(write_end)
    assert os.read(read_end, 1)  # the command has started writing ...
    os.close(read_end)  # ... and its reader goes away
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
