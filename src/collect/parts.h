// The parts of a cluster snapshot a consumer can ask for. A check names the parts it needs;
// the collector fetches exactly those (see collector.h).
#pragma once

#include <cstdint>
#include <initializer_list>

namespace mfsmon::collect {

enum class Part : std::uint8_t {
    kMatrix,          // CLTOMA_CHUNKS_MATRIX
    kChunkservers,    // CLTOMA_CSERV_LIST
    kDisks,           // CLTOCS_HDD_LIST to every connected chunkserver (needs kChunkservers)
    kMetaloggers,     // CLTOMA_MLOG_LIST
    kChunkLoop,       // CLTOMA_CHUNKSTEST_INFO
    kFsCheck,         // CLTOMA_FSTEST_INFO
    kStorageClasses,  // CLTOMA_SCLASS_INFO
    kMissingFiles,    // CLTOMA_MISSING_CHUNKS (+ CLTOMA_MASS_RESOLVE_PATHS)
    kClassMatrices,   // CLTOMA_CHUNKS_MATRIX per storage class in use (needs kStorageClasses)
    kIdentity,        // the metadata id: CLTOAN_MODULE_INFO where INFO does not carry it (< 4.4)
};

class PartSet {
  public:
    PartSet() = default;
    PartSet(std::initializer_list<Part> parts) {
        for (Part p : parts) Add(p);
    }
    void Add(Part p) { bits_ |= Bit(p); }
    bool Has(Part p) const { return (bits_ & Bit(p)) != 0; }
    PartSet& operator|=(const PartSet& other) {
        bits_ |= other.bits_;
        return *this;
    }

  private:
    static std::uint32_t Bit(Part p) { return 1u << static_cast<unsigned>(p); }
    std::uint32_t bits_ = 0;
};

}  // namespace mfsmon::collect
