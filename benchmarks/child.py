"""Child-process entry point: ``python -m benchmarks.child CASE CONFIG_JSON``."""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback

from benchmarks.harness import Config, Row, emit


def main(argv: list[str]) -> int:
    case, raw = argv[0], argv[1]
    cfg = Config(**json.loads(raw))
    if not (cfg.display and os.environ.get("DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    module = importlib.import_module(f"benchmarks.{case}")
    try:
        rows = module.run(cfg)
    except Exception as err:  # a broken case must not take the whole run down
        traceback.print_exc()
        rows = [
            Row(
                case=getattr(module, "TITLE", case),
                ours=None,
                baseline=None,
                target="-",
                holds=None,
                note=f"error: {type(err).__name__}: {err}",
            )
        ]
    emit(rows)
    sys.stdout.flush()
    os._exit(0)  # skip interpreter and Qt teardown: nothing to save, and it can take seconds


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
