#!/usr/bin/env bash
# Refresh the dependency lock from pyproject.toml's ranges. Usage: scripts/lock.sh [--upgrade]
#   requirements/lock.txt       every dependency, pinned with hashes (torch and llama-cpp-python left out)
#   requirements/llama-cpp.txt  llama-cpp-python, pinned with the hash of its source archive
# torch is installed first from its CPU wheel (requirements/torch.txt); llama-cpp-python is
# compiled by scripts/build-llama.sh with portable flags. Commit both files after a refresh
# and run `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
common=(--python-version 3.11 --python-platform x86_64-manylinux_2_28 --generate-hashes --quiet)
# The CPU torch wheel's metadata (no CUDA packages) comes from a local wheel folder when
# there is one; PyPI's torch for Linux would drag the CUDA packages into the lock.
links=()
[ -d /opt/wheels ] && links=(--find-links /opt/wheels)
uv pip compile pyproject.toml --extra local --extra test --extra dev "${common[@]}" "${links[@]}" \
  -c requirements/torch.txt --no-emit-package torch --no-emit-package llama-cpp-python \
  --custom-compile-command "scripts/lock.sh" "$@" -o requirements/lock.txt
version=$(uv pip compile pyproject.toml --extra local "${common[@]}" "${links[@]}" -c requirements/torch.txt \
  --no-header --no-annotate 2>/dev/null | grep -o '^llama-cpp-python==[^ ;]*')
printf 'llama-cpp-python\n' | uv pip compile - "${common[@]}" --no-deps --no-header --no-annotate \
  -c <(echo "$version") --custom-compile-command "scripts/lock.sh" -o requirements/llama-cpp.txt
echo "locked: $(grep -c '==' requirements/lock.txt) packages + $version"
