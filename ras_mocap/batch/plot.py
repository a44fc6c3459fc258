"""The batch's summary plot: each video's cadence and walking speed, mean +- SD over its steps and
strides, one line per video; a video that failed or found no walk is named, with no bar."""
from __future__ import annotations

from pathlib import Path

from ..core.outputs import atomic_output

__all__ = ["plot_summary"]


def plot_summary(records: list[dict], path: Path) -> Path:
    """Draw the records' cadence and speed into a PNG at `path` (whole or not at all)."""
    from matplotlib.figure import Figure

    names = [record["name"] for record in records]
    figure = Figure(figsize=(11, 1.2 + 0.32 * len(records)), layout="constrained")
    panels = figure.subplots(1, 2, sharey=True)
    for axis, (key, spread, title) in zip(panels, (
            ("cadence_steps_per_min", "cadence_sd_steps_per_min", "Cadence (steps/min)"),
            ("speed_m_s", "speed_sd_m_s", "Walking speed (m/s)"))):
        for row, record in enumerate(records):
            summary = record.get("summary") or {}
            if summary.get(key) is None:
                axis.text(0.01, row, "failed" if record.get("error") else "-", va="center", color="tab:red",
                          transform=axis.get_yaxis_transform())
                continue
            axis.errorbar(summary[key], row, xerr=summary.get(spread) or 0.0, fmt="o", color="tab:blue", capsize=3)
        axis.set_title(title)
        axis.grid(axis="x", color="0.85")
    panels[0].set_yticks(range(len(names)), names)
    panels[0].set_ylim(len(names) - 0.5, -0.5)  # the first video on top
    figure.suptitle(f"{len(records)} videos, mean \u00b1 SD")
    with atomic_output(path) as temporary:
        figure.savefig(temporary, dpi=100, format="png")
    return path
