"""The error tree in ``monitor/errors.py``'s docstring is complete and true.

Every package module is imported, then every subclass of NewsmonError is
looked up in the drawn tree: it must be there, under its real base class, and
defined in ``monitor.errors``; every name drawn must be a real class.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import alerts
import monitor
from monitor import errors
from monitor.errors import NewsmonError

BRANCH = re.compile(r"^(?P<indent>[ │]*)[├└]── (?P<name>\w+)")


def _import_everything() -> None:
    for package in (monitor, alerts):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if ".migrations" not in info.name:
                importlib.import_module(info.name)


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def _drawn_tree() -> dict[str, str]:
    """Each name in the docstring's tree -> the name it hangs from."""
    doc = errors.__doc__ or ""
    parents: dict[str, str] = {}
    stack = ["NewsmonError"]
    for line in doc.splitlines():
        match = BRANCH.match(line.removeprefix("    "))
        if match is None:
            continue
        depth = len(match["indent"]) // 4
        del stack[depth + 1 :]
        parents[match["name"]] = stack[depth]
        stack.append(match["name"])
    return parents


def test_every_newsmon_error_is_in_the_tree_under_its_base() -> None:
    _import_everything()
    drawn = _drawn_tree()
    ours = {
        cls
        for cls in _subclasses(NewsmonError)
        if cls.__module__.split(".")[0] in ("monitor", "alerts")
    }
    assert len(ours) >= 25
    for cls in ours:
        assert cls.__name__ in drawn, f"{cls.__module__}.{cls.__name__} is missing from the tree"
        assert cls.__module__ == "monitor.errors", f"{cls.__name__} is defined outside errors.py"
        base = next(b for b in cls.__mro__[1:] if issubclass(b, NewsmonError))
        assert drawn[cls.__name__] == base.__name__, f"{cls.__name__} is drawn under the wrong base"
    names = {cls.__name__ for cls in ours}
    assert set(drawn) <= names, f"drawn but not defined: {set(drawn) - names}"


def test_signature_error_is_a_newsmon_error_and_still_a_value_error() -> None:
    from monitor.dedup.signatures import Signature, SignatureError

    assert issubclass(SignatureError, NewsmonError) and issubclass(SignatureError, ValueError)
    try:
        Signature.from_bytes(b"not a signature")
    except NewsmonError as exc:
        assert isinstance(exc, SignatureError)
    else:
        raise AssertionError("corrupt bytes were accepted")
