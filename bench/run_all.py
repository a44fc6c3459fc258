"""`make bench`: every benchmark, one after another, each one's output written into its section
of BENCHMARKS.md (between `<!-- bench: NAME -->` and `<!-- /bench -->`), with its command.

    PYTHONPATH=.:bench python bench/run_all.py [--only NAME ...] [--dry-run]

The sizes here keep the whole run under 10 minutes on 2 cores; each script's own defaults (in its
docstring) are the longer runs BENCHMARKS.md also quotes. Left out for time: the live minutes of
the memory run (the live session's own memory is issue 14's long run), the batch's one-worker run
on every core (the goal's baseline is one worker on one core), and the people pass's full model
(lite, as the bake throughput: the pass's share is the larger there). Markdown tables a script prints stay
tables; its other lines go in a code block.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = REPO / "BENCHMARKS.md"

RUNS: dict[str, list[str]] = {
    "bake_throughput": ["bake_throughput.py", "--frames", "600"],
    "detector_modes": ["detector_modes.py"],
    "live_latency": ["live_latency.py", "--seconds", "20"],
    "memory": ["long_session.py", "--live-minutes", "0", "--bake-frames", "3000", "--fit-sizes"],
    "fit_speed": ["fit_speed.py", "--repeat", "1", "--frames", "3000"],
    "model_choice": ["model_choice.py"],
    "people_pass": ["people_pass.py", "../shared/fixtures/video/sports2d_demo_walk.mp4", "--model", "lite", "--repeat", "1"],
    "batch_speedup": ["batch_speedup.py", "--model", "lite", "--no-every-core"],
}


BLENDER_CHATTER = re.compile(r"^(Info: |BVH Exported: |\s*$)")
"""What Blender prints on its own as it saves (not the benchmark's output)."""


def as_markdown(output: str) -> str:
    """Table lines as they are, runs of other lines fenced; Blender's own lines left out."""
    blocks: list[tuple[bool, list[str]]] = []
    for line in output.strip().splitlines():
        if BLENDER_CHATTER.match(line):
            continue
        table = line.startswith("|")
        if not blocks or blocks[-1][0] != table:
            blocks.append((table, []))
        blocks[-1][1].append(line)
    return "\n\n".join("\n".join(lines) if table else "```\n" + "\n".join(lines) + "\n```" for table, lines in blocks)


def write_section(text: str, name: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- bench: {re.escape(name)} -->\n).*?(<!-- /bench -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"BENCHMARKS.md has no section <!-- bench: {name} -->")
    return pattern.sub(lambda match: match.group(1) + body + "\n" + match.group(2), text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=list(RUNS), default=list(RUNS))
    parser.add_argument("--dry-run", action="store_true", help="print, do not rewrite BENCHMARKS.md")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "bench")])}
    started = time.perf_counter()
    for name in args.only:
        command = RUNS[name]
        began = time.perf_counter()
        run = subprocess.run([sys.executable, str(REPO / "bench" / command[0]), *command[1:]], cwd=REPO, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        seconds = time.perf_counter() - began
        if run.returncode:
            raise SystemExit(f"{command[0]} failed (exit {run.returncode}):\n{run.stdout[-2000:]}")
        print(f"== {name}: {seconds:.0f} s\n{as_markdown(run.stdout)}", flush=True)
        body = (f"Measured by `make bench` ({time.strftime('%Y-%m-%d')}, {seconds:.0f} s):\n\n"
                f"    PYTHONPATH=.:bench python bench/{' '.join(command)}\n\n{as_markdown(run.stdout)}")
        if not args.dry_run:
            BENCHMARKS.write_text(write_section(BENCHMARKS.read_text(), name, body))
    print(f"all benchmarks: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
