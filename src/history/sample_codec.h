// The bytes of one stored sample: a magic and format version, the sample's fields as varints
// (zero counts cost one byte), and a CRC-32 over all of it, so that a damaged value is
// refused (an error naming what was wrong) rather than read as counts. Decoding is fuzzed
// (fuzz/sample_codec_fuzz.cpp): stored bytes are outside input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/result.h"
#include "model/trend_sample.h"

namespace mfsmon::history {

// Bounds DecodeSample holds a value to (a count over them is refused, never allocated):
// matrix rows (row index <= 10), storage classes, chunkservers, marked disks, and the bytes of
// one string (server name, disk path).
inline constexpr std::size_t kMaxSampleRows = 11;
inline constexpr std::size_t kMaxSampleClasses = 256;
inline constexpr std::size_t kMaxSampleServers = 65536;
inline constexpr std::size_t kMaxSampleDisks = std::size_t{1} << 20;
inline constexpr std::size_t kMaxSampleString = 4096;

// Layout (format 1): 'm' 'T' 1, then LEB128 varints: time_ms (zigzag), metadata_id,
// matrix_progress, flags (1 loop_start, 2 loop_end, 4 servers_known, 8 disks_known), the
// loop times present, rows (count; row, 7 all, 7 regular), classes (count; id, 7, 7),
// servers (count; name, csid, flags 1 connected 2 maintenance, marked_chunks, mfr_status),
// disks (count; server, path, chunks); strings are a length and the bytes. Then the CRC-32
// (zlib) of everything before it, big endian. Lists are written whether or not they were
// asked for, so every sample within the bounds round-trips.

std::vector<std::uint8_t> EncodeSample(const model::TrendSample& sample);
// Refuses (kProtocol, "sample: ...") anything but exactly one well-formed value: a bad magic
// or format, a checksum mismatch, a count or value over its bound, an overlong varint,
// missing or trailing bytes.
Result<model::TrendSample> DecodeSample(std::span<const std::uint8_t> bytes);

}  // namespace mfsmon::history
