#!/usr/bin/env bash
# fasterbench setup: the one idempotent entry point for a fresh machine, a developer
# checkout and CI (.ci/run). Run `./setup.sh --help` for usage.
#
#   ./setup.sh [build]        install missing Debian packages, choose the embedded Python,
#                             configure and build (default)
#   ./setup.sh main [ARGS]    build the harness, then run the main job (run_main_job, ARGS passed on)
#   ./setup.sh test           build, then ctest and pytest; non-zero exit if any fails
#   ./setup.sh sanitize       build, then build and ctest the asan and tsan presets
#
# Environment:
#   FASTERBENCH_PYTHON=EXE      embed this Python (passed to CMake as -DFASTERBENCH_PYTHON)
#   FASTERBENCH_BUILD_PYTHON=1  use a CPython 3.13 built from Debian's source package even
#                               if a usable Python exists (built once, then reused)
#   FASTERBENCH_CACHE=DIR       cache for logs and the built CPython
#                               (default ${XDG_CACHE_HOME:-$HOME/.cache}/fasterbench)
#   FASTERBENCH_VERBOSE=1       stream apt/cmake/CPython build output as well as logging it
#   FASTERBENCH_DEBIAN_MIRROR   mirror for the trixie deb-src line
#                               (default http://deb.debian.org/debian)
#   PYENV_ROOT                  where pyenv versions live (default ~/.pyenv)
set -euo pipefail

# Debian packages the project needs (bookworm). One per line, with the reason.
PACKAGES=(
    cmake                   # build system (presets need >= 3.21; bookworm has 3.25)
    g++                     # C++20 compiler
    make                    # CMake's default generator
    pkg-config              # finds libbpf and friends from CMake
    libbenchmark-dev        # Google Benchmark: micro-benchmarks of single stages
    libgtest-dev            # GoogleTest: tests/cpp, run by ctest
    libbpf-dev              # eBPF probe backend: libbpf loader, bpf/usdt.bpf.h
    bpftool                 # vmlinux.h from BTF and `gen skeleton` at build time
    clang                   # compiles probes/bpf/*.bpf.c for the BPF target
    systemtap-sdt-dev       # sys/sdt.h: USDT stage points
    libfmt-dev              # formatting in the harness
    pybind11-dev            # harness/python: the fasterbench Python package (guest mode, scripting)
    python3-dev             # headers/libpython of the system 3.11 (last-resort embed)
    python3-matplotlib      # reports/: charts, run with /usr/bin/python3
    python3-numpy           # reports/: statistics helpers for charts
    python3-pytest          # tests/python, run with /usr/bin/python3
    nlohmann-json3-dev      # results JSON read/write
    libtomlplusplus-dev     # scenario files (TOML); header <toml++/toml.h>
    libcli11-dev            # fasterbench command line
    libconcurrentqueue-dev  # reference lock-free queue to compare the ring (#2) against
    libboost-dev            # Boost.Beast: serve's HTTP parser; boost::lockfree::queue in fasterbench-micro
    libsimdjson-dev         # fast-marshal (#5): request.json() parses bodies with simdjson
    valgrind                # --measure instructions: callgrind and valgrind/callgrind.h (no hardware perf counters here)
    libcap2-bin             # capsh: tests drop capabilities (eBPF without CAP_BPF/CAP_PERFMON; `system tune` unable to write)
    libhttp-parser-dev      # fasterbench-micro: nodejs http-parser, compared with Beast's HTTP parser
    wrk                     # versus: the external HTTP load tool
    curl                    # tests: an independent HTTP client against `serve`
    python3-fastapi         # versus: the same handlers under FastAPI (run with /usr/bin/python3)
    python3-uvicorn         # versus: the ASGI server for FastAPI and the bare ASGI floor
    python3-uvloop          # versus: uvicorn's fast event loop (as uvicorn[standard] installs it)
    python3-httptools       # versus: uvicorn's fast HTTP parser (as uvicorn[standard] installs it)
)

# Only needed when CPython 3.13 is built from source (tk-dev deliberately left out).
CPYTHON_BUILD_DEPS=(
    dpkg-dev xz-utils libssl-dev zlib1g-dev libffi-dev libbz2-dev libreadline-dev
    libsqlite3-dev liblzma-dev uuid-dev libncurses-dev libgdbm-dev
)

MIN_PY_MINOR=12                     # own-GIL sub-interpreters (PEP 684) need >= 3.12
CPYTHON_SERIES=3.13                 # what we build from source when nothing fits
TRIXIE_SOURCES_FILE=/etc/apt/sources.list.d/fasterbench-trixie-src.list

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_DIR=build
: "${HOME:=$(cd ~ && pwd)}"
CACHE_DIR=${FASTERBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fasterbench}
LOG_DIR=$CACHE_DIR/logs
CPYTHON_PREFIX=$CACHE_DIR/python$CPYTHON_SERIES
CPYTHON_STAMP=$CPYTHON_PREFIX/.fasterbench-built
PYENV_DIR=${PYENV_ROOT:-$HOME/.pyenv}
VERBOSE=${FASTERBENCH_VERBOSE:-0}

SUDO=()
[[ $(id -u) -eq 0 ]] || SUDO=(sudo)
APT_UPDATED=0
TICKER_PID=
START_SECONDS=$SECONDS

# Result of choose_python.
PY_EXE=
PY_VERSION=
PY_REASON=
PY_EXPLICIT=0                       # 1: pass -DFASTERBENCH_PYTHON to CMake

# ---------------------------------------------------------------------------------------
# output helpers

usage() {
    cat <<EOF
Usage: ./setup.sh [build|main|test|sanitize|python] [extra args]

  build (default)  install missing Debian packages (apt-get), choose the embedded Python,
                   configure (cmake --preset default) and build into ./build
  main [ARGS]      build the harness (not the tests), then run the main job:
                     build/harness/fasterbench phases --scenario scenarios/mixed.toml [ARGS]
  test             build, then 'ctest --test-dir build --output-on-failure' (without the
                   stress, soak and gate-validation labels) and '/usr/bin/python3 -m pytest -q
                   tests/python'; exits non-zero if any fails
  sanitize         build, then configure, build and ctest the asan (AddressSanitizer + UBSan)
                   and tsan (ThreadSanitizer) presets into build/asan and build/tsan; exits
                   non-zero if either fails
  python [ARGS]    build the harness and the fasterbench Python package, then run the
                   embedded Python with the package on its path (build/fasterbench-python):
                     ./setup.sh python -c "import fasterbench"
                   setup's own messages go to stderr
  -h, --help       this text

Python to embed (first that applies):
  1. \$FASTERBENCH_PYTHON (a python executable)
  2. the newest CPython >= 3.$MIN_PY_MINOR with a shared libpython and Python.h, on PATH, in
     \$PYENV_ROOT/versions/* (default ~/.pyenv) or in the cache ($CPYTHON_PREFIX)
  3. CPython $CPYTHON_SERIES built from Debian's trixie source package into the cache
     (force with FASTERBENCH_BUILD_PYTHON=1; delete the cache folder to rebuild it)
  4. /usr/bin/python3 (3.11): works, but sub-interpreters (optimization 3) are unsupported

Environment: FASTERBENCH_PYTHON, FASTERBENCH_BUILD_PYTHON=1, FASTERBENCH_CACHE,
FASTERBENCH_VERBOSE=1, FASTERBENCH_DEBIAN_MIRROR, PYENV_ROOT.
Logs go to \$FASTERBENCH_CACHE/logs (now: $LOG_DIR).
EOF
}

step() { printf '==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
warn() { printf 'setup.sh: warning: %s\n' "$*" >&2; }
die() {
    printf 'setup.sh: error: %s\n' "$*" >&2
    exit 1
}

is_true() { [[ ${1:-} =~ ^(1|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$ ]]; }

elapsed() { # seconds -> "1m05s"
    local s=$1
    if ((s >= 60)); then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi
}

# Print the interesting part of a log after a failure: error lines, then the tail.
show_log() {
    local log=$1 lines=${2:-40}
    [[ -f $log ]] || return 0
    local errs
    errs=$(grep -n -E '^E: |(^|[^A-Za-z_])(error|Error|ERROR|FAILED|fatal)([^A-Za-z_]|$)' "$log" | head -n 20 || true)
    if [[ -n $errs ]]; then
        printf -- '---- first error lines of %s ----\n%s\n' "$log" "$errs" >&2
    fi
    printf -- '---- last %d lines of %s ----\n' "$lines" "$log" >&2
    tail -n "$lines" "$log" >&2
    printf -- '---- end of log ----\n' >&2
}

# Run a command with its output appended to a log (streamed too if FASTERBENCH_VERBOSE=1).
run_logged() {
    local log=$1
    shift
    printf '\n=== %s: %s\n' "$(date '+%F %T')" "$*" >>"$log"
    if is_true "$VERBOSE"; then
        "$@" </dev/null 2>&1 | tee -a "$log"
    else
        "$@" </dev/null >>"$log" 2>&1
    fi
}

# Background ticker used by run_progress: a line every 30 s (in place every 2 s on a tty).
progress_ticker() {
    local label=$1 log=$2 objdir=$3 owner=$4 start=$SECONDS interval=30 tty=0 status n
    if [[ -t 1 ]]; then
        tty=1
        interval=2
    fi
    while true; do
        for ((n = 0; n < interval; n++)); do
            sleep 1
            kill -0 "$owner" 2>/dev/null || return 0 # the script went away (Ctrl-C)
        done
        if [[ -n $objdir ]]; then
            status="$(find "$objdir" -name '*.o' 2>/dev/null | wc -l) objects compiled"
        else
            status=$(tail -n 1 "$log" 2>/dev/null | tr -d '\r' | cut -c1-60)
        fi
        if ((tty)); then
            printf '\r\033[K    %s: %s  %s' "$label" "$(elapsed $((SECONDS - start)))" "$status"
        else
            printf '    %s: %s  %s\n' "$label" "$(elapsed $((SECONDS - start)))" "$status"
        fi
    done
}

# run_progress LABEL LOG OBJDIR CMD...: like run_logged, showing progress while it runs.
run_progress() {
    local label=$1 log=$2 objdir=$3 rc=0 start=$SECONDS
    shift 3
    if ! is_true "$VERBOSE"; then
        progress_ticker "$label" "$log" "$objdir" "$BASHPID" &
        TICKER_PID=$!
    fi
    run_logged "$log" "$@" || rc=$?
    stop_ticker
    if ((rc == 0)); then
        info "$label: done in $(elapsed $((SECONDS - start)))"
    else
        info "$label: FAILED after $(elapsed $((SECONDS - start))) (exit $rc)"
    fi
    return "$rc"
}

stop_ticker() {
    if [[ -n $TICKER_PID ]]; then
        kill "$TICKER_PID" 2>/dev/null || true
        wait "$TICKER_PID" 2>/dev/null || true
        TICKER_PID=
        if [[ -t 1 ]]; then printf '\r\033[K'; fi
    fi
}
trap stop_ticker EXIT

# ---------------------------------------------------------------------------------------
# Debian packages

is_installed() {
    local status
    # shellcheck disable=SC2016  # ${Status} is dpkg-query's format, not a shell variable
    status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)
    [[ $status == *" ok installed" ]]
}

apt_get() {
    run_logged "$LOG_DIR/apt.log" ${SUDO[@]+"${SUDO[@]}"} env DEBIAN_FRONTEND=noninteractive \
        apt-get -y -q -o DPkg::Lock::Timeout=300 "$@"
}

apt_update_once() {
    ((APT_UPDATED)) && return 0
    info "apt-get update (log: $LOG_DIR/apt.log)"
    if ! apt_get update; then
        show_log "$LOG_DIR/apt.log"
        return 1
    fi
    APT_UPDATED=1
}

check_privileges() {
    if ((${#SUDO[@]})) && ! command -v sudo >/dev/null 2>&1; then
        printf 'setup.sh: error: not root and no sudo; install as root: apt-get install %s\n' "$*" >&2
        return 1
    fi
}

# ensure_packages LABEL PKG...: install the missing ones; returns non-zero on failure.
ensure_packages() {
    local label=$1 p
    shift
    local missing=()
    for p in "$@"; do
        is_installed "$p" || missing+=("$p")
    done
    if ((${#missing[@]} == 0)); then
        info "$label: all $# already installed"
        return 0
    fi
    info "$label: installing ${#missing[@]} missing: ${missing[*]}"
    check_privileges "${missing[@]}" || return 1
    apt_update_once || return 1
    if ! apt_get install "${missing[@]}"; then
        show_log "$LOG_DIR/apt.log"
        return 1
    fi
}

install_packages() {
    step "packages"
    ensure_packages "Debian packages" "${PACKAGES[@]}" || die "could not install Debian packages"
}

# ---------------------------------------------------------------------------------------
# Python

# Prints "VERSION<TAB>EXECUTABLE<TAB>PROBLEMS" (PROBLEMS empty when embeddable).
PY_PROBE='
import os, sys, sysconfig
cv = sysconfig.get_config_var
problems = []
if sys.implementation.name != "cpython":
    problems.append("not CPython")
if cv("Py_GIL_DISABLED"):
    problems.append("free-threaded build")
lib = ""
if cv("Py_ENABLE_SHARED"):
    name = cv("LDLIBRARY") or ""
    libdir = cv("LIBDIR") or ""
    for d in (libdir, os.path.join(libdir, cv("MULTIARCH") or ""), cv("LIBPL") or ""):
        if d and name and os.path.isfile(os.path.join(d, name)):
            lib = os.path.join(d, name)
            break
if not lib:
    problems.append("no shared libpython")
if not os.path.isfile(os.path.join(cv("INCLUDEPY") or "", "Python.h")):
    problems.append("no Python.h")
v = sys.version_info
print("%d.%d.%d\t%s\t%s" % (v[0], v[1], v[2], sys.executable, ", ".join(problems)))
'

# probe_python EXE: prints the probe line, or fails if EXE does not run (e.g. a pyenv shim
# for a version that is not selected).
probe_python() {
    timeout 30 "$1" -I -S -c "$PY_PROBE" </dev/null 2>/dev/null | head -n 1 | grep -E $'^[0-9]+\\.[0-9]+\\.[0-9]+\t'
}

version_key() { # 3.13.0 -> 3013000
    local IFS=.
    # shellcheck disable=SC2086
    set -- $1
    printf '%d' $((${1:-0} * 1000000 + ${2:-0} * 1000 + ${3:-0}))
}

# Candidate interpreters: "WHERE<TAB>PATH" lines.
python_candidates() {
    local dir f name
    local -a path_dirs
    IFS=: read -r -a path_dirs <<<"${PATH:-}"
    for dir in "${path_dirs[@]}"; do
        [[ -n $dir && -d $dir ]] || continue
        for f in "$dir"/python3*; do
            name=${f##*/}
            [[ $name =~ ^python3(\.[0-9]+)?$ && -x $f ]] && printf 'PATH\t%s\n' "$f"
        done
    done
    for f in "$PYENV_DIR"/versions/*/bin/python3; do
        [[ -x $f ]] && printf 'pyenv\t%s\n' "$f"
    done
    for f in "$CACHE_DIR"/python3.*/bin/python3; do
        [[ -x $f && -f ${f%/bin/python3}/.fasterbench-built ]] && printf 'cache\t%s\n' "$f"
    done
    return 0
}

# Newest embeddable CPython >= 3.MIN_PY_MINOR; sets PY_EXE, PY_VERSION, PY_REASON.
find_python() {
    local where cand line ver exe problems key best_key=0 real
    local -A seen=()
    local considered=() rejected=()
    while IFS=$'\t' read -r where cand; do
        line=$(probe_python "$cand") || continue
        IFS=$'\t' read -r ver exe problems <<<"$line"
        [[ -n $exe ]] || exe=$cand
        real=$(readlink -f "$exe" 2>/dev/null || printf '%s' "$exe")
        [[ -z ${seen[$real]:-} ]] || continue
        seen[$real]=1
        key=$(version_key "$ver")
        if ((key < $(version_key "3.$MIN_PY_MINOR.0"))); then
            continue
        fi
        if [[ -n $problems ]]; then
            rejected+=("$ver ($exe: $problems)")
            continue
        fi
        considered+=("$ver ($where)")
        if ((key > best_key)); then
            best_key=$key
            PY_EXE=$exe
            PY_VERSION=$ver
            PY_REASON="newest CPython >= 3.$MIN_PY_MINOR with shared libpython and Python.h (found via $where)"
        fi
    done < <(python_candidates)
    if ((${#considered[@]})); then
        local list
        list=$(printf ', %s' "${considered[@]}")
        info "usable: ${list:2}"
    fi
    local r
    for r in ${rejected[@]+"${rejected[@]}"}; do info "not embeddable: $r"; done
    ((best_key > 0))
}

cpython_log() { printf '%s/python%s-build.log' "$LOG_DIR" "$CPYTHON_SERIES"; }

# Build CPython 3.13 from Debian's trixie source package into CPYTHON_PREFIX (reused when
# its stamp exists). Every step is checked explicitly: this runs in `if` context, where
# set -e does not apply.
build_cpython() {
    local py=$CPYTHON_PREFIX/bin/python$CPYTHON_SERIES
    if [[ -f $CPYTHON_STAMP && -x $py ]] && "$py" -c 'import sys' 2>/dev/null; then
        info "reusing CPython built from source: $py ($(cat "$CPYTHON_STAMP"))"
        return 0
    fi
    local log scratch src mirror line start=$SECONDS
    log=$(cpython_log)
    scratch=$CACHE_DIR/build-python$CPYTHON_SERIES
    mirror=${FASTERBENCH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
    : >"$log"
    step "building CPython $CPYTHON_SERIES from Debian's trixie source package (about 5-10 min)"
    info "prefix: $CPYTHON_PREFIX   log: $log"
    rm -rf "$CPYTHON_PREFIX" "$scratch" || return 1
    mkdir -p "$scratch" || return 1

    # deb-src only: no binary package from trixie can be installed through this file.
    line="deb-src"
    [[ -f /usr/share/keyrings/debian-archive-keyring.gpg ]] &&
        line+=" [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]"
    line+=" $mirror trixie main"
    if [[ $(cat "$TRIXIE_SOURCES_FILE" 2>/dev/null || true) != "$line" ]]; then
        info "adding $TRIXIE_SOURCES_FILE (deb-src only)"
        check_privileges "(write $TRIXIE_SOURCES_FILE)" || return 1
        printf '%s\n' "$line" | ${SUDO[@]+"${SUDO[@]}"} tee "$TRIXIE_SOURCES_FILE" >/dev/null || return 1
        APT_UPDATED=0
    fi
    apt_update_once || return 1
    ensure_packages "CPython build dependencies" "${CPYTHON_BUILD_DEPS[@]}" || return 1

    # Download the source package; unpack upstream CPython without Debian's patches (they
    # change the install layout to Debian's dist-packages scheme, unwanted under a prefix).
    (cd "$scratch" && run_progress "apt-get source python$CPYTHON_SERIES/trixie" "$log" "" \
        apt-get source --download-only "python$CPYTHON_SERIES/trixie") || {
        show_log "$log"
        return 1
    }
    local dsc=("$scratch"/python"$CPYTHON_SERIES"_*.dsc)
    [[ -f ${dsc[0]} ]] || {
        warn "no .dsc downloaded in $scratch"
        return 1
    }
    info "source package: ${dsc[0]##*/}"
    src=$scratch/src
    run_logged "$log" dpkg-source --skip-patches -x "${dsc[0]}" "$src" || {
        show_log "$log"
        return 1
    }

    (cd "$src" && run_progress "configure" "$log" "" \
        ./configure --enable-shared --without-ensurepip --prefix="$CPYTHON_PREFIX" \
        "LDFLAGS=-Wl,-rpath,$CPYTHON_PREFIX/lib") || {
        show_log "$log"
        return 1
    }
    run_progress "make -j$(nproc)" "$log" "$src" make -C "$src" -j"$(nproc)" || {
        show_log "$log"
        return 1
    }
    run_progress "make install" "$log" "" make -C "$src" install || {
        show_log "$log"
        rm -rf "$CPYTHON_PREFIX"
        return 1
    }
    # Check what embedding and the benchmarks need before declaring success.
    if ! run_logged "$log" "$py" -c 'import sys, ssl, ctypes, zlib, bz2, lzma, sqlite3, asyncio, _interpreters; print(sys.version)'; then
        show_log "$log"
        rm -rf "$CPYTHON_PREFIX"
        return 1
    fi
    printf 'CPython %s from %s, built %s in %s\n' "$("$py" -c 'import platform; print(platform.python_version())')" \
        "${dsc[0]##*/}" "$(date '+%F %T')" "$(elapsed $((SECONDS - start)))" >"$CPYTHON_STAMP" || return 1
    rm -rf "$scratch"
    info "CPython built in $(elapsed $((SECONDS - start))): $py"
}

# Sets PY_EXE, PY_VERSION, PY_REASON and PY_EXPLICIT (pass the choice to CMake).
choose_python() {
    step "python"
    local line problems
    if [[ -n ${FASTERBENCH_PYTHON:-} ]]; then
        local exe=$FASTERBENCH_PYTHON
        [[ $exe == */* ]] || exe=$(command -v "$exe" 2>/dev/null) ||
            die "FASTERBENCH_PYTHON=$FASTERBENCH_PYTHON: not found"
        [[ -x $exe && ! -d $exe ]] || die "FASTERBENCH_PYTHON=$FASTERBENCH_PYTHON: not an executable"
        exe=$(cd "$(dirname "$exe")" && pwd)/${exe##*/} # absolute, as CMake needs
        line=$(probe_python "$exe") || die "FASTERBENCH_PYTHON=$FASTERBENCH_PYTHON: does not run as a Python 3"
        IFS=$'\t' read -r PY_VERSION PY_EXE problems <<<"$line"
        PY_REASON="FASTERBENCH_PYTHON is set"
        # The interpreter's own sys.executable: a pyenv shim must not reach CMake.
        if [[ -z $PY_EXE || ! -x $PY_EXE ]]; then
            PY_EXE=$exe
        elif [[ $PY_EXE != "$exe" ]]; then
            PY_REASON+=" ($exe runs $PY_EXE)"
        fi
        PY_EXPLICIT=1
        [[ -z $problems ]] || warn "FASTERBENCH_PYTHON=$exe: $problems; embedding it will probably fail"
        (($(version_key "$PY_VERSION") >= $(version_key "3.$MIN_PY_MINOR.0"))) ||
            warn "Python $PY_VERSION < 3.$MIN_PY_MINOR: sub-interpreters (optimization 3) will be reported unsupported"
    elif is_true "${FASTERBENCH_BUILD_PYTHON:-}"; then
        info "FASTERBENCH_BUILD_PYTHON is set: using CPython $CPYTHON_SERIES built from source"
        build_cpython || die "building CPython $CPYTHON_SERIES failed (log: $(cpython_log))"
        PY_EXE=$CPYTHON_PREFIX/bin/python3 # the path CMake's discovery uses too
        PY_REASON="FASTERBENCH_BUILD_PYTHON is set (CPython built from Debian's source package)"
        PY_EXPLICIT=1
    elif find_python; then
        # One we built earlier lives only in our cache: name it explicitly so CMake cannot
        # pick a different one (it may not know a non-default FASTERBENCH_CACHE).
        if [[ $PY_EXE == "$CACHE_DIR"/* ]]; then PY_EXPLICIT=1; fi
    elif build_cpython; then
        PY_EXE=$CPYTHON_PREFIX/bin/python3 # the path CMake's discovery uses too
        PY_REASON="no CPython >= 3.$MIN_PY_MINOR with shared libpython found, built $CPYTHON_SERIES from Debian's source package"
        PY_EXPLICIT=1
    else
        PY_EXE=/usr/bin/python3
        [[ -x $PY_EXE ]] || die "no usable Python: no CPython >= 3.$MIN_PY_MINOR, the source build failed and $PY_EXE is missing"
        PY_REASON="last resort: no CPython >= 3.$MIN_PY_MINOR found and the source build failed (log: $(cpython_log))"
        PY_EXPLICIT=1
        warn "embedding the system $PY_EXE: sub-interpreters (optimization 3) will be reported unsupported"
    fi
    if [[ -z $PY_VERSION ]]; then
        line=$(probe_python "$PY_EXE") || die "$PY_EXE does not run"
        IFS=$'\t' read -r PY_VERSION _ _ <<<"$line"
    fi
    info "chosen: $PY_EXE (CPython $PY_VERSION): $PY_REASON"
    if ((PY_EXPLICIT)); then
        info "passed to CMake as -DFASTERBENCH_PYTHON=$PY_EXE"
    else
        info "CMake does its own discovery (expected to find the same)"
    fi
}

# ---------------------------------------------------------------------------------------
# CMake

cmake_cache_value() { # NAME -> value in build/CMakeCache.txt, or nothing
    [[ -f $BUILD_DIR/CMakeCache.txt ]] || return 0
    sed -n "s/^$1:[A-Za-z_]*=//p" "$BUILD_DIR/CMakeCache.txt" | head -n 1
}

# configure_and_build [TARGET...]: builds the given targets, or everything.
configure_and_build() {
    step "configure"
    [[ -f CMakeLists.txt ]] ||
        die "$ROOT/CMakeLists.txt does not exist yet: nothing to configure (packages and Python are ready)"
    local args=() log=$LOG_DIR/cmake.log previous wanted=""
    if [[ -f CMakePresets.json ]]; then
        args=(--preset default)
    else
        args=(-S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo)
    fi
    if ((PY_EXPLICIT)); then
        wanted=$PY_EXE
        args+=("-DFASTERBENCH_PYTHON=$PY_EXE")
    else
        args+=(-UFASTERBENCH_PYTHON) # drop an explicit choice left by an earlier run
    fi
    previous=$(cmake_cache_value FASTERBENCH_PYTHON)
    if [[ -f $BUILD_DIR/CMakeCache.txt && $previous != "$wanted" ]]; then
        info "embedded Python choice changed ('${previous:-auto}' -> '${wanted:-auto}'): fresh configure"
        args+=(--fresh)
    fi
    : >"$log"
    info "cmake ${args[*]}   (log: $log)"
    run_logged "$log" cmake "${args[@]}" || {
        show_log "$log" 60
        die "cmake configure failed"
    }

    step "build"
    local targets=()
    (($#)) && targets=(--target "$@")
    info "cmake --build $BUILD_DIR -j$(nproc) ${targets[*]}"
    run_progress "build" "$log" "" cmake --build "$BUILD_DIR" -j"$(nproc)" "${targets[@]}" || {
        show_log "$log" 60
        die "build failed"
    }
    local embedded
    embedded=$(cmake_cache_value FASTERBENCH_EMBEDDED_PYTHON)
    if [[ -z $embedded ]]; then
        info "embedded Python: $PY_EXE (as chosen; FASTERBENCH_EMBEDDED_PYTHON is not in CMakeCache.txt)"
    else
        info "embedded Python: $embedded"
        if [[ $embedded == /* && $(readlink -f "$embedded") != "$(readlink -f "$PY_EXE")" ]]; then
            warn "CMake embeds $embedded, not $PY_EXE chosen above (set FASTERBENCH_PYTHON to force one)"
        fi
    fi
}

# ---------------------------------------------------------------------------------------
# jobs

# The main job. Extra arguments from `./setup.sh main ARGS` are passed on.
run_main_job() {
    local exe=$BUILD_DIR/harness/fasterbench
    [[ -x $exe ]] || die "$exe was not built"
    # mixed, not hello: its blocking and async routes still go through the queue and the future
    # after P1, so the report shows every optimization on a path it applies to.
    step "main job: $exe phases --scenario scenarios/mixed.toml $*"
    "$exe" phases --scenario scenarios/mixed.toml "$@"
}

# `./setup.sh python ARGS`: the embedded interpreter with the package (harness/python).
run_python() {
    local exe=$BUILD_DIR/fasterbench-python
    [[ -x $exe ]] || die "$exe was not written (is FASTERBENCH_PYTHON_MODULE off?)"
    step "$exe $*   (setup took $(elapsed $((SECONDS - START_SECONDS))))"
    exec 1>&3 3>&-
    exec "$exe" "$@"
}

run_tests() {
    local failed=() rc
    step "ctest"
    rc=0
    # Long stress, soak and gate-validation suites have their own labels; run them with
    # `ctest --test-dir build -L stress` / `-L soak` / `-L gate-validation` (see HACKING.md).
    ctest --test-dir "$BUILD_DIR" --output-on-failure -LE 'stress|soak|gate-validation' || rc=$?
    ((rc == 0)) || failed+=("ctest (exit $rc)")

    step "pytest (/usr/bin/python3)"
    if [[ -z $(find tests/python -type f \( -name 'test_*.py' -o -name '*_test.py' \) -print -quit 2>/dev/null) ]]; then
        info "skipped: no test files in tests/python yet"
    else
        rc=0
        FASTERBENCH_BUILD_DIR=$ROOT/$BUILD_DIR /usr/bin/python3 -m pytest -q tests/python || rc=$?
        if ((rc == 5)); then
            warn "pytest collected no tests in tests/python"
        elif ((rc != 0)); then
            failed+=("pytest (exit $rc)")
        fi
    fi

    if ((${#failed[@]})); then
        local list
        list=$(printf ', %s' "${failed[@]}")
        step "FAILED: ${list:2}"
        return 1
    fi
    step "all tests passed"
}

# The asan and tsan presets, each configured with the same embedded Python, built and tested
# (without the opt-in stress, soak and gate-validation labels, as run_tests).
run_sanitizers() {
    local failed=() preset rc log
    for preset in asan tsan; do
        step "sanitizer preset: $preset"
        log=$LOG_DIR/cmake-$preset.log
        local args=(--preset "$preset")
        ((PY_EXPLICIT)) && args+=("-DFASTERBENCH_PYTHON=$PY_EXE")
        run_logged "$log" cmake "${args[@]}" || {
            show_log "$log" 60
            failed+=("$preset configure")
            continue
        }
        run_progress "build $preset" "$log" "" cmake --build "build/$preset" -j"$(nproc)" || {
            show_log "$log" 60
            failed+=("$preset build")
            continue
        }
        rc=0
        ctest --preset "$preset" -LE 'stress|soak|gate-validation' || rc=$?
        ((rc == 0)) || failed+=("$preset ctest (exit $rc)")
    done
    if ((${#failed[@]})); then
        local list
        list=$(printf ', %s' "${failed[@]}")
        step "FAILED: ${list:2}"
        return 1
    fi
    step "asan and tsan: all tests passed"
}

main() {
    local cmd=build
    if (($#)); then
        case $1 in
            -h | --help | help)
                usage
                return 0
                ;;
            build | main | test | sanitize | python)
                cmd=$1
                shift
                ;;
            *)
                die "unknown command: $1 (see ./setup.sh --help)"
                ;;
        esac
    fi
    if [[ $cmd != main && $cmd != python ]] && (($#)); then
        die "'$cmd' takes no extra arguments (got: $*); only 'main' and 'python' pass them on"
    fi
    # `python` hands stdout to the interpreter: setup's messages go to stderr.
    [[ $cmd == python ]] && exec 3>&1 1>&2

    cd "$ROOT"
    mkdir -p "$LOG_DIR"
    step "fasterbench setup: $cmd   (repo $ROOT, cache $CACHE_DIR)"
    install_packages
    choose_python
    if [[ $cmd == main ]]; then
        configure_and_build fasterbench # the main job needs the harness only, not tests or benchmarks
    elif [[ $cmd == python ]]; then
        configure_and_build fasterbench_python # the package, and the harness it drives
    else
        configure_and_build
    fi
    case $cmd in
        main) run_main_job "$@" ;;
        test) run_tests ;;
        sanitize) run_sanitizers ;;
        python) run_python "$@" ;;
    esac
    step "done in $(elapsed $((SECONDS - START_SECONDS)))"
}

main "$@"
