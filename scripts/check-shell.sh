#!/usr/bin/env bash
# Lints every shell script of the repo with shellcheck (installed with apt-get
# when missing, as CI starts fresh). The scripts drive CI and the VM suite, and
# a quoting slip there fails far from its cause.
#
#   scripts/check-shell.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=lib/log.sh
. scripts/lib/log.sh
# shellcheck source=lib/apt.sh
. scripts/lib/apt.sh

command -v shellcheck >/dev/null || apt_install shellcheck

# Tracked and new (not ignored) files, so a script is checked before its first commit.
files=()
while IFS= read -r -d '' file; do
    [[ -f $file ]] && files+=("$file")
done < <(git ls-files -z --cached --others --exclude-standard -- '*.sh' .ci/run)
[[ ${#files[@]} -gt 0 ]] || die "no shell scripts found"
shellcheck "${files[@]}"
note "${#files[@]} scripts clean"
