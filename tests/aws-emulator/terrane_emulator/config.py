"""Settings read from the environment (kept free of heavy imports)."""

from __future__ import annotations

import math
import os

TIME_SCALE_ENV = "TERRANE_EMULATOR_TIME_SCALE"


def time_scale_from_env(environ: dict[str, str] | None = None) -> float:
    """``TERRANE_EMULATOR_TIME_SCALE`` as a float (default 1.0); loud if invalid."""
    environ = os.environ if environ is None else environ
    raw = environ.get(TIME_SCALE_ENV, "").strip()
    if not raw:
        return 1.0
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{TIME_SCALE_ENV} must be a number, got {raw!r}") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{TIME_SCALE_ENV} must be a finite number >= 0, got {raw!r}")
    return value
