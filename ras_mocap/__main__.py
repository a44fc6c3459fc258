"""Headless CLI on the `bpy` module.

    python -m ras_mocap bake VIDEO_OR_TRACK --out OUT.blend [--bvh OUT.bvh]
    python -m ras_mocap track VIDEO --out TRACK.npz
    python -m ras_mocap people VIDEO [--sheet people.png]
    python -m ras_mocap capture (--camera N | --replay VIDEO) --seconds S --out TRACK.npz
    python -m ras_mocap rig --out RIG.blend [--track TRACK.npz]
    python -m ras_mocap gait VIDEO_OR_TRACK --report DIR
    python -m ras_mocap batch INPUTS... --out DIR [--scheduler tcp://HOST:8786] [--bake]
    python -m ras_mocap cameras
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from datetime import datetime
from pathlib import Path

from .capture.detector import RegionOfInterest
from .capture.models import MODEL_ENV_VAR, MODEL_VARIANTS, default_cache_dir, resolve_model
from .capture.native_logs import show_native_logs
from .capture.subject import AUTO_RULE, SUBJECT_RULES, SubjectChoice
from .core.cleaning import CleaningSettings
from .core.errors import InputError, RasMocapError
from .core.interrupts import HeldInterrupt
from .core.gait.report import summary_line
from .core.outputs import check_output_folder, check_output_path, with_suffix
from .core.retarget import PROFILE_NAMES, RetargetProfile
from .core.rootmotion import DEFAULT_FOV_DEG
from .core.track import Track
from .version import version

SUBJECT_HELP = (
    f"who the subject is when several people are found (see the `people` command): 'auto' (default) is {AUTO_RULE}; "
    "'largest' / 'central': the person largest / nearest the centre over the clip; a number: that person "
    "of the `people` listing (same video, range, model and region). Live (capture) there is no people pass: "
    "the largest (or most central) person at the start is followed."
)


MANNEQUIN_HELP = ("a new RAS rig comes with a mannequin mesh skinned to it, to see the motion in the viewport "
                  "and in renders (default; --no-mannequin: bones only)")


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


def _detection_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    group = options.add_argument_group("detection")
    group.add_argument("--model", choices=MODEL_VARIANTS,
                       help=f"BlazePose variant (default: {MODEL_ENV_VAR}'s file if it is set, else full)")
    group.add_argument("--model-path", type=Path, help=f"a PoseLandmarker .task file (wins over --model and {MODEL_ENV_VAR})")
    group.add_argument("--download", action="store_true", help="download the official model if none is cached")
    group.add_argument("--roi", type=_roi, help="only look at this pixel rectangle x0,y0,x1,y1 (around the subject)")
    group.add_argument("--subject", default="auto", metavar="auto|largest|central|ID", help=SUBJECT_HELP)
    group.add_argument("--subject-at", metavar="X,Y[@FRAME]",
                       help="the subject is the person nearest this pixel at this video frame (default frame: the first)")
    group.add_argument("--num-poses", type=int, default=4,
                       help="people BlazePose follows at once (default 4); 1: only one person is in view, "
                            "no people pass (fastest)")
    return options


def _video_range_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    group = options.add_argument_group("video range")
    group.add_argument("--start", type=int, default=0, help="first video frame (0-based)")
    group.add_argument("--end", type=int, help="video frame to stop before")
    group.add_argument("--stride", type=int, default=1, help="track every n-th frame (default 1)")
    return options


def _cleaning_options() -> argparse.ArgumentParser:
    defaults = CleaningSettings()
    options = argparse.ArgumentParser(add_help=False)
    group = options.add_argument_group("cleaning (applied when baking; saved tracks stay raw)")
    group.add_argument("--cutoff-hz", type=float, default=defaults.cutoff_hz,
                       help=f"zero-lag low-pass cutoff (default {defaults.cutoff_hz:g} Hz; 0 = off)")
    group.add_argument("--max-gap-s", type=float, default=defaults.max_gap_s,
                       help=f"bridge gaps up to this long (default {defaults.max_gap_s:g} s); longer gaps hold the pose")
    group.add_argument("--keep-swaps", action="store_true", help="do not undo left/right leg swaps")
    return options


def _body_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    group = options.add_argument_group("body and camera (the whole-clip fit)")
    group.add_argument("--height-m", type=float,
                       help="the person's body height: sets the metric scale (default: BlazePose's own)")
    group.add_argument("--fov-deg", type=float,
                       help="the camera's field of view across the image's longer side (default: the one the video's "
                            f"metadata states, as iPhones write it, else {DEFAULT_FOV_DEG:g}; a phone's main camera is "
                            "about 65-70, a webcam 60-80)")
    return options


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ras_mocap", description="Single-camera motion capture on Blender's bpy module.",
                                     epilog="Exit status: 0 done, 2 a problem with the input or an output (one error: "
                                            "line), 130 interrupted (what was done is kept), 1 a bug (a traceback and a log).")
    parser.add_argument("--version", action="version", version=f"RAS Mocap {version()}")
    parser.add_argument("-v", "--verbose", action="store_true", help="also show MediaPipe's own log lines")
    commands = parser.add_subparsers(dest="command", required=True)
    detection, video_range, cleaning = _detection_options(), _video_range_options(), _cleaning_options()
    body = _body_options()

    bake = commands.add_parser("bake", parents=[detection, video_range, cleaning, body],
                               help="track a video (or load a track) and bake it onto a rig in a .blend")
    bake.add_argument("input", type=Path, help="a video file, or a landmark track (.npz) saved earlier")
    bake.add_argument("--out", type=Path, required=True, help="the .blend to write")
    bake.add_argument("--bvh", type=Path, help="also export the animation as BVH")
    bake.add_argument("--track", type=Path, help="where to save the landmark track (default: OUT with .npz)")
    target = bake.add_argument_group("target rig (default: a new RAS rig sized from the person)")
    target.add_argument("--onto", type=Path, help="a .blend with your character's armature to key instead")
    target.add_argument("--armature", help="the armature object in --onto, if it holds several")
    target.add_argument("--profile", default=None,
                        help=f"which bone is which: {', '.join(PROFILE_NAMES)} or a JSON bone map "
                             "(default: ras, or mixamo for bones named mixamorig:...)")
    target.add_argument("--mannequin", action=argparse.BooleanOptionalAction, default=True,
                        help=MANNEQUIN_HELP)

    track = commands.add_parser("track", parents=[detection, video_range], help="detect only: a video -> a landmark track (.npz)")
    track.add_argument("input", type=Path, help="a video file")
    track.add_argument("--out", type=Path, required=True, help="the track (.npz) to write")

    capture = commands.add_parser("capture", parents=[detection], help="record a live take from a camera into a track (.npz)")
    where = capture.add_mutually_exclusive_group(required=True)
    where.add_argument("--camera", type=int, help="camera index (see `cameras`)")
    where.add_argument("--replay", type=Path, help="replay a video file at its frame rate, as if it were a camera")
    capture.add_argument("--seconds", type=float, default=10.0, help="length of the take (default 10 s)")
    capture.add_argument("--size", help="requested camera size WxH, e.g. 1280x720")
    capture.add_argument("--fps", type=float, help="requested camera frame rate")
    capture.add_argument("--mirror", action="store_true", help="mirror the image (a selfie view)")
    capture.add_argument("--out", type=Path, required=True, help="the track (.npz) to write")

    rig = commands.add_parser("rig", help="write a .blend with the RAS rig (IK legs and arms, FK/IK switch)")
    rig.add_argument("--out", type=Path, required=True, help="the .blend to write")
    rig.add_argument("--track", type=Path, help="size the rig from the person in this track (default: a 1.75 m adult)")
    rig.add_argument("--mannequin", action=argparse.BooleanOptionalAction, default=True, help=MANNEQUIN_HELP)

    people = commands.add_parser("people", parents=[detection, video_range],
                                 help="list the people in a video (ids for --subject) and who 'auto' takes")
    people.add_argument("input", type=Path, help="a video file")
    people.add_argument("--sheet", type=Path, help="also draw a contact sheet: frames with every person's box and id (PNG)")

    gait = commands.add_parser("gait", parents=[detection, video_range, cleaning, body],
                               help="gait analysis of a walk: angles, events, spatio-temporal parameters, cycles")
    gait.add_argument("input", type=Path, help="a video file, or a landmark track (.npz) saved earlier")
    gait.add_argument("--report", type=Path, required=True,
                      help="folder for angles.csv, events.csv, summary.json and cycles.png")

    batch = commands.add_parser(
        "batch", parents=[detection, cleaning, body],
        help="many videos on Dask: a track, a gait report (and with --bake a .blend and BVH) for each, one table",
        description="Track and analyse many videos on Dask's distributed scheduler (pip install -r "
                    "requirements-batch.txt). A rerun skips each video finished before from the same bytes "
                    "with the same settings; a video that fails is reported and the others go on.")
    batch.add_argument("inputs", nargs="+", help="videos: files, folders (searched to any depth) and glob patterns, "
                                                 "local or URLs Dask's file system layer (fsspec) reads")
    batch.add_argument("--out", type=Path, required=True,
                       help="folder for each video's outputs (mirroring the inputs' tree), gait_table.parquet/.csv, "
                            "summary.png and batch.log")
    batch.add_argument("--scheduler", help="a running Dask scheduler, e.g. tcp://HOST:8786 (default: a local cluster)")
    batch.add_argument("--workers", type=int, help="workers of the local cluster (default: one a core)")
    batch.add_argument("--bake", action="store_true", help="also bake each video onto a RAS rig: NAME.blend and NAME.bvh")

    commands.add_parser("cameras", help="list the camera indices that open")
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


def _tracking_settings(args: argparse.Namespace):
    from .capture.tracking import TrackingSettings

    if args.num_poses < 1:
        raise InputError("--num-poses must be 1 or more")
    subject = SubjectChoice.parse(args.subject, args.subject_at)
    model, why = _model(args)
    print(f"model: {model} ({why})")
    return TrackingSettings(model, args.roi, subject, args.num_poses)


def _model(args: argparse.Namespace) -> tuple[Path, str]:
    """The model file and why it was chosen: a flag wins over the environment, the environment
    over the default variant."""
    if args.model_path:
        return resolve_model(explicit_path=args.model_path), "--model-path"
    if args.model:
        return resolve_model(args.model, allow_download=args.download, progress=_download_progress()), f"--model {args.model}"
    if os.environ.get(MODEL_ENV_VAR):
        return resolve_model(explicit_path=os.environ[MODEL_ENV_VAR]), MODEL_ENV_VAR
    return resolve_model("full", allow_download=args.download, progress=_download_progress()), "the default variant"


def _stage_progress(bars: dict, unit: str = "frame"):
    """A tqdm bar per stage ("people", then "tracking"; "fitting")."""
    from tqdm import tqdm

    def progress(done: int, total: int, stage: str) -> None:
        if stage not in bars:
            for bar in bars.values():
                bar.close()
            bars[stage] = tqdm(total=total, unit=unit, desc=stage)
        bars[stage].update(done - bars[stage].n)

    return progress


def _between_frames(progress, held: HeldInterrupt):
    """A progress callback that raises a held Ctrl-C once the frame in hand is done."""

    def report(done: int, total: int, stage: str) -> None:
        progress(done, total, stage)
        held.check()

    return report


def _summary(track: Track, elapsed_s: float) -> str:
    return (f"tracked {len(track)} frames in {elapsed_s:.1f} s ({1000 * elapsed_s / max(len(track), 1):.1f} ms/frame), "
            f"person found in {track.found.sum()} ({100 * track.detection_rate:.0f}%)")


def _cleaning_settings(args: argparse.Namespace) -> CleaningSettings:
    return CleaningSettings(max_gap_s=args.max_gap_s, fix_swaps=not args.keep_swaps, cutoff_hz=args.cutoff_hz or None)


def _checked_settings(args: argparse.Namespace, track: Track | None) -> CleaningSettings:
    """The body, camera and cleaning settings, checked against the input's frame rate (the saved
    `track`'s, else the video's) before any detection: a cutoff at or above Nyquist or a height
    no person has fails in a second, not after minutes of tracking."""
    from .capture.sources import VideoFileSource
    from .core.pipeline import check_fit_options

    check_fit_options(args.height_m, args.fov_deg)
    cleaning = _cleaning_settings(args)
    if track is not None:
        cleaning.check_rate(track.sample_rate_hz)
    else:
        with VideoFileSource(args.input, args.start, args.end, args.stride) as video:
            cleaning.check_rate(video.fps / video.stride)
    return cleaning


def _saved_track(path: Path) -> Track | None:
    """The input loaded, if it is a saved track (.npz) rather than a video."""
    return Track.load(path) if path.suffix.lower() == ".npz" else None


def _track_video(args: argparse.Namespace, save_partial_to: Path | None = None) -> Track:
    """Track the video; on Ctrl-C the frames tracked so far are saved to `save_partial_to` (if
    given) and KeyboardInterrupt says where."""
    from .capture.tracking import TrackingInterrupted, track_video

    settings = _tracking_settings(args)
    bars: dict = {}
    started = time.perf_counter()
    try:
        with HeldInterrupt() as held:
            track = track_video(args.input, settings, args.start, args.end, args.stride,
                                _between_frames(_stage_progress(bars), held))
    except TrackingInterrupted as stopped:
        _close(bars)
        if save_partial_to is None or not stopped.track.found.any():
            raise KeyboardInterrupt(f"nobody was found in the {len(stopped.track)} frames tracked so far; "
                                    "nothing was saved") from None
        path = stopped.track.save(save_partial_to)
        raise KeyboardInterrupt(f"the {len(stopped.track)} frames tracked so far are saved in {path}") from None
    finally:
        _close(bars)
    if track.meta.get("subject_id"):
        print(f"subject: person {track.meta['subject_id']} of {len(track.meta['people'])} ({track.meta['subject_reason']})")
    elif "subject_reason" in track.meta:
        print(f"subject: {track.meta['subject_reason']}")
    print(_summary(track, time.perf_counter() - started))
    return track


def _close(bars: dict) -> None:
    for bar in bars.values():
        bar.close()
    bars.clear()


def _people(args: argparse.Namespace) -> None:
    from .capture.people import people_table
    from .capture.people_sheet import draw_people_sheet, write_png
    from .capture.tracking import find_subject

    sheet = check_output_path(args.sheet, (".png",), "--sheet") if args.sheet else None
    settings = _tracking_settings(args)
    bars: dict = {}
    try:
        with HeldInterrupt() as held:
            people, subject, reason = find_subject(args.input, settings, args.start, args.end,
                                                   _between_frames(_stage_progress(bars), held))
    finally:
        _close(bars)
    print(f"{len(people.persons)} people in {len(people.sampled_frames)} sampled frames "
          f"(every {people.sample_stride} frames; bh = body heights)")
    subject_id = subject.id if subject else None
    print(people_table(people, subject_id, reason) if people.persons else "nobody was found")
    if sheet:
        print(f"sheet: {write_png(draw_people_sheet(args.input, people, subject_id), sheet)}")


def _bake(args: argparse.Namespace) -> None:
    blend = check_output_path(args.out, (".blend",), "--out")
    bvh = check_output_path(args.bvh, (".bvh",), "--bvh") if args.bvh else None
    track = _saved_track(args.input)
    cleaning = _checked_settings(args, track)
    profile = RetargetProfile.load(args.profile) if args.profile else None
    if args.onto:
        from .blender.bake import check_character

        check_character(args.onto, args.armature, profile)
    if track is not None:
        track_path = args.input.absolute()
    else:
        track_path = check_output_path(with_suffix(args.track or blend.with_suffix(".npz"), ".npz"), (".npz",), "--track")
        track = _track_video(args, save_partial_to=track_path)
        track_path = track.save(track_path)
        print(f"track: {track_path}")
    clip = _fit(track, cleaning, args)
    from .blender.bake import bake_to_files

    result = bake_to_files(track, blend, bvh, cleaning, args.onto, args.armature, profile, track_path,
                           args.height_m, args.fov_deg, clip, args.mannequin)
    print(f"baked frames {result.frame_start}-{result.frame_end} onto {result.rig_name} "
          f"as action {result.action_name!r}")
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"blend: {blend}" + (f"\nbvh: {bvh}" if bvh else ""))


def _fit(track: Track, cleaning: CleaningSettings, args: argparse.Namespace):
    """The cleaned track's whole-clip fit, with a bar of its steps and a line of what it took."""
    from .core.pipeline import fit_clip

    bars: dict = {}
    started = time.perf_counter()
    try:
        clip = fit_clip(track, cleaning, args.height_m, args.fov_deg, _stage_progress(bars, unit="step"))
    finally:
        _close(bars)
    elapsed_s = time.perf_counter() - started
    meta = clip.body.meta
    print(f"fitted {int(clip.valid.sum())} frames in {elapsed_s:.1f} s ({meta['iterations']} steps); "
          f"field of view {meta['fov_deg']:g} deg, {meta['fov_from']}")
    return clip


def _gait(args: argparse.Namespace) -> None:
    from .core.gait.report import REPORT_FILES, report_track, source_record

    report = check_output_folder(args.report, "--report folder")
    track = _saved_track(args.input)
    cleaning = _checked_settings(args, track)
    if track is None:
        track = _track_video(args)
    analysis = report_track(track, report, cleaning, args.height_m, args.fov_deg, source_record(str(args.input), track))
    summary = analysis.summary
    print(f"{len(analysis.passes)} walking pass(es), {summary['steps']} steps: {summary_line(summary)}")
    print("\n".join(f"{name}: {report / name}" for name in REPORT_FILES))


def _batch(args: argparse.Namespace) -> None:
    import hashlib

    try:
        from .batch.runner import run_batch
    except ImportError as exc:
        raise InputError(f"the batch command needs Dask ({exc.name} is missing): "
                         "pip install -r requirements-batch.txt") from None
    from .batch.inputs import expand_inputs
    from .batch.job import BatchSettings
    from .core.pipeline import check_fit_options
    from tqdm import tqdm

    out_dir = check_output_folder(args.out, "--out folder")
    if args.workers is not None and args.workers < 1:
        raise InputError("--workers must be 1 or more")
    inputs = expand_inputs(args.inputs)
    check_fit_options(args.height_m, args.fov_deg)
    tracking = _tracking_settings(args)
    model = tracking.model_path.read_bytes()
    settings = BatchSettings(
        tracking.model_path.name, hashlib.sha256(model).hexdigest(), tracking.roi, tracking.subject, tracking.num_poses,
        _cleaning_settings(args), args.height_m, args.fov_deg, args.bake)
    print(f"{len(inputs)} videos into {out_dir}")
    bar = None

    def progress(total: int):
        nonlocal bar
        bar = tqdm(total=total, unit="video", desc="videos")
        return lambda: bar.update(1)

    try:
        result = run_batch(inputs, out_dir, settings, model, args.scheduler, args.workers, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    for record in result.failed:
        print(f"failed: {record['name']}: {record['error']}")
    print(f"ran {result.ran}, skipped {result.skipped} (finished before), failed {len(result.failed)}")
    print("\n".join(f"{kind}: {path}" for kind, path in result.paths.items()))
    if result.interrupted:
        raise KeyboardInterrupt(f"{len(result.records)} of {len(inputs)} videos are done and kept in {out_dir}; "
                                "the same command again runs the rest")
    if result.failed:
        raise InputError(f"{len(result.failed)} of {len(inputs)} videos failed (see {out_dir / 'batch.log'})")


def _track(args: argparse.Namespace) -> None:
    out = check_output_path(with_suffix(args.out, ".npz"), (".npz",), "--out")
    print(f"track: {_track_video(args, save_partial_to=out).save(out)}")


def _capture(args: argparse.Namespace) -> None:
    from .capture.live import record_take
    from .capture.sources import ReplaySource, WebcamSource

    out = check_output_path(with_suffix(args.out, ".npz"), (".npz",), "--out")
    if args.replay:
        def open_source():
            return ReplaySource(args.replay)
        name = str(args.replay.resolve())
    else:
        width, height = _size(args.size) if args.size else (None, None)

        def open_source():
            return WebcamSource(args.camera, width, height, args.fps, args.mirror)
        name = f"camera {args.camera}"
    settings = _tracking_settings(args)
    if settings.subject.rule not in SUBJECT_RULES:
        raise InputError("live capture has no people pass: --subject takes auto, largest or central")
    from tqdm import tqdm

    with tqdm(total=round(args.seconds, 1), unit="s", desc="recording", bar_format="{desc}: {n:.1f}/{total} s") as bar:
        take = record_take(open_source, settings, args.seconds, {"source": name},
                           progress=lambda seconds: bar.update(round(min(seconds, args.seconds), 1) - bar.n))
    print(take.message)
    print(_summary(take.track, take.elapsed_s) + f", {take.frames_dropped} dropped by the source")
    path = take.track.save(out)
    if take.interrupted:
        raise KeyboardInterrupt(f"the take so far ({take.elapsed_s:.1f} s) is saved in {path}")
    print(f"track: {path}")


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise InputError(f"--size takes WIDTHxHEIGHT, e.g. 1280x720, not {text!r}") from None
    return width, height


def _rig(args: argparse.Namespace) -> None:
    from .core.rig_spec import BodyLengths, body_lengths_from_world

    lengths = BodyLengths()
    if args.track:
        track = Track.load(args.track)
        if not track.found.any():
            raise InputError(f"nobody was detected in {args.track}; cannot size a rig from it")
        lengths = body_lengths_from_world(track.world_xyz_m[track.found])
    from .blender.bake import rig_to_file

    print(f"rig: {rig_to_file(lengths, check_output_path(args.out, ('.blend',), '--out'), args.mannequin)} (thigh {lengths.thigh_m:.3f} m, shin {lengths.shin_m:.3f} m)")


def _cameras(_args: argparse.Namespace) -> None:
    from .capture.sources import list_cameras

    cameras = list_cameras()
    print("\n".join(f"camera {i}" for i in cameras) if cameras else "no camera opens on this machine")


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit status (see the parser's epilog)."""
    args = _parser().parse_args(argv)
    show_native_logs(args.verbose)
    commands = {"bake": _bake, "track": _track, "people": _people, "capture": _capture, "rig": _rig,
                "cameras": _cameras, "gait": _gait, "batch": _batch}
    try:
        commands[args.command](args)
    except RasMocapError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print(f"error: interrupted{f'; {exc}' if str(exc) else ''}", file=sys.stderr)
        return 130
    except Exception:  # a bug: the whole story, kept where the user can send it
        traceback.print_exc()
        print(f"error: this is a bug in RAS Mocap {version()}; please report it with {_crash_log()}", file=sys.stderr)
        return 1
    return 0


def _crash_log() -> Path:
    """Write the current exception's traceback and the command line to a log file; its path."""
    folder = default_cache_dir().parent / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / f"crash-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.log"
    log.write_text(f"RAS Mocap {version()}, Python {sys.version.split()[0]}\n{' '.join(sys.argv)}\n\n"
                   + traceback.format_exc())
    return log


if __name__ == "__main__":
    sys.exit(main())
