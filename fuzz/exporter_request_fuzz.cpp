// The exporter's parsers of outside input, on arbitrary bytes: --allow-target entries
// (TargetAllowList::ParseEntry), the /probe?target= value (cli::ParseHostPort, then Allows on a
// list built from the parsed entries), and the request headers X-Prometheus-Scrape-Timeout-
// Seconds (ScrapeBudget) and Accept-Encoding (AcceptsGzip). Gzip() must round-trip the input.
//
// Input: three parts separated by the first two '\n' (a missing part is empty):
//   ENTRIES '\n' TARGET '\n' HEADER
// ENTRIES is split at ',' into --allow-target values, as if each were given once.
#include <arpa/inet.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "cli/option_values.h"
#include "exporter/gzip.h"
#include "exporter/scrape_budget.h"
#include "exporter/target_allow_list.h"
#include "fuzz_check.h"

namespace {

using mfsmon::ErrorKind;
using mfsmon::exporter::AcceptsGzip;
using mfsmon::exporter::AllowEntry;
using mfsmon::exporter::BudgetSettings;
using mfsmon::exporter::Gzip;
using mfsmon::exporter::ScrapeBudget;
using mfsmon::exporter::TargetAllowList;
using std::chrono::milliseconds;

struct Parts {
    std::string_view entries, target, header;
};

Parts Split(std::string_view in) {
    Parts p;
    std::string_view* out[] = {&p.entries, &p.target, &p.header};
    for (int i = 0; i < 2; ++i) {
        const auto nl = in.find('\n');
        if (nl == std::string_view::npos) {
            *out[i] = in;
            return p;
        }
        *out[i] = in.substr(0, nl);
        in.remove_prefix(nl + 1);
    }
    p.header = in;
    return p;
}

std::string Upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

std::string Lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// A CIDR entry's network address as text: dotted IPv4 for a mapped one, else IPv6.
std::string NetworkText(const AllowEntry& e) {
    static const std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    char buf[INET6_ADDRSTRLEN] = {};
    if (std::memcmp(e.network, kMapped, 12) == 0) {
        inet_ntop(AF_INET, e.network + 12, buf, sizeof buf);
    } else {
        inet_ntop(AF_INET6, e.network, buf, sizeof buf);
    }
    return buf;
}

// Checks one parsed entry on its own: it allows what it names.
void CheckEntry(const AllowEntry& e) {
    TargetAllowList alone;
    alone.Add(e);
    FUZZ_CHECK(alone.Restricted());
    if (e.cidr) {
        FUZZ_CHECK(e.prefix_bits >= 0 && e.prefix_bits <= 128);
        FUZZ_CHECK(e.host.empty());
        // The network address itself is inside its own range, on any port.
        const std::string net = NetworkText(e);
        FUZZ_CHECK(alone.Allows(net, 9421));
        FUZZ_CHECK(alone.Allows(net, 1));
        return;
    }
    FUZZ_CHECK(!e.host.empty() && e.host.size() <= 255);
    FUZZ_CHECK(e.host == Lower(e.host));
    FUZZ_CHECK(e.host.find_first_of(" \t\r\n") == std::string::npos);
    FUZZ_CHECK(!e.port || *e.port != 0);
    const std::uint16_t port = e.port ? *e.port : 9421;
    FUZZ_CHECK(alone.Allows(e.host, port));
    FUZZ_CHECK(alone.Allows(Upper(e.host), port));
    if (e.port) {
        // A port-specific entry allows no other port.
        const auto other = static_cast<std::uint16_t>(*e.port == 65535 ? 1 : *e.port + 1);
        FUZZ_CHECK(!alone.Allows(e.host, other));
    }
}

void CheckAllowList(std::string_view entries, std::string_view target) {
    TargetAllowList list;
    FUZZ_CHECK(!list.Restricted());
    FUZZ_CHECK(list.Allows(target, 9421));  // no entries: everything
    std::size_t added = 0;
    while (true) {
        const auto comma = entries.find(',');
        const std::string_view text = entries.substr(0, comma);
        auto entry = TargetAllowList::ParseEntry(text);
        if (entry) {
            CheckEntry(*entry);
            list.Add(*entry);
            ++added;
        } else {
            FUZZ_CHECK(entry.error().kind == ErrorKind::kInvalidArgument);
            mfsmon::fuzz::CheckError(entry.error());
        }
        if (comma == std::string_view::npos || added >= 16) break;
        entries.remove_prefix(comma + 1);
    }
    FUZZ_CHECK(list.Restricted() == (added > 0));

    // The /probe target: as the handler takes it, and the raw text too.
    auto hp = mfsmon::cli::ParseHostPort(target);
    if (!hp) {
        FUZZ_CHECK(hp.error().kind == ErrorKind::kInvalidArgument);
        mfsmon::fuzz::CheckError(hp.error());
    } else {
        FUZZ_CHECK(!hp->host.empty() && hp->host.size() <= 255);
        FUZZ_CHECK(!hp->port || *hp->port != 0);
        const std::uint16_t port = hp->port ? *hp->port : 9421;
        const bool allowed = list.Allows(hp->host, port);
        // Names are matched case-insensitively; numeric addresses do not care either.
        FUZZ_CHECK(list.Allows(Upper(hp->host), port) == allowed);
        FUZZ_CHECK(list.Allows(Lower(hp->host), port) == allowed);
        if (added == 0) FUZZ_CHECK(allowed);
    }
    const bool raw = list.Allows(target, 0);
    FUZZ_CHECK(list.Allows(Upper(target), 0) == raw);
}

void CheckHeader(std::string_view header) {
    // The exporter's defaults, a shorter and a longer cap, no margin (cap >= floor always:
    // --timeout is at least 0.1 s).
    const BudgetSettings settings[] = {
        {milliseconds(10000), milliseconds(500), milliseconds(100)},
        {milliseconds(100), milliseconds(500), milliseconds(100)},
        {milliseconds(3600000), milliseconds(60000), milliseconds(100)},
        {milliseconds(10000), milliseconds(0), milliseconds(100)},
    };
    for (const auto& s : settings) {
        const auto budget = ScrapeBudget(header, s);
        FUZZ_CHECK(budget >= s.floor);
        FUZZ_CHECK(budget <= std::max(s.cap, s.floor));
        if (header.empty()) FUZZ_CHECK(budget == s.cap);
        // A larger margin never gives more time.
        BudgetSettings more = s;
        more.margin += milliseconds(1000);
        FUZZ_CHECK(ScrapeBudget(header, more) <= budget);
    }
    // Accept-Encoding: codings and "q" are case-insensitive.
    FUZZ_CHECK(AcceptsGzip(header) == AcceptsGzip(Upper(header)));
    FUZZ_CHECK(AcceptsGzip(header) == AcceptsGzip(Lower(header)));
}

// Gzip() of the whole input inflates back to it.
void CheckGzip(std::string_view data) {
    const std::string gz = Gzip(data);
    FUZZ_CHECK(!gz.empty());
    z_stream z{};
    FUZZ_CHECK(inflateInit2(&z, 15 + 16) == Z_OK);
    std::string out(data.size() + 1, '\0');  // one spare byte: more output is an error
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
    z.avail_in = static_cast<uInt>(gz.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&z, Z_FINISH);
    const std::size_t produced = out.size() - z.avail_out;
    const bool consumed_all = z.avail_in == 0;
    inflateEnd(&z);
    FUZZ_CHECK(rc == Z_STREAM_END);
    FUZZ_CHECK(consumed_all);
    FUZZ_CHECK(produced == data.size());
    FUZZ_CHECK(std::string_view(out.data(), produced) == data);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    const Parts parts = Split(in);
    // As the HTTP handler has them: std::strings (an empty part is "", never a null view;
    // tests/unit/exporter/target_allow_list_test.cpp covers the null view).
    const std::string entries(parts.entries), target(parts.target), header(parts.header);
    CheckAllowList(entries, target);
    CheckHeader(header);
    CheckGzip(in);
    return 0;
}
