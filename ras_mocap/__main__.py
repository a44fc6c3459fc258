"""Headless CLI on the `bpy` module: `python -m ras_mocap bake VIDEO --out OUT.blend`."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .capture.detector import RegionOfInterest
from .capture.models import MODEL_VARIANTS, ModelError, resolve_model
from .capture.sources import SourceError
from .capture.track import Track, TrackError


def _roi(text: str) -> RegionOfInterest:
    """'x0,y0,x1,y1' in pixels; an empty field means the frame's edge (e.g. ',470,,')."""
    fields = text.split(",")
    if len(fields) != 4:
        raise argparse.ArgumentTypeError("--roi takes x0,y0,x1,y1 (pixels; leave a field empty for the frame edge)")
    try:
        x0, y0, x1, y1 = (int(f) if f.strip() else None for f in fields)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--roi: not whole pixel numbers: {text!r}") from None
    return RegionOfInterest(x0 or 0, y0 or 0, x1, y1)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ras_mocap", description="Single-camera motion capture on Blender's bpy module.")
    commands = parser.add_subparsers(dest="command", required=True)
    bake = commands.add_parser("bake", help="track a video (or load a track) and bake it onto a rig in a .blend")
    bake.add_argument("input", type=Path, help="a video file, or a landmark track (.npz) saved by an earlier bake")
    bake.add_argument("--out", type=Path, required=True, help="the .blend to write")
    bake.add_argument("--bvh", type=Path, help="also export the animation as BVH")
    bake.add_argument("--track", type=Path, help="where to save the landmark track (default: OUT with .npz)")
    bake.add_argument("--model", choices=MODEL_VARIANTS, default="full", help="BlazePose variant (default: full)")
    bake.add_argument("--model-path", type=Path, help="a PoseLandmarker .task file (or set RAS_MOCAP_MODEL)")
    bake.add_argument("--download", action="store_true", help="download the official model if none is cached")
    bake.add_argument("--start", type=int, default=0, help="first video frame (0-based)")
    bake.add_argument("--end", type=int, help="video frame to stop before")
    bake.add_argument("--roi", type=_roi, help="only look at this pixel rectangle x0,y0,x1,y1 (to skip bystanders)")
    return parser


def _download_progress():
    from tqdm import tqdm

    bar = None

    def update(received: int, total: int | None) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="B", unit_scale=True, desc="model download")
        bar.update(received - bar.n)

    return update


def _track(args: argparse.Namespace) -> Track:
    if args.input.suffix.lower() == ".npz":
        return Track.load(args.input)
    from tqdm import tqdm

    from .capture.tracking import track_video

    model = resolve_model(args.model, args.model_path, allow_download=args.download, progress=_download_progress())
    print(f"model: {model}")
    with tqdm(unit="frame", desc="tracking") as bar:
        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        started = time.perf_counter()
        track = track_video(args.input, model, args.start, args.end, args.roi, progress)
    elapsed = time.perf_counter() - started
    print(f"tracked {len(track)} frames in {elapsed:.1f} s ({1000 * elapsed / len(track):.1f} ms/frame), "
          f"person found in {track.found.sum()} ({100 * track.detection_rate:.0f}%)")
    track_path = args.track or args.out.with_suffix(".npz")
    print(f"track: {track.save(track_path)}")
    return track


def _bake(args: argparse.Namespace) -> None:
    track = _track(args)
    from .blender.bake import bake_to_files

    result = bake_to_files(track, args.out, args.bvh)
    print(f"baked frames {result.frame_start}-{result.frame_end} onto {result.rig_name} "
          f"as action {result.action_name!r}")
    print(f"blend: {args.out}" + (f"\nbvh: {args.bvh}" if args.bvh else ""))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "bake":
            _bake(args)
    except (ModelError, SourceError, TrackError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
