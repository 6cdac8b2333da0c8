// The floor: the least any check can do. Connects, sends CLTOMA_INFO and
// CLTOMA_CHUNKS_MATRIX (pipelined, as mfsmon does), reads both answers whole, exits 0.
// No decoding, no output, no libraries beyond libc. mfsmon is measured against this.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace {

bool ReadAll(int fd, unsigned char* buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0) return false;
        got += static_cast<size_t>(r);
    }
    return true;
}

// Reads one non-NOP frame of the expected type into a fixed buffer.
bool ReadAnswer(int fd, uint32_t type) {
    static unsigned char payload[1 << 16];
    while (true) {
        unsigned char h[8];
        if (!ReadAll(fd, h, 8)) return false;
        uint32_t t = (uint32_t{h[0]} << 24) | (uint32_t{h[1]} << 16) | (uint32_t{h[2]} << 8) | h[3];
        uint32_t len =
            (uint32_t{h[4]} << 24) | (uint32_t{h[5]} << 16) | (uint32_t{h[6]} << 8) | h[7];
        if (len > sizeof payload || !ReadAll(fd, payload, len)) return false;
        if (t == type) return true;
        if (t != 0) return false;
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) return 2;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[2])));
    if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1) return 2;
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return 1;
    const unsigned char req[16] = {0, 0, 0x01, 0xFE, 0, 0, 0, 0, 0, 0, 0x02, 0x04, 0, 0, 0, 0};
    if (write(fd, req, sizeof req) != sizeof req) return 1;
    if (!ReadAnswer(fd, 511) || !ReadAnswer(fd, 517)) return 1;
    close(fd);
    return 0;
}
