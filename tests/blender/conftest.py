import pytest


@pytest.fixture(autouse=True)
def _factory_reset(bpy_clean):
    """Every Blender test starts from factory settings and an empty scene."""
    return bpy_clean


@pytest.fixture
def addon(monkeypatch):
    """RAS Mocap registered (as a module: no add-on preferences), the lite model chosen; its
    scene settings."""
    import bpy

    import ras_mocap
    from tests.conftest import model_path

    monkeypatch.setenv("RAS_MOCAP_MODEL", str(model_path("lite")))
    ras_mocap.register()
    yield bpy.context.scene.ras_mocap
    ras_mocap.unregister()
