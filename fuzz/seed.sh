#!/bin/sh
# Seeds the fuzz corpora from the checkpoint fixtures: every image for
# decode_image, and its `crit decode` JSON (plain and --pretty) for encode_json.
# Run from the repository root after `cargo build`.
set -eu
crit=${CRIT:-target/debug/crit}
mkdir -p fuzz/corpus/decode_image fuzz/corpus/encode_json
for img in tests/fixtures/corpus/*/*; do
    name=$(basename "$(dirname "$img")")-$(basename "$img")
    # Raw memory has no magic: one small slice of it is seed enough.
    case $name in
    *pages-*) head -c 64 "$img" >"fuzz/corpus/decode_image/$name"; continue ;;
    esac
    cp "$img" "fuzz/corpus/decode_image/$name"
    "$crit" decode -i "$img" -o "fuzz/corpus/encode_json/$name.json"
    "$crit" decode --pretty -i "$img" -o "fuzz/corpus/encode_json/$name.pretty.json"
done
