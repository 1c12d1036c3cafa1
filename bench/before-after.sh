#!/usr/bin/env bash
# Did behaviour hold across a change? Runs two crit binaries on every fixture
# and compares what they print, byte for byte (no timing: bench/codec.py,
# explore.py and archive.py --crit A --crit B time them):
#
#   crit decode -i IMG                      every tests/fixtures/**/*.img
#   crit x CP ps|fds|mems|rss|sk --format json
#                                           every fixture checkpoint directory
#                                           (one holding inventory.img) and
#                                           every archive of tests/fixtures/archives
#                                           and every CHECKPOINT given (say one
#                                           of bench/explore.py --dir)
#
# Standard output and the exit status must be identical; standard error too.
# Prints how many outputs were compared and each difference; exits 1 on any.
#
# usage: bench/before-after.sh BEFORE_CRIT AFTER_CRIT [CHECKPOINT...]
set -u

if [ $# -lt 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
    echo "usage: $0 BEFORE_CRIT AFTER_CRIT [CHECKPOINT...] (two crit binaries)" >&2
    exit 2
fi
before=$1
after=$2
shift 2
fixtures=$(cd "$(dirname "$0")/../tests/fixtures" && pwd)
out=$(mktemp -d "${TMPDIR:-/tmp}/crit-before-after.XXXXXX")
trap 'rm -rf "$out"' EXIT

compared=0
differ=0

# compare WHAT ARGS...: runs both binaries with ARGS, compares stdout, stderr and status.
compare() {
    local what=$1
    shift
    local side
    for side in before after; do
        local bin=$before
        [ "$side" = after ] && bin=$after
        "$bin" "$@" >"$out/$side.out" 2>"$out/$side.err" </dev/null
        echo $? >"$out/$side.status"
    done
    compared=$((compared + 1))
    local stream
    for stream in out err status; do
        if ! cmp -s "$out/before.$stream" "$out/after.$stream"; then
            differ=$((differ + 1))
            echo "differs ($stream): $what"
            if [ "$stream" != out ]; then
                diff "$out/before.$stream" "$out/after.$stream" | head -n 6 | sed 's/^/    /'
            fi
            return
        fi
    done
}

images=0
while IFS= read -r -d '' img; do
    compare "decode ${img#"$fixtures"/}" decode -i "$img"
    images=$((images + 1))
done < <(find "$fixtures" -name '*.img' -type f -print0 | sort -z)

checkpoints=0
while IFS= read -r -d '' cp; do
    for what in ps fds mems rss sk; do
        compare "x ${cp#"$fixtures"/} $what" x "$cp" "$what" --format json
    done
    checkpoints=$((checkpoints + 1))
done < <(
    find "$fixtures" -name inventory.img -type f -printf '%h\0' | sort -z
    find "$fixtures/archives" -type f -name '*.tar*' -print0 | sort -z
    [ $# -gt 0 ] && printf '%s\0' "$@"
)

echo "$compared outputs compared ($images images decoded, $checkpoints checkpoints x ps|fds|mems|rss|sk --format json): $differ differ"
[ "$differ" -eq 0 ]
