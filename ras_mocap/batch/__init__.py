"""Many videos on Dask (the `batch` command): inputs.py (INPUTS -> videos and their output
names) -> job.py (one video on a worker: track, gait report, bake) -> outputs.py (its files in
DIR, and what a rerun may skip) -> table.py and plot.py (the whole batch); runner.py drives them."""
