# RAS Mocap: one entry point.  `make demo` and `make test` set everything up themselves.
#   BLENDER=5.2 (default: bpy 5.2.3, Python 3.13) or BLENDER=4.2 (bpy 4.2.23, Python 3.11);
#   `make test-matrix` also runs the suite on the releases between: 4.5 (bpy 4.5.3) and 5.0 (bpy 5.0.1).

BLENDER ?= 5.2
BPY_4.2 := bpy==4.2.23
BPY_4.5 := bpy==4.5.3
BPY_5.0 := bpy==5.0.1
BPY_5.2 := bpy==5.2.3
BPY := $(BPY_$(BLENDER))
ifeq ($(BPY),)
  $(error BLENDER must be 5.2, 5.0, 4.5 or 4.2)
endif
ifeq ($(BLENDER),5.2)
  PY_VERSION := 3.13
  CONSTRAINTS :=
else  # Blender 4.2 to 5.0: Python 3.11 and the numpy 1.26 they ship
  PY_VERSION := 3.11
  CONSTRAINTS := -c constraints-blender-4.2.txt
endif

VENV := .venv-$(BLENDER)
PY := $(VENV)/bin/python
PYTHON ?= $(shell sh tools/find_python.sh $(PY_VERSION))
DEMO := demo_out

.PHONY: venv demo test test-4.2 test-matrix bench extension clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-extension.txt requirements-batch.txt constraints-blender-4.2.txt
	@test -n "$(PYTHON)" || exit 1
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(BPY) -r requirements.txt -r requirements-batch.txt $(CONSTRAINTS)
	$(PY) -m pip install --quiet --no-deps -r requirements-extension.txt
	touch $@

demo: venv
	@if [ -z "$$RAS_MOCAP_MODEL" ]; then echo "RAS_MOCAP_MODEL is not set: downloading the official BlazePose model (offline? set RAS_MOCAP_MODEL=/path/to/pose_landmarker_full.task)"; fi
	$(PY) tools/fetch_demo_video.py $(DEMO)/sports2d_demo_walk.mp4
	$(PY) -m ras_mocap bake $(DEMO)/sports2d_demo_walk.mp4 --download \
		--out $(DEMO)/walk.blend --bvh $(DEMO)/walk.bvh
	$(PY) -m ras_mocap gait $(DEMO)/walk.npz --report $(DEMO)/gait

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

test-4.2:  # the cases marked `once` (pytest.ini) run on 5.2 only
	$(MAKE) test BLENDER=4.2 PYTEST_ARGS='-m "not once"'

test-matrix:
	$(MAKE) test BLENDER=5.2
	$(MAKE) test BLENDER=5.0
	$(MAKE) test BLENDER=4.5
	$(MAKE) test BLENDER=4.2

bench: venv  # every benchmark (about 10 minutes on 2 cores); rewrites BENCHMARKS.md's sections
	$(PY) bench/run_all.py

extension: venv
	$(PY) tools/build_extension.py --out dist

clean:
	rm -rf .venv-5.2 .venv-5.0 .venv-4.5 .venv-4.2 $(DEMO) dist .pytest_cache
