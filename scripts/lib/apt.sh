# shellcheck shell=bash
# Installs the Debian packages a script needs, and only those missing: CI and
# new machines start fresh, so each script brings what it uses. Needs lib/log.sh.

# ensure_packages NAME: NAME is an associative array "package -> a file it
# installs"; installs the packages whose file is not there.
ensure_packages() {
    local -n files="$1"
    local missing=() pkg
    for pkg in "${!files[@]}"; do
        [[ -e ${files[$pkg]} ]] || missing+=("$pkg")
    done
    apt_install "${missing[@]}"
}

# apt_install PACKAGE...: installs them (nothing for no packages); the apt
# output goes to a log that is shown only when something fails.
apt_install() {
    local missing=("$@")
    [[ ${#missing[@]} -eq 0 ]] && return 0
    [[ $(id -u) -eq 0 ]] || die "missing packages: ${missing[*]}; install them (as root: apt-get install ${missing[*]})"
    command -v apt-get >/dev/null || die "missing packages: ${missing[*]}, and apt-get is not available to install them"
    note "installing ${missing[*]} (apt-get)"
    local log pkg
    log="$(mktemp "${TMPDIR:-/tmp}/$LOG_NAME-apt.XXXXXX.log")"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get update >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        die "apt-get update failed (full log: $log)"
    fi
    # Some packages (linux-source-6.12) are in bookworm-security or
    # bookworm-backports, depending on the point release: enable backports
    # when no configured suite has one of them.
    for pkg in "${missing[@]}"; do
        if ! apt_has_candidate "$pkg"; then
            enable_backports "$pkg" >>"$log" 2>&1 || true
            break
        fi
    done
    if ! apt-get install -y --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
        tail -n 20 "$log" >&2
        die "apt-get install ${missing[*]} failed (full log: $log)"
    fi
    rm -f "$log"
}

apt_has_candidate() {
    local candidate
    candidate="$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')"
    [[ -n $candidate && $candidate != "(none)" ]]
}

# enable_backports PACKAGE: PACKAGE is only named in the message.
enable_backports() {
    local codename
    # shellcheck source=/dev/null # the system's file, not part of the repo
    codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
    note "enabling ${codename}-backports for $1"
    echo "deb http://deb.debian.org/debian ${codename}-backports main" \
        >/etc/apt/sources.list.d/otel-ue-backports.list
    apt-get update
}
