// Compression of answers for clients that ask for it (Prometheus sends Accept-Encoding: gzip).
// A scrape of a large cluster is mostly repeated metric and label names: gzip makes it a
// fraction of the size at a small CPU cost, so the fastest level is used.
#pragma once

#include <string>
#include <string_view>

namespace mfsmon::exporter {

// Whether an Accept-Encoding header accepts gzip ("gzip", "x-gzip" or "*", with q > 0).
bool AcceptsGzip(std::string_view accept_encoding);

// The gzip member (RFC 1952) of `data`, or an empty string when zlib fails (out of memory):
// the caller then sends the data as it is.
std::string Gzip(std::string_view data);

}  // namespace mfsmon::exporter
