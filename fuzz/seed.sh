#!/bin/sh
# Seeds the fuzz corpora from fuzz/corpus.tar.xz and the checkpoint fixtures: every image for
# decode_image, and its `crit decode` JSON (plain and --pretty) for encode_json.
# Run from the repository root after `cargo build`.
set -eu
crit=${CRIT:-target/debug/crit}
mkdir -p fuzz/corpus/decode_image fuzz/corpus/encode_json
# The corpora of the last long runs, minimized (-merge=1): start where they ended.
tar -xJf fuzz/corpus.tar.xz -C fuzz/corpus
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

# Every magic, also those the corpus has no image of: a header and no entries
# (the fuzzer adds them; decode_image.dict has the headers too). `encode`
# refuses the few magics that hold no protobuf entries (KDAT): skip those.
sed -n 's/^\([a-z0-9_]*\)=.*/\1/p' fuzz/decode_image.dict | tr a-z A-Z | while read -r magic; do
    echo "{\"magic\": \"$magic\", \"entries\": []}" | "$crit" encode -o "fuzz/corpus/decode_image/empty-$magic" 2>/dev/null || true
done

# Whatever decode_image's corpus holds that decodes (fuzzed images of every
# magic, once it has run) is JSON for encode_json: run this script again then.
for img in fuzz/corpus/decode_image/*; do
    name=from-$(basename "$img")
    "$crit" decode -i "$img" -o "fuzz/corpus/encode_json/$name.json" 2>/dev/null || continue
    "$crit" decode --pretty -i "$img" -o "fuzz/corpus/encode_json/$name.pretty.json"
done

# explore_dir: the first byte picks a corpus checkpoint (in name order); with
# nothing after it, that checkpoint unchanged. Then a few edits (see the target).
mkdir -p fuzz/corpus/explore_dir
i=0
for dir in tests/fixtures/corpus/*/; do
    printf "\\$(printf %03o $i)" >"fuzz/corpus/explore_dir/$(basename "$dir")"
    # Eight bytes written over the first image just after its header.
    printf "\\$(printf %03o $i)\\002\\000\\010\\000\\377\\377\\377\\001\\004\\001\\014\\000" \
        >"fuzz/corpus/explore_dir/$(basename "$dir")-edited"
    i=$((i + 1))
done

# mem_reader: a task with one private mapping of 4 pages at 0x400000, 2 pages of
# it present (its command line and environment at the start), then three reads
# and a search; the second has the run in a parent that is the directory itself.
mkdir -p fuzz/corpus/mem_reader
mem_seed() {
    printf '\000\001\000\000\001\004\003\001\000\000\020\000\000\001\040\000\001\000\000\000\002'"$1"
    printf '\002\002\141\000\020arg0\000-x\000HOME=/r\000\000\000'"$2"
    printf '\002\000\000\001\000\000\001\000\000\001\010\003HOM\000\000'
}
mem_seed '\020' '\000' >fuzz/corpus/mem_reader/present
mem_seed '\005' '\002' >fuzz/corpus/mem_reader/parent-loop

# archive: each fixture archive as a file (mode byte 0), and each one's members
# packed again unchanged (mode 1, then the pick), plain, gzip'd (65) and zstd'd (129).
mkdir -p fuzz/corpus/archive
i=0
for a in tests/fixtures/archives/*; do
    { printf '\000'; cat "$a"; } >"fuzz/corpus/archive/file-$(basename "$a")"
    for mode in 1 65 129; do
        printf "\\$(printf %03o $mode)\\$(printf %03o $i)" >"fuzz/corpus/archive/members-$i-$mode"
    done
    i=$((i + 1))
done

# raw_image: every raw image of the fixture archives, behind the byte that
# picks its kind (0 ifaddr, 1 route, 2 route6, 3 rule, 4 iptables, 5 ip6tables,
# 6 nftables, 7 tmpfs).
mkdir -p fuzz/corpus/raw_image
raw=$(mktemp -d)
for a in tests/fixtures/archives/*.tar.gz; do
    tar -xzf "$a" -C "$raw" --wildcards 'checkpoint/ifaddr-*' 'checkpoint/route*' 'checkpoint/rule-*' \
        'checkpoint/ip*tables-*' 'checkpoint/nftables-*' 'checkpoint/tmpfs-dev-*' 2>/dev/null || true
done
for img in "$raw"/checkpoint/*; do
    case $(basename "$img") in
    ifaddr-*) k=0 ;; route6-*) k=2 ;; route-*) k=1 ;; rule-*) k=3 ;;
    iptables-*) k=4 ;; ip6tables-*) k=5 ;; nftables-*) k=6 ;; tmpfs-dev-*) k=7 ;; *) continue ;;
    esac
    { printf "\\$(printf %03o $k)"; cat "$img"; } >"fuzz/corpus/raw_image/$(basename "$img")"
done
rm -rf "$raw"

# json_reader: the JSON that encode_json starts from.
mkdir -p fuzz/corpus/json_reader
cp fuzz/corpus/encode_json/*.json fuzz/corpus/json_reader/ 2>/dev/null || true
