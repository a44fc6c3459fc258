"""`batch` on 8 clips: 2 workers against 1, side by side in one run (issue 16; goal: >= 1.7x).

    PYTHONPATH=.:bench python bench/batch_speedup.py [--model full] [--repeat 1] [--no-every-core]

Each run is the whole CLI command, cluster start included, into an empty folder. The workers of a
host split its cores (each one's threads, MediaPipe's among them, held to its share), so:
  - 1 worker: the machine's every core (what one process gets);
  - 1 worker on 1 core (`taskset -c 0`, Linux): the scaling baseline, one core a worker;
  - 2 workers: one core each.
--no-every-core leaves out the first (`make bench` does, for time: the goal's baseline is the second).
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from clips import POSE2SIM, SHARED, model

REPO = Path(__file__).resolve().parents[1]
CLIPS = [SHARED / "fixtures" / "synthetic" / f"walk_{view}.mp4" for view in ("side", "front", "away")] + [POSE2SIM]


def eight_clips(folder: Path) -> Path:
    """The four clips, each twice under another name: 8 videos."""
    folder.mkdir(parents=True, exist_ok=True)
    for copy in ("a", "b"):
        for clip in CLIPS:
            shutil.copy(clip, folder / f"{clip.stem}_{copy}{clip.suffix}")
    return folder


def run(inputs: Path, out: Path, workers: int, model_path: Path, pin_one_core: bool) -> tuple[float, float, list[float]]:
    """Wall seconds of one batch command, the busiest worker's seconds in tasks (the span of the
    work; the rest of the wall time is the batch's fixed cost: cluster start and stop, the
    table), and each video's task seconds (from the result.json files)."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "ras_mocap", "batch", str(inputs), "--out", str(out), "--workers", str(workers),
               "--model-path", str(model_path)]
    if pin_one_core:
        command = ["taskset", "-c", "0", *command]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    wall_s = time.perf_counter() - started
    if done.returncode not in (0, 2):  # 2: a clip without a walk is reported, the run is whole
        raise SystemExit(done.stderr[-3000:])
    records = [json.loads(p.read_text()) for p in out.rglob("result.json")]
    if len(records) != 8:
        raise SystemExit(f"{len(records)} of 8 videos finished:\n{done.stdout}\n{done.stderr[-2000:]}")
    busy: dict[str, float] = {}
    for record in records:
        busy[record["worker"]] = busy.get(record["worker"], 0.0) + record["elapsed_s"]
    return wall_s, max(busy.values()), [record["elapsed_s"] for record in records]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="full", choices=("lite", "full", "heavy"))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-every-core", action="store_true", help="leave out the 1-worker, every-core run")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="ras_mocap_batch_bench_"))
    inputs = eight_clips(scratch / "in")
    setups = [("2 workers, 1 core each", 2, False)]
    if not args.no_every_core or not shutil.which("taskset"):
        setups.insert(0, ("1 worker, every core", 1, False))
    if shutil.which("taskset"):
        setups.insert(len(setups) - 1, ("1 worker on 1 core", 1, True))
    results: dict[str, list[tuple[float, float, list[float]]]] = {name: [] for name, _, _ in setups}
    for _ in range(args.repeat):  # interleaved, so a slower spell of the machine hits every setup
        for name, workers, pinned in setups:
            results[name].append(run(inputs, scratch / "out", workers, model(args.model), pinned))
    shutil.rmtree(scratch, ignore_errors=True)
    wall = {name: statistics.median(w for w, _, _ in runs) for name, runs in results.items()}
    span = {name: statistics.median(s for _, s, _ in runs) for name, runs in results.items()}
    print(f"8 clips ({', '.join(c.name for c in CLIPS)}, twice each), model {args.model}, "
          f"median of {args.repeat} run(s), cluster start included")
    print()
    print("| setup | wall s | videos/min | task s (mean) | busiest worker s | fixed cost s |")
    print("|---|---|---|---|---|---|")
    for name, runs in results.items():
        tasks = [t for _, _, ts in runs for t in ts]
        print(f"| {name} | {wall[name]:.1f} | {8 * 60 / wall[name]:.1f} | {statistics.mean(tasks):.1f} "
              f"| {span[name]:.1f} | {wall[name] - span[name]:.1f} |")
    print()
    two = "2 workers, 1 core each"
    for baseline in (name for name in wall if name != two):
        print(f"2 workers vs {baseline}: {wall[baseline] / wall[two]:.2f}x wall "
              f"(goal 1.7x), {span[baseline] / span[two]:.2f}x in the tasks' span")


if __name__ == "__main__":
    main()
