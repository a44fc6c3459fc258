"""Which BlazePose model to choose: lite, full and heavy side by side on the rendered walks (issue 15).

    PYTHONPATH=. python bench/model_choice.py [--views side front away]

Per model and view: tracking with all defaults (people pass, the subject's landmarks), ms per
frame; the share of frames with the walker found; knee flexion RMSE (mean of both sides, deg)
of the whole pipeline against the exact truth (as bench/solver_accuracy.py measures it).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from clips import model
from ras_mocap.capture.tracking import TrackingSettings, track_video
from solver_accuracy import view_figures
from tests.rendered import VIEWS, rendered_truth, rendered_video

MODELS = ("lite", "full", "heavy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", nargs="*", default=VIEWS)
    args = parser.parse_args()
    table: dict[str, list[tuple[float, float, float]]] = {name: [] for name in MODELS}
    for name in MODELS:
        for view in args.views:
            started = time.perf_counter()
            raw = track_video(rendered_video(view), TrackingSettings(model(name)))
            ms = 1000 * (time.perf_counter() - started) / len(raw)
            knee = view_figures(raw, rendered_truth(view), None)
            table[name].append((ms, float(raw.found.mean()), (knee["knee.L"] + knee["knee.R"]) / 2))
    print(f"rendered walks: {', '.join(args.views)}; per view: ms/frame, frames found, knee RMSE deg")
    print("| model | " + " | ".join(f"{view}: ms/frame, found, knee" for view in args.views) + " | mean ms/frame | mean knee deg |")
    print("|---|" + "---|" * (len(args.views) + 2))
    for name, rows in table.items():
        cells = " | ".join(f"{ms:.0f}, {found:.0%}, {knee:.1f}" for ms, found, knee in rows)
        print(f"| {name} | {cells} | {np.mean([r[0] for r in rows]):.0f} | {np.mean([r[2] for r in rows]):.1f} |")
    lite, heavy = (np.mean([r[0] for r in table[name]]) for name in ("lite", "heavy"))
    print(f"ratio heavy / lite time: {heavy / lite:.2f}")


if __name__ == "__main__":
    main()
