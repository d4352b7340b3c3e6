"""The one rule for writing an output file: write it whole under a temporary name in the same
folder, then rename it into place (``os.replace``, atomic on one file system). A reader, a later
run or a full disk therefore never leaves a half-written file under a real name: a file is there
whole or not at all. Each command writes its "written last" file (a run's ``summary.json``) after
every other one, so a folder holding it is complete.

Every writer in :mod:`sim.outputs` goes through :func:`replacing` (CSV, PNG, JSON, HTML, Excel,
Parquet, text)."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Iterator

PARTIAL = ".partial"  # temporary files are ``.NAME.<pid>.partial``: hidden, and never a result's name


@contextlib.contextmanager
def replacing(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write to; on success it replaces ``path`` in one
    step, on any error it is removed and ``path`` is left as it was. A device or a pipe
    (``/dev/stdout``) is written in place: renaming over it would replace the device. An error
    that names no file (a full disk) is raised naming ``path``."""
    path = Path(path)
    in_place = path.exists() and not path.is_file() and not path.is_dir()
    partial = path if in_place else path.with_name(f".{path.name}.{os.getpid()}{PARTIAL}")
    try:
        yield partial
        if not in_place:
            os.replace(partial, path)
    except BaseException as exc:
        if not in_place:
            with contextlib.suppress(OSError):
                partial.unlink()
        if isinstance(exc, OSError) and exc.filename in (None, str(partial)):
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        raise


def write_text(path: Path | str, content: str, encoding: str = "utf-8") -> Path:
    """Write ``content`` to ``path`` atomically (see the module's docstring); return the path."""
    with replacing(path) as partial:
        with open(partial, "w", encoding=encoding) as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())  # a full disk is met here, not after the rename
    return Path(path)


def write_json(path: Path | str, data, **kwargs) -> Path:
    """``data`` as indented UTF-8 JSON, written atomically."""
    return write_text(path, json.dumps(data, indent=2, ensure_ascii=False, **kwargs))
