// Which masters /probe may connect to (--allow-target). /probe makes the exporter connect
// wherever a URL says; on a shared network that is a port scanner and a way to reach hosts
// behind the firewall. With an allow list, a target that matches no entry is refused (HTTP 403)
// before any name lookup or connection.
//
// An entry is HOST (any port), HOST:PORT, [IPv6]:PORT, or a CIDR (an address range, any port).
// A HOST entry matches the target's host text exactly (case-insensitive: DNS names are); a CIDR
// matches only a numeric target address: a name is never resolved to be checked, because the
// answer could differ between the check and the connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace mfsmon::exporter {

struct AllowEntry {
    // A host entry: `host` (lower case), `port` when given.
    std::string host;
    std::optional<std::uint16_t> port;
    // A CIDR entry: the network address (16 bytes; IPv4 mapped to ::ffff:a.b.c.d) and prefix.
    bool cidr = false;
    std::uint8_t network[16] = {};
    int prefix_bits = 0;  // of the 128
};

class TargetAllowList {
  public:
    // "10.0.0.0/8", "fd00::/8", "mfsmaster", "mfsmaster:9421", "[fd00::1]:9421", "192.0.2.7".
    static Result<AllowEntry> ParseEntry(std::string_view text);

    void Add(AllowEntry entry) { entries_.push_back(std::move(entry)); }
    // No entries: every target is allowed (the exporter says so when it starts).
    bool Restricted() const { return !entries_.empty(); }
    bool Allows(std::string_view host, std::uint16_t port) const;

  private:
    std::vector<AllowEntry> entries_;
};

}  // namespace mfsmon::exporter
