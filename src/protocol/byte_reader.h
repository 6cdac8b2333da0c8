// Big-endian reads over a byte span. Decoders check the total length against the layout
// table first; the reader still refuses to step past the end, so a wrong table entry is an
// error value, never an out-of-bounds read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace mfsmon::protocol {

class ByteReader {
  public:
    explicit ByteReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

    bool ok() const { return ok_; }
    std::size_t offset() const { return pos_; }
    std::size_t remaining() const { return bytes_.size() - pos_; }

    std::uint8_t U8() { return static_cast<std::uint8_t>(Read(1)); }
    std::uint16_t U16() { return static_cast<std::uint16_t>(Read(2)); }
    std::uint32_t U32() { return static_cast<std::uint32_t>(Read(4)); }
    std::uint64_t U64() { return Read(8); }
    // Steps over reserved bytes (at most 8 at a time).
    void Skip(std::size_t n) { Read(n); }

  private:
    std::uint64_t Read(std::size_t n) {
        if (!ok_ || remaining() < n) {
            ok_ = false;
            return 0;
        }
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < n; ++i) v = (v << 8) | bytes_[pos_ + i];
        pos_ += n;
        return v;
    }

    std::span<const std::uint8_t> bytes_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

}  // namespace mfsmon::protocol
