# shellcheck shell=bash
# Messages of the scripts, on stderr, prefixed with the script's name
# ("kernel-test: ...") so they stand out among the output of the tools they run.

LOG_NAME="${0##*/}"
LOG_NAME="${LOG_NAME%.sh}"

die() {
    echo "$LOG_NAME: error: $*" >&2
    exit 2
}

note() {
    echo "$LOG_NAME: $*" >&2
}
