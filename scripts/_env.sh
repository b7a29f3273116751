# Shared by scripts/*: finds (or builds) a Python >= 3.14.2 and runs commands with the project venv.
# Sourced, not executed.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${IOT_ML_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iot_ml}"
CHROOT_DIR="$CACHE_DIR/forky-root"
MIN_PY="3.14.2"

log() { printf '[iot_ml] %s\n' "$*" >&2; }

# True when $1 is a python whose version is >= MIN_PY.
python_ok() {
    "$1" -c "import sys; sys.exit(0 if sys.version_info >= (3, 14, 2) else 1)" >/dev/null 2>&1
}

native_python() {
    local candidate
    for candidate in "${IOT_ML_PYTHON:-}" python3.14 python3; do
        [ -n "$candidate" ] || continue
        candidate="$(command -v "$candidate" 2>/dev/null)" || continue
        if python_ok "$candidate"; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

# The Debian mirror the host's apt sources already name (deb822 or one-line format).
debian_mirror() {
    local mirror
    mirror="$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | grep -oE 'https?://[^ ]*/debian/?( |$)' | grep -v security | head -n1 | tr -d ' ')"
    echo "${mirror:-http://deb.debian.org/debian}"
}

# The shared benchmark data folder (IOT_ML_DATA, default ../shared/data beside the checkout).
data_dir() {
    local data="${IOT_ML_DATA:-$REPO_ROOT/../shared/data}"
    [ -d "$data" ] && (cd "$data" && pwd) || echo "/nonexistent"
}

# Host directories in_chroot binds at the same path inside the root, as "rw:/abs" or "ro:/abs"
# (the checkout, the pip cache and the benchmark data are always there).
CHROOT_BINDS=()

# Where a directory given on the command line may not be bound: the root's own system folders
# (binding over them would hide what the root runs on) and the cache holding the root itself.
bind_refusal() {
    local dir="$1"
    case "$dir" in
        /) echo "the root directory itself"; return 0 ;;
        "$CACHE_DIR" | "$CACHE_DIR"/*) echo "inside the iot_ml cache ($CACHE_DIR) holding it"; return 0 ;;
    esac
    case "$dir" in
        /bin | /bin/* | /boot | /boot/* | /dev | /dev/* | /etc | /etc/* | /lib | /lib/* | /lib[0-9x]* \
            | /proc | /proc/* | /run | /run/* | /sbin | /sbin/* | /sys | /sys/* | /usr | /usr/* \
            | /var | /var/*)
            echo "one of its system directories"; return 0 ;;
    esac
    return 1
}

# Makes the directory of a benchmark's --out/--data usable where the benchmark runs: resolved
# from the caller's directory (not the checkout the benchmark runs in), --out created, --data
# required to exist, and, when commands run in the forky root, bound into it (--out read-write,
# --data read-only) unless the root already sees it. Prints the absolute path; exits 2 with a
# message instead when the directory cannot be used.
bench_dir() {
    local flag="$1" dir="$2" abs reason
    [ -n "$dir" ] || { log "$flag needs a directory"; exit 2; }
    if [ "$flag" = --out ]; then
        mkdir -p -- "$dir" 2>/dev/null || { log "--out $dir: cannot create this directory"; exit 2; }
    elif [ ! -d "$dir" ]; then
        log "--data $dir: no such directory"; exit 2
    fi
    abs="$(cd -- "$dir" && pwd -P)"
    if [ "${PY_MODE:-native}" = chroot ]; then
        case "$abs" in
            "$REPO_ROOT" | "$REPO_ROOT"/*) ;;  # the checkout is bound already
            *)
                if [ "$flag" = --data ] && [ "$abs" = "$(data_dir)" ]; then
                    :  # the shared data folder is bound already
                elif reason="$(bind_refusal "$abs")"; then
                    log "$flag $dir: benchmarks run in the forky root, where $abs is $reason;"
                    log "choose a directory elsewhere (for example under \$HOME, /tmp or the checkout)"
                    exit 2
                fi ;;
        esac
    fi
    echo "$abs"
}

# Sets BENCH_ARGS to "$@" with each --out/--data DIR (or --out=DIR, --data=DIR) replaced by what
# bench_dir makes of it, and adds to CHROOT_BINDS what the forky root must bind.
bench_paths() {
    BENCH_ARGS=()
    local arg flag dir abs
    while [ $# -gt 0 ]; do
        arg="$1"; shift
        case "$arg" in
            --out | --data)
                [ $# -gt 0 ] || { log "$arg needs a directory"; exit 2; }
                flag="$arg"; dir="$1"; shift ;;
            --out=* | --data=*)
                flag="${arg%%=*}"; dir="${arg#*=}" ;;
            *)
                BENCH_ARGS+=("$arg"); continue ;;
        esac
        abs="$(bench_dir "$flag" "$dir")" || exit 2
        BENCH_ARGS+=("$flag" "$abs")
        if [ "${PY_MODE:-native}" = chroot ]; then
            case "$abs" in
                "$REPO_ROOT" | "$REPO_ROOT"/*) ;;
                *)
                    if [ "$flag" = --out ]; then
                        CHROOT_BINDS+=("rw:$abs")
                    elif [ "$abs" != "$(data_dir)" ]; then
                        CHROOT_BINDS+=("ro:$abs")
                    fi ;;
            esac
        fi
    done
}

# Runs "$@" inside the forky root; the mounts live in a private namespace and die with the command.
in_chroot() {
    local cwd="$PWD"
    cp -f /etc/resolv.conf "$CHROOT_DIR/etc/resolv.conf" 2>/dev/null || true
    mkdir -p "$CHROOT_DIR/etc/ssl/certs" "$CACHE_DIR/pip"
    cp -f /etc/ssl/certs/ca-certificates.crt "$CHROOT_DIR/etc/ssl/certs/ca-certificates.crt" 2>/dev/null || true
    unshare --mount --propagation private -- /bin/bash -c '
        set -e
        root="$1"; repo="$2"; cwd="$3"; cache="$4"; data="$5"; nbinds="$6"; shift 6
        binds=("${@:1:$nbinds}"); shift "$nbinds"
        mount --rbind /dev "$root/dev"
        mount -t proc proc "$root/proc"
        mount --rbind /sys "$root/sys"
        mount -t tmpfs tmpfs "$root/tmp"
        # Directories named on the command line (benchmark --out/--data), at the same path;
        # before the checkout and cache, so those stay on top when one holds the other.
        for bind in "${binds[@]}"; do
            dir="${bind#*:}"
            mkdir -p "$root$dir"
            mount --bind "$dir" "$root$dir"
            if [ "${bind%%:*}" = ro ]; then mount -o remount,bind,ro "$root$dir"; fi
        done
        # After the tmpfs: a checkout or cache under /tmp must not be hidden by it.
        mkdir -p "$root$repo" "$root$cache/pip"
        mount --bind "$repo" "$root$repo"
        mount --bind "$cache/pip" "$root$cache/pip"
        # Benchmark data beside the checkout (read-only): benchmarks default to ../shared/data.
        if [ -d "$data" ]; then
            mkdir -p "$root$data"
            mount --bind "$data" "$root$data"
            mount -o remount,bind,ro "$root$data"
        fi
        exec chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin \
            LANG=C.UTF-8 TZ="${TZ:-UTC}" PIP_CACHE_DIR="$cache/pip" TERM="${TERM:-dumb}" \
            CI="${CI:-}" IOT_ML_IN_CHROOT=1 SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
            UV_NATIVE_TLS=1 \
            /bin/bash -c "cd \"\$0\" && exec \"\$@\"" "$cwd" "$@"
    ' _ "$CHROOT_DIR" "$REPO_ROOT" "$cwd" "$CACHE_DIR" "$(data_dir)" \
        "${#CHROOT_BINDS[@]}" ${CHROOT_BINDS[@]+"${CHROOT_BINDS[@]}"} "$@"
}

chroot_ok() {
    [ -x "$CHROOT_DIR/usr/bin/python3.14" ] && [ -x "$CHROOT_DIR/usr/bin/gcc" ] \
        && [ -f "$CHROOT_DIR/.iot_ml-ready" ] \
        && in_chroot /usr/bin/python3.14 -c "import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 14, 2) else 1)" >/dev/null 2>&1
}

build_chroot() {
    if [ "$(id -u)" != 0 ]; then
        log "No python >= $MIN_PY on this host and not root: install python3.14 (>= $MIN_PY) or run as root."
        exit 1
    fi
    if ! command -v debootstrap >/dev/null 2>&1; then
        log "Installing debootstrap"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null \
            || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null; }
    fi
    local mirror script tmp
    mirror="$(debian_mirror)"
    # Bookworm's debootstrap has no forky script; sid's works for it.
    script=/usr/share/debootstrap/scripts/sid
    tmp="$CHROOT_DIR.tmp"
    # Never rm -rf a root that may still have mounts in it.
    if [ -d "$tmp" ] && grep -qs " $tmp" /proc/mounts; then
        log "Refusing to delete $tmp: something is mounted inside it"; exit 1
    fi
    rm -rf "$tmp"
    mkdir -p "$CACHE_DIR"
    log "Building a Debian forky root with python3.14 in $CHROOT_DIR (mirror $mirror)"
    debootstrap --variant=minbase \
        --include=python3.14,python3.14-venv,python3.14-dev,gcc,g++,make,ca-certificates,libffi-dev,libssl-dev,zlib1g-dev \
        forky "$tmp" "$mirror" "$script" >"$CACHE_DIR/debootstrap.log" 2>&1 \
        || { tail -n 30 "$CACHE_DIR/debootstrap.log" >&2; log "debootstrap failed"; exit 1; }
    if [ -d "$CHROOT_DIR" ]; then
        if grep -qs " $CHROOT_DIR" /proc/mounts; then
            log "Refusing to delete $CHROOT_DIR: something is mounted inside it"; exit 1
        fi
        rm -rf "$CHROOT_DIR"
    fi
    mv "$tmp" "$CHROOT_DIR"
    touch "$CHROOT_DIR/.iot_ml-ready"
}

# Sets PY_MODE (native|chroot) and PYTHON (the interpreter path as seen where it runs).
select_python() {
    local native
    if [ "${IOT_ML_IN_CHROOT:-}" = 1 ]; then
        PY_MODE=native; PYTHON=/usr/bin/python3.14
    elif native="$(native_python)"; then
        PY_MODE=native; PYTHON="$native"
    else
        PY_MODE=chroot; PYTHON=/usr/bin/python3.14
        chroot_ok || build_chroot
    fi
    export PY_MODE PYTHON
}

# The project venv lives inside the checkout; its interpreter path only makes sense where it was made,
# so each mode gets its own folder.
venv_dir() {
    if [ "$PY_MODE" = chroot ]; then echo "$REPO_ROOT/.venv-forky"; else echo "$REPO_ROOT/.venv"; fi
}

# Runs "$@" with venv $1 first on PATH, in the selected Python environment (native or the root).
run_with_venv() {
    local venv="$1"
    shift
    if [ "$PY_MODE" = chroot ]; then
        in_chroot /usr/bin/env PATH="$venv/bin:/usr/local/bin:/usr/bin:/bin" VIRTUAL_ENV="$venv" "$@"
    else
        PATH="$venv/bin:$PATH" VIRTUAL_ENV="$venv" "$@"
    fi
}

# (Re)creates venv $1 with the selected interpreter.
make_venv() {
    rm -rf "$1"
    if [ "$PY_MODE" = chroot ]; then in_chroot "$PYTHON" -m venv "$1"; else "$PYTHON" -m venv "$1"; fi
}

# Runs a command from the project venv's bin (or any command) in the selected Python environment.
run_in_env() { run_with_venv "$(venv_dir)" "$@"; }

# The real Home Assistant used by scripts/develop and the end-to-end tests.
HA_VERSION="2026.11.0"

ha_venv_dir() {
    if [ "$PY_MODE" = chroot ]; then echo "$REPO_ROOT/.venv-ha-forky"; else echo "$REPO_ROOT/.venv-ha"; fi
}

# Creates (once) a venv holding homeassistant==$HA_VERSION; prints nothing on success.
setup_ha() {
    local venv stamp
    venv="$(ha_venv_dir)"
    stamp="$venv/.iot_ml-ha"
    if [ "$(cat "$stamp" 2>/dev/null)" = "$HA_VERSION" ]; then
        return 0
    fi
    log "Installing Home Assistant $HA_VERSION into $venv"
    make_venv "$venv"
    run_in_ha_env python -m pip install -q --disable-pip-version-check --upgrade pip
    run_in_ha_env python -m pip install -q --disable-pip-version-check "homeassistant==$HA_VERSION"
    echo "$HA_VERSION" >"$stamp"
}

# Runs a command from the Home Assistant venv's bin in the selected Python environment.
run_in_ha_env() { run_with_venv "$(ha_venv_dir)" "$@"; }
