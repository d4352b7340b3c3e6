"""Every CSV file the simulator writes goes through :func:`write_csv`, so each opens correctly in
Excel: UTF-8 with a byte-order mark (``utf-8-sig``; without it Excel reads the Vietnamese names as
Windows-1252 mojibake). pandas and the simulator's own readers (``encoding="utf-8-sig"``) skip the mark."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.outputs.atomic import replacing

CSV_ENCODING = "utf-8-sig"  # UTF-8 with a byte-order mark: what Excel needs to read UTF-8


def write_csv(frame: pd.DataFrame, path: Path, **kwargs) -> Path:
    """Write ``frame`` (without its index) to ``path`` (gzip if it ends with .gz), atomically
    (:mod:`sim.outputs.atomic`); return the path."""
    kwargs.setdefault("compression", "gzip" if str(path).endswith(".gz") else None)
    with replacing(path) as partial:
        frame.to_csv(partial, index=False, encoding=CSV_ENCODING, **kwargs)
    return Path(path)
