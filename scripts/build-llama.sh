#!/usr/bin/env bash
# Build llama-cpp-python for any machine of this CPU family and install it into .venv.
#
# A native build (llama.cpp's default GGML_NATIVE=ON) tunes for the build machine and, on
# Intel Xeons with AMX (Sapphire/Granite Rapids), uses AMX kernels that segfault under
# virtualisation (llama.cpp issue 20824). We build with GGML_NATIVE=OFF and name the
# instruction sets: on x86-64, AVX2/FMA/F16C/BMI2 (every Intel since Haswell, every AMD
# since Zen); on arm64, the generic armv8 build (NEON). Where the CPU has AVX-512 (F, BW, VL,
# DQ), the AVX-512 kernels are added: prompts are read ~28% faster (README, Performance), and
# the wheel's cache key differs, so it is never handed to a CPU without them.
# R2P_LLAMA_CPU=avx2 or avx512 overrides the choice.
#
# pip's wheel cache keys a build by the source archive, not by CMAKE_ARGS, so it would hand
# back an old native wheel. We keep our own wheels under a key made of the version, the
# flags, the architecture and the Python, and build with pip's cache off.
set -euo pipefail
cd "$(dirname "$0")/.."
venv_python=.venv/bin/python
lockfile=requirements/llama-cpp.txt
variant="${R2P_LLAMA_CPU:-auto}"
if [ "$variant" = auto ]; then
  variant=avx2
  if [ -r /proc/cpuinfo ] && [ "$(grep -o -w -E 'avx512(f|bw|vl|dq)' /proc/cpuinfo | sort -u | wc -l)" = 4 ]; then
    variant=avx512
  fi
fi

case "$(uname -m)/$variant" in
  x86_64/avx2|amd64/avx2)
    flags="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=OFF" ;;
  x86_64/avx512|amd64/avx512)
    flags="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=ON" ;;
  aarch64/*|arm64/*)
    flags="-DGGML_NATIVE=OFF" ;;
  *)
    echo "build-llama: unknown CPU/variant $(uname -m)/$variant: set R2P_LLAMA_CPU=avx2 or avx512" >&2; exit 1 ;;
esac
# AMX stays off in every variant: those kernels are the ones that crash.
flags="$flags -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF"

pyver=$("$venv_python" -c 'import sys; print(f"{sys.version_info[0]}{sys.version_info[1]}")')
key=$(printf '%s\n%s\n%s\n%s\n' "$(grep -v '^#' "$lockfile")" "$flags" "$(uname -m)" "$pyver" | sha256sum | cut -c1-16)
stamp=.venv/.llama-cpp-build
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && "$venv_python" -c 'import llama_cpp' 2>/dev/null; then
  exit 0
fi

wheels="${R2P_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/r2p-assistant/wheels}/llama-cpp-$key"
if ! ls "$wheels"/llama_cpp_python-*.whl >/dev/null 2>&1; then
  echo "building llama-cpp-python ($variant, $(uname -m); about 5-9 minutes on 2 cores, once per machine)"
  tmp="$(mktemp -d)"
  CMAKE_ARGS="$flags" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" "$venv_python" -m pip wheel --quiet \
    --no-cache-dir --no-deps --require-hashes -r "$lockfile" -w "$tmp"
  mkdir -p "$wheels"
  mv "$tmp"/llama_cpp_python-*.whl "$wheels"/
  rm -rf "$tmp"
fi
"$venv_python" -m pip install --quiet --no-deps --force-reinstall "$wheels"/llama_cpp_python-*.whl
echo "$key" > "$stamp"
echo "llama-cpp-python: $("$venv_python" -c 'import llama_cpp; print(llama_cpp.__version__)') ($variant build, key $key)"
