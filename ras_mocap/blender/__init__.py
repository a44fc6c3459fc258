"""Everything that imports bpy: rig, keys, operators, panel, preferences."""
