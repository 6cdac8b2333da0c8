// DecodeCservList on arbitrary MATOCL_CSERV_LIST payloads.
// Input: a 4-byte version word as it leads MATOCL_INFO (major:16 mid:8 minor_x2:8), one byte
// for the request form that was sent (0 empty, 1 mode 1; 2..4 the forms CSERV_LIST has no
// rule for, which must always be errors; other values are skipped), then the payload. The
// decoder must return a value or an error, never crash; a value must hold whole entries of
// the size the table gives for that version and form, every field read from its own bytes.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "fuzz_check.h"
#include "fuzz_input.h"
#include "model/chunkserver.h"
#include "model/ipv4.h"
#include "model/version.h"
#include "protocol/command_ids.h"
#include "protocol/cserv_list_decoder.h"
#include "protocol/layout_table.h"
#include "protocol/master_version.h"

namespace {

using mfsmon::fuzz::Be;
using mfsmon::model::ChunkServer;
using mfsmon::model::QueueState;
using mfsmon::model::Version;
using mfsmon::protocol::Command;
using mfsmon::protocol::RequestForm;

constexpr Version V(std::uint16_t major, std::uint8_t mid, std::uint8_t minor) {
    return Version{major, mid, minor, false};
}

std::optional<RequestForm> FormOf(std::uint8_t b) {
    switch (b) {
        case 0:
            return RequestForm::kEmpty;
        case 1:
            return RequestForm::kMode1;
        case 2:
            return RequestForm::kPver1;
        case 3:
            return RequestForm::kFver5;
        case 4:
            return RequestForm::kInodeList;
        default:
            return std::nullopt;
    }
}

// The queue state as mfscli reads gracetime, written out again here.
QueueState ExpectedQueueState(std::uint32_t g, bool fast_rebalance_known) {
    if (g >= 0xC0000000u) return QueueState::kOverloaded;
    if (g >= 0x80000000u) return QueueState::kRebalance;
    if (g >= 0x40000000u && fast_rebalance_known) return QueueState::kFastRebalance;
    return g > 0 ? QueueState::kGrace : QueueState::kNormal;
}

// Field offsets from the reference notes (wire protocol section 6, layouts note section 3):
// 4.26+ entries carry original_ip at 4, which moves every later field 4 bytes on.
void CheckEntry(const ChunkServer& cs, const std::uint8_t* p, std::size_t size,
                const Version& master) {
    const std::size_t d = size == 69 ? 0 : 4;
    FUZZ_CHECK(cs.flags == p[0]);
    FUZZ_CHECK(cs.connected() == ((p[0] & 1) == 0));
    FUZZ_CHECK(cs.maintenance() == ((p[0] & 2) != 0));
    FUZZ_CHECK(cs.temporary_maintenance() == ((p[0] & 4) != 0));
    const Version v = mfsmon::protocol::VersionFromWire(p[1], p[2], p[3]);
    FUZZ_CHECK(cs.version == v && cs.version.pro == v.pro);
    FUZZ_CHECK(cs.original_ip.has_value() == (size != 69));
    if (cs.original_ip) FUZZ_CHECK(*cs.original_ip == Be(p + 4, 4));
    FUZZ_CHECK(cs.ip == Be(p + 4 + d, 4));
    FUZZ_CHECK(cs.port == Be(p + 8 + d, 2));
    FUZZ_CHECK(cs.csid == Be(p + 10 + d, 2));
    FUZZ_CHECK(cs.used == Be(p + 12 + d, 8));
    FUZZ_CHECK(cs.total == Be(p + 20 + d, 8));
    FUZZ_CHECK(cs.chunks == Be(p + 28 + d, 4));
    FUZZ_CHECK(cs.td_used == Be(p + 32 + d, 8));
    FUZZ_CHECK(cs.td_total == Be(p + 40 + d, 8));
    FUZZ_CHECK(cs.td_chunks == Be(p + 48 + d, 4));
    FUZZ_CHECK(cs.errors == Be(p + 52 + d, 4));
    FUZZ_CHECK(cs.load == Be(p + 56 + d, 4));
    FUZZ_CHECK(cs.gracetime == Be(p + 60 + d, 4));
    FUZZ_CHECK(cs.labelmask == Be(p + 64 + d, 4));
    FUZZ_CHECK(cs.mfr_status == p[68 + d]);
    FUZZ_CHECK(cs.maintenance_timeout.has_value() == (size == 77));
    if (cs.maintenance_timeout) FUZZ_CHECK(*cs.maintenance_timeout == Be(p + 73, 4));

    // Fast rebalance exists from 4.37 on; for older masters 0x40000000.. is grace, as in
    // mfscli 3.0.117.
    FUZZ_CHECK(cs.fast_rebalance_known == !(master < V(4, 37, 0)));
    FUZZ_CHECK(cs.queue_state() == ExpectedQueueState(cs.gracetime, cs.fast_rebalance_known));

    const std::string ip = mfsmon::model::Ipv4Text(cs.ip);
    FUZZ_CHECK(ip.size() >= 7 && ip.size() <= 15);
    FUZZ_CHECK(mfsmon::model::ChunkServerName(cs) == ip + ":" + std::to_string(cs.port));
}

void CheckValue(const std::vector<ChunkServer>& out, const Version& master, RequestForm form,
                const std::uint8_t* payload, std::size_t size) {
    const auto layout = mfsmon::protocol::FindLayout(Command::kCservList, master, form,
                                                     static_cast<std::uint32_t>(size));
    FUZZ_CHECK(layout.ok());
    std::size_t entry = 0;
    switch (*layout) {
        case mfsmon::protocol::Layout::kCservList69:
            entry = 69;
            // 3.0.38 .. 4.25, asked with the empty request.
            FUZZ_CHECK(form == RequestForm::kEmpty);
            FUZZ_CHECK(!(master < V(3, 0, 38)) && master < V(4, 26, 0));
            break;
        case mfsmon::protocol::Layout::kCservList73:
            entry = 73;
            FUZZ_CHECK(form == RequestForm::kEmpty);
            FUZZ_CHECK(!(master < V(4, 26, 0)) && master < V(5, 0, 0));
            break;
        case mfsmon::protocol::Layout::kCservList77:
            entry = 77;
            FUZZ_CHECK(form == RequestForm::kMode1);
            FUZZ_CHECK(!(master < V(4, 35, 0)) && master < V(5, 0, 0));
            break;
        default:
            FUZZ_CHECK(!"a CSERV_LIST rule with another command's layout");
    }
    // The entry size comes from the version and the form, never from the length.
    FUZZ_CHECK(out.size() * entry == size);
    for (std::size_t i = 0; i < out.size(); ++i)
        CheckEntry(out[i], payload + i * entry, entry, master);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = mfsmon::fuzz::ReadDecoderInput(data, size, true);
    if (!in) return 0;
    const auto form = FormOf(in->form);
    if (!form) return 0;
    auto out = mfsmon::protocol::DecodeCservList(in->payload, in->version, *form);
    if (!out) {
        mfsmon::fuzz::CheckDecodeError(out.error());
        // Only the table refuses: a length the table accepts must decode (else the decoder
        // and the table disagree about a layout).
        FUZZ_CHECK(
            !mfsmon::protocol::FindLayout(Command::kCservList, in->version, *form, in->length())
                 .ok());
        return 0;
    }
    FUZZ_CHECK(*form == RequestForm::kEmpty || *form == RequestForm::kMode1);
    CheckValue(*out, in->version, *form, in->payload.data(), in->payload.size());
    return 0;
}
