"""Panels of the 3D viewport sidebar."""
