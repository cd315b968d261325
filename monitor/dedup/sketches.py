"""datasketch's MinHash classes, imported without the SciPy integrator they never use here.

``import datasketch`` imports every module of the package, and two of them
import ``scipy.integrate`` at the top, for one function: choosing LSH bands
and rows when the caller gives none.  newsmon always gives them
(``lsh_bands``, ``lsh_rows``), yet the import cost every command that
deduplicates about a quarter of a second (over a second on a busy
machine).  So while datasketch is imported, ``scipy.integrate`` is a
stand-in whose ``quad`` imports the real one if it is ever called; the
stand-in is then taken out again, so any other ``import scipy.integrate``
gets the real module.
"""

from __future__ import annotations

import sys
import types
from typing import Any


def _quad(*args: Any, **kwargs: Any) -> Any:
    from scipy.integrate import quad  # type: ignore[import-untyped]

    return quad(*args, **kwargs)


def _import_datasketch() -> None:
    name = "scipy.integrate"
    if name in sys.modules or "datasketch" in sys.modules:
        return
    stand_in = types.ModuleType(name, "stand-in while datasketch is imported")
    stand_in.quad = _quad  # type: ignore[attr-defined]
    sys.modules[name] = stand_in
    try:
        import datasketch  # noqa: F401
    finally:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]


_import_datasketch()

from datasketch import LeanMinHash, MinHash, MinHashLSH  # noqa: E402

__all__ = ["LeanMinHash", "MinHash", "MinHashLSH"]
