#!/usr/bin/env bash
# Create .venv and install R2P Assistant into it. Usage: scripts/setup.sh [extras]
# torch comes first and pinned: the CPU wheel 2.13.0; any other torch pulls CUDA builds.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-local}"
python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null 2>&1 || python=python3
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet "torch==2.13.0"
# llama-cpp-python (extra "local") compiles llama.cpp once (~9 min on 2 cores); pip caches the wheel.
.venv/bin/python -m pip install --quiet -e ".[${extras}]"
echo "installed: $(.venv/bin/r2p --help >/dev/null && echo 'r2p command ready in .venv/bin/r2p')"
