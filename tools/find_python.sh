#!/bin/sh
# Print the path of a Python interpreter of version $1 (e.g. 3.13), or fail saying what to install.
want="$1"
for candidate in "python$want" "$HOME/.pyenv/versions/$want"*/bin/python "/opt/homebrew/bin/python$want" \
                 "/usr/local/bin/python$want" python3 python; do
    if "$candidate" -c "import sys; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$want' else 1)" 2>/dev/null; then
        command -v "$candidate" 2>/dev/null || echo "$candidate"
        exit 0
    fi
done
echo "error: Python $want not found. Blender's bpy module needs Python 3.13 (Blender 5.2) or 3.11 (Blender 4.2):" >&2
echo "  install it (e.g. 'apt install python$want', 'brew install python@$want' or pyenv) or pass PYTHON=/path/to/python$want" >&2
exit 1
