"""A quicker look by PySide at each module imported after it (see :func:`quicker_feature_scan`)."""

from __future__ import annotations

import sys


def quicker_feature_scan() -> None:
    """Let PySide find out faster whether a module imported after it uses it.

    For its ``from __feature__ import ...`` switches (which annotator does not
    use), PySide looks at every module imported after it: the app's windows, and
    pydantic with the models at the deferred load. It reads the module's source
    with ``inspect.getsource`` (through linecache, which then keeps every source
    in memory) and searches it for "PySide6": 0.2-0.6 ms a module, 70 modules
    before the first paint and 110 more for the deferred load
    (benchmarks/RESULTS.md, case 8). The same search in the bytes of the
    module's file takes a fifth of that and answers the same; annotator's own
    modules are answered by their layer, without reading them. A module without
    a ``.py`` file or one that cannot be read is left to PySide's own way, and
    a PySide without that function is left as it is."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or not callable(original) or getattr(original, "quicker", False):
        return

    def uses_pyside(module: object) -> bool:
        name = getattr(module, "__name__", None)
        if isinstance(name, str) and name.startswith("annotator."):
            # Known without reading: annotator.ui is the only layer that uses Qt
            # (the import contracts in pyproject.toml; a ui module without Qt is
            # answered yes: that only costs PySide a look), and none uses __feature__.
            return name == "annotator.ui" or name.startswith("annotator.ui.")
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return b"PySide6" in source.read()
            except OSError:
                pass
        return bool(original(module))

    uses_pyside.quicker = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
