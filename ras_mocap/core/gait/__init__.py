"""Gait analysis of a captured walk: numpy + scipy, no bpy.

walk.py (track -> keypoints in metres, ground-fixed) -> kinematics.py (walking direction,
sagittal angles) -> events.py (heel strikes, toe-offs) -> parameters.py (spatio-temporal) ->
cycles.py (time-normalised cycles) -> report.py (CSV, JSON, plot). `analyse` runs them all
(`analyse_walk` on what walk.track_walk gives).
"""
from .analysis import GaitAnalysis, analyse, analyse_walk

__all__ = ["GaitAnalysis", "analyse", "analyse_walk"]
