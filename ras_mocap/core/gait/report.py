"""The gait report as files: per-frame angles CSV, events CSV, summary JSON, cycles plot PNG."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from ..cleaning import CleaningSettings
from ..outputs import atomic_output, check_output_folder
from ..rootmotion import camera_fov_deg
from ..track import Track
from .analysis import ANGLES, GaitAnalysis, analyse_walk
from .cycles import CYCLE_PCT
from .kinematics import SIDES
from .walk import track_walk

__all__ = ["REPORT_FILES", "camera_record", "report_track", "source_record", "write_report", "plot_cycles", "summary_line"]

REPORT_FILES = ("angles.csv", "events.csv", "summary.json", "cycles.png")

_TITLES = {"hip_flexion": "Hip flexion (deg)", "knee_flexion": "Knee flexion (deg)",
           "ankle_dorsiflexion": "Ankle dorsiflexion (deg)"}
_COLOURS = {"left": "tab:red", "right": "tab:blue"}


def summary_line(summary: dict) -> str:
    """Cadence, speed and strides in one line; a figure the walk was too short for reads "-"."""
    cadence, speed = summary.get("cadence_steps_per_min"), summary.get("speed_m_s")
    return (f"cadence {'-' if cadence is None else f'{cadence:.1f}'} steps/min, "
            f"speed {'-' if speed is None else f'{speed:.2f}'} m/s, {summary['strides']} strides")


def source_record(source: str, track: Track) -> dict:
    """What summary.json records of the input: the path or URL given, the model and the subject."""
    return {"input": source, **{k: track.meta.get(k) for k in ("model", "subject")}}


def camera_record(track: Track, fov_deg: float | None = None) -> dict:
    """What summary.json records of the camera: the field of view the fit took, and where from."""
    camera_fov, fov_from = camera_fov_deg(track.meta, fov_deg)
    return {"field_of_view_deg": round(camera_fov, 2), "field_of_view_from": fov_from}


def report_track(track: Track, folder: str | Path, cleaning: CleaningSettings = CleaningSettings(),
                 body_height_m: float | None = None, fov_deg: float | None = None,
                 source: dict | None = None) -> GaitAnalysis:
    """A raw track analysed and its report written into `folder`: the one path of the `gait`
    command and of each video of a batch. `source` is what summary.json records of the input."""
    analysis = analyse_walk(track_walk(track, cleaning, body_height_m, fov_deg))
    write_report(analysis, folder, {**(source or {}), **camera_record(track, fov_deg)})
    return analysis


def write_report(analysis: GaitAnalysis, folder: str | Path, meta: dict | None = None) -> dict[str, Path]:
    """Write angles.csv, events.csv, summary.json and cycles.png into `folder`, each whole or not
    at all (core.outputs); their paths."""
    folder = check_output_folder(folder, "gait report folder")
    paths = {name: folder / name for name in REPORT_FILES}
    fps = analysis.fps
    angles = analysis.angles_deg
    columns = [(f"{name}_{side}_deg", angles[name][:, i]) for name in (*ANGLES, "hip_abduction")
               for i, side in enumerate(SIDES)]
    columns += [("trunk_lean_deg", angles["trunk_lean"]), ("pelvic_obliquity_deg", angles["pelvic_obliquity"])]
    with atomic_output(paths["angles.csv"]) as temporary, open(temporary, "x", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["frame", "time_s", *(name for name, _ in columns)])
        for frame in range(len(angles["trunk_lean"])):
            writer.writerow([frame, f"{frame / fps:.4f}", *("" if np.isnan(v[frame]) else f"{v[frame]:.2f}" for _, v in columns)])
    rows = sorted((float(t), side, kind) for kind, events in (("heel_strike", analysis.events.heel_strike),
                                                               ("toe_off", analysis.events.toe_off))
                  for side in SIDES for t in events[side])
    with atomic_output(paths["events.csv"]) as temporary, open(temporary, "x", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["frame", "time_s", "side", "event"])
        writer.writerows([f"{frame:.1f}", f"{frame / fps:.4f}", side, kind] for frame, side, kind in rows)
    summary = {**analysis.summary, "fps": fps, "passes": [list(map(int, p)) for p in analysis.passes],
               "event_method": analysis.events.method, "source": meta or {}}
    with atomic_output(paths["summary.json"]) as temporary:
        temporary.write_text(json.dumps(summary, indent=2))
    with atomic_output(paths["cycles.png"]) as temporary:
        plot_cycles(analysis, temporary)
    return paths


def plot_cycles(analysis: GaitAnalysis, path: str | Path) -> Path:
    """Mean +- SD of each joint angle over the gait cycle (0-100%, heel strike to heel strike), per
    side, as a PNG. Drawn on a Figure of its own, never through pyplot, whose backend is shared
    with every other add-on in Blender."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(12, 3.6), layout="constrained")
    for axis, name in zip(figure.subplots(1, len(ANGLES)), ANGLES):
        for side in SIDES:
            cycles = analysis.cycles_deg[name][side]
            if not len(cycles):
                continue
            mean, sd = cycles.mean(axis=0), cycles.std(axis=0)
            axis.plot(CYCLE_PCT, mean, color=_COLOURS[side], label=f"{side} (n={len(cycles)})")
            axis.fill_between(CYCLE_PCT, mean - sd, mean + sd, color=_COLOURS[side], alpha=0.2)
        axis.set_title(_TITLES[name])
        axis.set_xlabel("gait cycle (%)")
        axis.axhline(0.0, color="0.7", lw=0.8)
        axis.legend(fontsize=8)
    figure.suptitle(summary_line(analysis.summary))
    figure.savefig(path, dpi=110, format="png")
    return Path(path)
