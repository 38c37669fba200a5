# shellcheck shell=bash
# The guest kernel: a Linux 6.12 tinyconfig plus kernel/user-events.config,
# built from Debian's linux-source package and cached outside the repo, in
# $CACHE_DIR/kernel-<key>/, where the key names exactly what went into it.
# Sourced by kernel-test.sh; needs lib/log.sh and lib/apt.sh.

readonly FRAGMENT="$SCRIPT_DIR/kernel/user-events.config"
# Bump when the build steps change in a way that makes old cached kernels wrong.
readonly SCHEMA=1
readonly SOURCE_PKG=linux-source-6.12
readonly CACHE_DIR="${OTEL_UE_CACHE:-$HOME/.cache/otel-user-events}"

# Needed only to build the kernel (package -> a file it installs).
declare -A BUILD_PKG_FILES=(
    [linux-source-6.12]=/usr/src/linux-source-6.12.tar.xz
    [build-essential]=/usr/share/doc/build-essential
    [bc]=/usr/bin/bc
    [bison]=/usr/bin/bison
    [flex]=/usr/bin/flex
    [cpio]=/usr/bin/cpio
    [xz-utils]=/usr/bin/xz
    [libelf-dev]=/usr/include/libelf.h
    [libssl-dev]=/usr/include/openssl/ssl.h
)

# The cache key: the source package's exact version and the config fragment.
kernel_key() {
    local version
    version="$(dpkg-query -W -f='${Version}' "$SOURCE_PKG" 2>/dev/null)" ||
        die "$SOURCE_PKG is not installed"
    { echo "schema=$SCHEMA source=$SOURCE_PKG=$version"; cat "$FRAGMENT"; } |
        sha256sum | cut -c1-16
}

# Prints the path of the cached bzImage, building it first when needed.
ensure_kernel() {
    [[ -f $FRAGMENT ]] || die "kernel config fragment not found: $FRAGMENT"
    # Installing linux-source first: its version is part of the cache key.
    [[ -e ${BUILD_PKG_FILES[$SOURCE_PKG]} ]] || apt_install "$SOURCE_PKG"
    local key dir
    key="$(kernel_key)"
    dir="$CACHE_DIR/kernel-$key"
    if [[ -f $dir/bzImage ]]; then
        echo "$dir/bzImage"
        return
    fi
    ensure_packages BUILD_PKG_FILES
    build_kernel "$key" "$dir" >&2
    echo "$dir/bzImage"
}

# build_kernel KEY DEST: configures and builds the kernel, then moves bzImage
# and .config into DEST.
build_kernel() {
    local key="$1" dest="$2"
    mkdir -p "$CACHE_DIR"
    # The source tree (1.5 GB, 80k files) goes to RAM when there is room:
    # unpacking and deleting it on a busy disk takes minutes.
    local tmp log parent="$CACHE_DIR"
    if [[ -d /dev/shm && -w /dev/shm ]] &&
        [[ $(df -Pk /dev/shm | awk 'NR == 2 {print $4}') -gt $((4 * 1024 * 1024)) ]]; then
        parent=/dev/shm
    fi
    tmp="$(mktemp -d "$parent/otel-ue-kernel-build-$key.XXXXXX")"
    # An interrupted or failed build leaves no source tree behind.
    BUILD_TMP="$tmp"
    trap 'rm -rf "${BUILD_TMP:-}" "${BUILD_STAGE:-}"' EXIT
    log="$CACHE_DIR/kernel-$key.build.log"
    note "building kernel $key (several minutes on 2 cores; log: $log)"
    local start=$SECONDS
    if ! (
        set -euo pipefail
        cd "$tmp"
        tar -xf "${BUILD_PKG_FILES[$SOURCE_PKG]}"
        cd linux-source-6.12
        make tinyconfig
        ./scripts/kconfig/merge_config.sh -m .config "$FRAGMENT"
        make olddefconfig
    ) >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        die "kernel configuration failed (build log kept: $log)"
    fi
    local src="$tmp/linux-source-6.12" missing=() line
    # merge_config/olddefconfig silently drop symbols whose dependencies are
    # unmet; a kernel without, say, USER_EVENTS would make every test skip.
    while IFS= read -r line; do
        [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]] || continue
        grep -qxF "$line" "$src/.config" || missing+=("${BASH_REMATCH[1]}")
    done <"$FRAGMENT"
    if [[ ${#missing[@]} -gt 0 ]]; then
        die "kernel config items did not stick after olddefconfig (unmet dependencies?): ${missing[*]}"
    fi
    if ! make -C "$src" -j"$(nproc)" bzImage >>"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "kernel build failed (build log kept: $log)"
    fi
    # Stage next to the destination so the final `mv` is an atomic rename: a
    # concurrent or interrupted build never leaves a half-written cache entry.
    local stage
    stage="$(mktemp -d "$CACHE_DIR/.kernel-$key.XXXXXX")"
    BUILD_STAGE="$stage"
    cp "$src/arch/x86/boot/bzImage" "$src/.config" "$stage/"
    if ! mv -T "$stage" "$dest" 2>/dev/null; then
        [[ -f $dest/bzImage ]] || die "could not move the kernel into $dest"
    fi
    rm -rf "$tmp" "$stage"
    BUILD_TMP="" BUILD_STAGE=""
    note "kernel built in $((SECONDS - start)) s: $dest/bzImage"
}
