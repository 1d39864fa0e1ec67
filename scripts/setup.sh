#!/usr/bin/env bash
# Create .venv and install R2P Assistant into it from the lock. Usage: scripts/setup.sh
#  1. torch 2.13.0, the CPU build, first: any other torch pulls gigabytes of CUDA packages.
#  2. every other dependency at the versions CI tested, checked by hash (requirements/lock.txt).
#  3. llama-cpp-python compiled with portable flags (scripts/build-llama.sh).
#  4. the project itself, editable, without touching the pinned dependencies.
# Refresh the lock with scripts/lock.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null 2>&1 || python=python3
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
pip=(.venv/bin/python -m pip --disable-pip-version-check)
"${pip[@]}" install --quiet --upgrade pip
"${pip[@]}" install --quiet "torch==2.13.0"
"${pip[@]}" install --quiet --no-deps --require-hashes -r requirements/lock.txt
scripts/build-llama.sh
"${pip[@]}" install --quiet --no-deps --no-build-isolation -e .
echo "installed: $(.venv/bin/r2p --help >/dev/null && echo 'r2p command ready in .venv/bin/r2p')"
