#include "exporter/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace mfsmon::exporter {

namespace {

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// "q=0", "q=0.0", "q=0.000": the coding is refused.
bool ZeroQuality(std::string_view params) {
    while (!params.empty()) {
        const auto semi = params.find(';');
        std::string_view p = Trim(params.substr(0, semi));
        params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
        if (p.size() < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=') continue;
        std::string_view value = p.substr(2);
        if (value.empty() || value[0] != '0') return false;
        value.remove_prefix(1);
        if (value.empty()) return true;
        if (value[0] != '.') return false;
        return value.find_first_not_of('0', 1) == std::string_view::npos;
    }
    return false;
}

}  // namespace

// RFC 9110 12.5.3: an item naming gzip decides; "*" only speaks for codings not named.
bool AcceptsGzip(std::string_view header) {
    bool star = false;
    while (!header.empty()) {
        const auto comma = header.find(',');
        std::string_view item = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        const auto semi = item.find(';');
        const std::string_view coding = Trim(item.substr(0, semi));
        const std::string_view params =
            semi == std::string_view::npos ? std::string_view{} : item.substr(semi + 1);
        if (EqualsNoCase(coding, "gzip") || EqualsNoCase(coding, "x-gzip")) {
            return !ZeroQuality(params);
        }
        if (coding == "*") star = !ZeroQuality(params);
    }
    return star;
}

std::string Gzip(std::string_view data) {
    if (data.size() > (1u << 30)) return {};  // zlib counts in 32 bits; no scrape is this big
    z_stream z{};
    // 15 + 16: a gzip header and trailer around the deflate stream.
    if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return {};
    }
    std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    const std::size_t produced = out.size() - z.avail_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) return {};
    out.resize(produced);
    return out;
}

}  // namespace mfsmon::exporter
