#!/usr/bin/env bash
# Builds the libFuzzer targets into build-fuzz/ and runs them, one per core at a time.
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [RUNS]
# SECONDS_PER_TARGET (default 30) bounds each run by time; RUNS, if given, runs each target
# for that many executions instead (e.g. 10000000). Seeds come from the recorded answers in
# tests/fixtures and are rebuilt on every run; corpora, logs and crash artifacts stay in
# build-fuzz/ (never in the repository). Exits non-zero if any target crashed, timed out or
# ran out of memory, after printing the artifact path and the report.
# FUZZ_TARGETS="a b" restricts the run to some targets.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
runs=${2:-}
[[ $seconds =~ ^[0-9]+$ ]] || { echo "SECONDS_PER_TARGET must be a whole number" >&2; exit 2; }
[[ -z $runs || $runs =~ ^[0-9]+$ ]] || { echo "RUNS must be a whole number" >&2; exit 2; }

out=build-fuzz
all_targets=(info_decoder_fuzz chunks_matrix_decoder_fuzz threshold_range_fuzz reply_reader_fuzz
  cserv_list_decoder_fuzz mlog_list_decoder_fuzz hdd_list_decoder_fuzz
  chunks_test_info_decoder_fuzz fs_test_info_decoder_fuzz missing_chunks_decoder_fuzz
  mass_resolve_paths_decoder_fuzz sclass_info_decoder_fuzz module_info_decoder_fuzz
  sample_codec_fuzz exporter_request_fuzz)
targets=(${FUZZ_TARGETS:-${all_targets[@]}})

echo "== configure and build ($out)"
source scripts/ccache-env.sh
CC=clang-14 CXX=clang++-14 cmake -S . -B "$out" -DMFSMON_FUZZ=ON "${mfsmon_launcher[@]}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -G Ninja >/dev/null
ninja -C "$out" "${targets[@]}"

echo "== seed corpora"
seeds=$out/seeds
rm -rf "$seeds"
for t in "${all_targets[@]}"; do mkdir -p "$seeds/$t"; done

# Saves stdin as a seed named by its content, so equal recordings collapse into one file.
put() {
  local dir=$1 tmp
  tmp=$(mktemp "$dir/.seed.XXXXXX")
  cat >"$tmp"
  mv "$tmp" "$dir/$(sha1sum <"$tmp" | cut -c1-40)"
}

# Every recorded mfscli run folder that has an INFO answer.
while IFS= read -r -d '' info; do
  folder=$(dirname "$info")
  tail -c +9 "$info" | put "$seeds/info_decoder_fuzz"  # strip the 8-byte header
  for matrix in "$folder"/*-ans-517.bin; do
    [[ -e $matrix ]] || continue
    # The version word that leads the INFO payload, then the matrix payload.
    { head -c 12 "$info" | tail -c 4; tail -c +9 "$matrix"; } | put "$seeds/chunks_matrix_decoder_fuzz"
    # Both whole packets, as the master sends them on one connection.
    cat "$info" "$matrix" | put "$seeds/reply_reader_fuzz"
  done
done < <(find tests/fixtures -name '*-ans-511.bin' -print0 | sort -z)

# Layouts no recording has (src/protocol/layout_table.cpp): a recorded answer cut or
# zero-padded to each other known length, behind a version word that selects that layout.
word() { printf "$(sed 's/../\\x&/g' <<<"$1")"; }  # hex -> bytes, e.g. 000300ea
# synth WORD LENGTH PACKET SKIP: WORD, then PACKET from byte SKIP on, zero-padded, cut to
# LENGTH bytes (through a file, so that no writer dies of SIGPIPE under pipefail).
synth() {
  local tmp
  tmp=$(mktemp)
  { word "$1"; tail -c +"$4" "$3"; head -c 4096 /dev/zero; } >"$tmp"
  head -c "$2" "$tmp"
  rm -f "$tmp"
}
info3=$(find tests/fixtures/3.0.117 -name '*-ans-511.bin' | sort | sed -n 1p)
matrix4=$(find tests/fixtures/4.59.2 -name '*-ans-517.bin' | sort | sed -n 1p)
if [[ -n $info3 && -n $matrix4 ]]; then
  # INFO: version word, then the rest of a 3.0.117 payload.
  for v_len in 00020000:121 000300ea:121 000300ea:129 000300ea:137 00040500:173 \
               00040c00:181 00041400:193; do
    synth "${v_len%:*}" "${v_len#*:}" "$info3" 13 | put "$seeds/info_decoder_fuzz"
  done
  # CHUNKS_MATRIX: version word + the first matrices of a 4.59.2 payload.
  for v_len in 00010700:969 00040500:969 00041400:969 00040500:2905 00041400:2905; do
    synth "${v_len%:*}" $((4 + ${v_len#*:})) "$matrix4" 9 | put "$seeds/chunks_matrix_decoder_fuzz"
  done
fi

# The other decoders' inputs: the version word of the INFO answer of the same mfscli run, then
# (for the answers whose layout depends on the request) one byte for the request form sent
# (0 empty, 1 the other form), then the payload; see each fuzz/<decoder>_fuzz.cpp.
python3 - "$seeds" <<'PY'
import hashlib, os, re, sys
seeds = sys.argv[1]
# answer type -> (target, whether the request form byte is part of the input)
targets = {501: ("cserv_list_decoder_fuzz", True), 523: ("mlog_list_decoder_fuzz", False),
           601: ("hdd_list_decoder_fuzz", False), 515: ("chunks_test_info_decoder_fuzz", False),
           513: ("fs_test_info_decoder_fuzz", True), 545: ("missing_chunks_decoder_fuzz", True),
           537: ("mass_resolve_paths_decoder_fuzz", False), 543: ("sclass_info_decoder_fuzz", False)}
name = re.compile(r"^(\d+)-(.+)-(req|ans)-(\d+)\.bin$")
for root, dirs, files in os.walk("tests/fixtures"):
    packets = sorted(f for f in files if name.match(f))
    info = [f for f in packets if f.endswith("-ans-511.bin")]
    if not info:
        continue
    word = open(os.path.join(root, info[0]), "rb").read()[8:12]
    last_request = {}
    for f in packets:
        seq, peer, kind, typ = name.match(f).groups()
        data = open(os.path.join(root, f), "rb").read()
        if kind == "req":
            last_request[(peer, int(typ) + 1)] = data[8:]
            continue
        t = targets.get(int(typ))
        if t is None:
            continue
        target, form = t
        req = last_request.get((peer, int(typ)), b"")
        # SCLASS_INFO: only the forms the decoder reads (3.x empty, 4.x fver 5).
        if int(typ) == 543 and req not in (b"", b"\x05"):
            continue
        body = word + ((b"\x01" if req else b"\x00") if form else b"") + data[8:]
        path = os.path.join(seeds, target, hashlib.sha1(body).hexdigest())
        with open(path, "wb") as out:
            out.write(body)
PY

for range in 10 10: '~:10' 10:20 @10:20 0 '~:' -5:-1 0.5:1.5 @~:0 '@0:'; do
  printf '%s' "$range" | put "$seeds/threshold_range_fuzz"
done

# ANTOCL_MODULE_INFO as recorded live (tests/unit/protocol/module_info_decoder_test.cpp),
# behind the INFO version word of the same master.
unhex() { python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))' "$1"; }
unhex 000300ea01000300ea00006b0feb45c49979e3000000000000 | put "$seeds/module_info_decoder_fuzz"
unhex 00043b040100043b0400006b0feb4f2fd73a51000000000000 | put "$seeds/module_info_decoder_fuzz"
# Stored samples (history/sample_codec.h) without their CRC: kept under fuzz/seeds/.
for f in fuzz/seeds/sample_codec_fuzz/*; do put "$seeds/sample_codec_fuzz" <"$f"; done

# The exporter's HTTP input (fuzz/exporter_request_fuzz.cpp): allow-list entries, a /probe
# target and a header value, one per line.
for req in $'10.0.0.0/8,mfsmaster:9421,[fd00::1]:9421\n10.1.2.3:9421\n10' \
           $'fd00::/8\n[fd00::5]\n0.2' $'Host\nHOST\ngzip;q=0' $'\n\n' \
           $'192.0.2.0/24,::ffff:10.0.0.0/104\n::ffff:10.1.2.3\ndeflate, gzip;q=0.5' \
           $'10.0.0.0/33,a b,\n[::1]:9421\n*' $'mfsmaster\nmfsmaster:0\ngzip; q=0.000'; do
  printf '%s' "$req" | put "$seeds/exporter_request_fuzz"
done

for t in "${targets[@]}"; do
  n=$(find "$seeds/$t" -type f | wc -l)
  [[ $n -gt 0 ]] || { echo "no seeds for $t: are tests/fixtures there?" >&2; exit 1; }
  echo "$t: $n seeds"
done

if [[ -n $runs ]]; then
  limit=(-runs="$runs")
  echo "== fuzzing: $runs executions per target"
else
  limit=(-max_total_time="$seconds")
  echo "== fuzzing: $seconds s per target"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Runs one target; its summary line goes to $out/logs/<target>.summary and a failure is
# marked by $out/logs/<target>.failed.
run_target() {
  local t=$1 corpus=$out/corpus/$1 artifacts=$out/artifacts/$1/ log=$out/logs/$1.log
  local max_len=() start rc=0 took execs line artifact
  mkdir -p "$corpus" "$artifacts"
  rm -f "$out/logs/$t.failed"
  [[ $t == reply_reader_fuzz ]] && max_len=(-max_len=65536)
  start=$(date +%s)
  "$out/fuzz/$t" "${limit[@]}" "${max_len[@]}" -rss_limit_mb=512 -malloc_limit_mb=64 \
    -timeout=5 -print_final_stats=1 -artifact_prefix="$artifacts" "$corpus" "$seeds/$t" \
    >"$log" 2>&1 || rc=$?
  took=$(($(date +%s) - start))
  execs=$(sed -n 's/^Done \([0-9]*\) runs in.*/\1/p' "$log" | tail -n 1)
  [[ -n $execs ]] || execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  [[ -n $execs ]] || execs='?'
  line="$t: $execs executions in ${took} s, exit $rc, corpus $(find "$corpus" -type f | wc -l) files"
  if [[ $rc -ne 0 ]]; then
    {
      echo "!! $t FAILED (exit $rc); last lines of $log:"
      tail -n 60 "$log"
    } >"$out/logs/$t.failed"
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    [[ -n $artifact ]] && line+=", artifact: $artifact"
  fi
  echo "$line" >"$out/logs/$t.summary"
  echo "$line"
}

# One target per core at a time (FUZZ_JOBS overrides): each libFuzzer run is one process
# on one core, so on CI's 2 cores the stage takes half the time for the same runs each.
jobs_max=${FUZZ_JOBS:-$(nproc)}
mkdir -p "$out/logs"
for t in "${targets[@]}"; do
  while [[ $(jobs -rp | wc -l) -ge $jobs_max ]]; do wait -n || true; done
  echo "-- $t (log: $out/logs/$t.log)"
  run_target "$t" &
done
wait

failed=()
summary=()
for t in "${targets[@]}"; do
  if [[ -f $out/logs/$t.failed ]]; then
    cat "$out/logs/$t.failed"
    failed+=("$t")
  fi
  summary+=("$(cat "$out/logs/$t.summary" 2>/dev/null || echo "$t: no result")")
done

echo "== summary"
printf '%s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all targets ran without a crash"
