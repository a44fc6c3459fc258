"""Each video's outputs in DIR, written by the client: DIR/NAME/track.npz, DIR/NAME/gait/ (the
files `gait --report` writes), the .blend and BVH when baked, and DIR/NAME/result.json last, which
says what made them (the video's content hash and the settings) and so whether a rerun may skip it."""
from __future__ import annotations

import json
from pathlib import Path

from ..core.outputs import atomic_output
from .inputs import BatchInput
from .job import VideoOutcome

__all__ = ["RESULT_FILE", "write_outcome", "finished_record"]

RESULT_FILE = "result.json"


def write_outcome(out_dir: Path, outcome: VideoOutcome, settings: dict, settings_key: str) -> dict:
    """Write a video's files (each whole or not at all), then its result.json; the record."""
    folder = out_dir / outcome.input.name
    for relative, data in outcome.files.items():
        with atomic_output(folder / relative) as temporary:
            temporary.write_bytes(data)
    record = {
        "input": outcome.input.source, "name": outcome.input.name, "content_sha256": outcome.content_sha256,
        "settings_key": settings_key, "settings": settings, "error": outcome.error,
        "error_is_the_videos": outcome.error_is_the_videos, "summary": outcome.summary,
        **outcome.facts, "files": sorted(outcome.files), "worker": outcome.worker,
        "elapsed_s": round(outcome.elapsed_s, 2),
    }
    with atomic_output(folder / RESULT_FILE) as temporary:
        temporary.write_text(json.dumps(record, indent=2, default=str))
    return record


def finished_record(out_dir: Path, item: BatchInput, content_sha256: str, settings_key: str) -> dict | None:
    """The record of an earlier run that finished this video from the same bytes with the same
    settings (its files all there), else None: a changed video, or one whose run failed for a
    reason other than the video itself (see VideoOutcome.error_is_the_videos), is run again."""
    try:
        record = json.loads((out_dir / item.name / RESULT_FILE).read_text())
    except (OSError, ValueError):
        return None
    if (record.get("content_sha256"), record.get("settings_key")) != (content_sha256, settings_key):
        return None
    if record.get("error") and not record.get("error_is_the_videos"):
        return None
    if not all((out_dir / item.name / relative).is_file() for relative in record.get("files", [])):
        return None
    return {**record, "input": item.source}
