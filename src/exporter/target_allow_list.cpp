#include "exporter/target_allow_list.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "cli/option_values.h"
#include "common/printable.h"

namespace mfsmon::exporter {

namespace {

std::string Lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// A numeric IPv4 or IPv6 address as 16 bytes (IPv4 mapped), or nothing.
std::optional<std::array<std::uint8_t, 16>> NumericAddress(std::string_view text) {
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    char buf[INET6_ADDRSTRLEN] = {};
    std::memcpy(buf, text.data(), text.size());
    std::array<std::uint8_t, 16> out{};
    in_addr v4{};
    if (inet_pton(AF_INET, buf, &v4) == 1) {
        out[10] = 0xff;
        out[11] = 0xff;
        std::memcpy(out.data() + 12, &v4, 4);
        return out;
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, buf, &v6) == 1) {
        std::memcpy(out.data(), &v6, 16);
        return out;
    }
    return std::nullopt;
}

bool PrefixMatches(const std::uint8_t* a, const std::uint8_t* b, int bits) {
    const int bytes = bits / 8;
    if (std::memcmp(a, b, static_cast<std::size_t>(bytes)) != 0) return false;
    const int rest = bits % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
    return (a[bytes] & mask) == (b[bytes] & mask);
}

std::string Quote(std::string_view text) {
    return fmt::format("\"{}\"", ControlCharsReplaced(text));
}

Error Invalid(std::string message) {
    return MakeError(ErrorKind::kInvalidArgument, std::move(message));
}

}  // namespace

Result<AllowEntry> TargetAllowList::ParseEntry(std::string_view text) {
    AllowEntry entry;
    if (const auto slash = text.find('/'); slash != std::string_view::npos) {
        const std::string_view address = text.substr(0, slash);
        const std::string_view bits = text.substr(slash + 1);
        auto net = NumericAddress(address);
        if (!net) {
            return Invalid(fmt::format("--allow-target {}: {} is not a numeric IPv4/IPv6 address",
                                       Quote(text), Quote(address)));
        }
        int prefix = -1;
        const auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
        const bool v4 = address.find(':') == std::string_view::npos;
        const int max = v4 ? 32 : 128;
        if (ec != std::errc() || end != bits.data() + bits.size() || prefix < 0 || prefix > max) {
            return Invalid(fmt::format("--allow-target {}: the prefix length must be 0 to {}",
                                       Quote(text), max));
        }
        entry.cidr = true;
        std::memcpy(entry.network, net->data(), 16);
        entry.prefix_bits = v4 ? 96 + prefix : prefix;
        return entry;
    }
    auto hp = cli::ParseHostPort(text);
    if (!hp) return Invalid(fmt::format("--allow-target: {}", hp.error().message));
    entry.host = Lower(hp->host);
    entry.port = hp->port;
    return entry;
}

bool TargetAllowList::Allows(std::string_view host, std::uint16_t port) const {
    if (entries_.empty()) return true;
    const std::string lower = Lower(host);
    const auto numeric = NumericAddress(host);
    for (const auto& e : entries_) {
        if (e.cidr) {
            if (numeric && PrefixMatches(numeric->data(), e.network, e.prefix_bits)) return true;
            continue;
        }
        if (e.port && *e.port != port) continue;
        if (e.host == lower) return true;
        // The same address written differently ("::1" and "0:0::1").
        const auto entry_numeric = NumericAddress(e.host);
        if (numeric && entry_numeric && *numeric == *entry_numeric) return true;
    }
    return false;
}

}  // namespace mfsmon::exporter
