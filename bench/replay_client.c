/* The floor for the cluster checks: a bare static client (libc only) that replays a check's
 * conversation and nothing else. It sends exactly the bytes it is given, in the writes it is
 * given, reads every answer whole (NOPs skipped), then asks the chunkservers it is given for
 * their disks, concurrently, after the master's answers are read. No decoding, no output.
 *
 *   replay_client HOST PORT STEP...
 *     w:HEX             one write() of these bytes (whole frames) to the master
 *     r:N               read the next N answers from the master; each must be the answer to
 *                       the oldest request written and not yet answered (type + 1)
 *     cs:IP:PORT,...    CLTOCS_HDD_LIST to each chunkserver at once (at most 64 sockets open,
 *                       as mfsmon), one whole CSTOCL_HDD_LIST answer read from each
 *
 * bench/measure.py builds the steps for `mfsmon check health` (collect/collector.cpp's three
 * master writes and the chunkserver round) and checks once per run, through a recording
 * proxy, that the master sees the same bytes in the same writes from both.
 * Exit 0 when every answer was read, 1 on any failure, 2 on bad arguments. Every wait is
 * bounded by one 10 s deadline. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { kMaxPending = 64, kMaxOpen = 64, kMaxAnswer = 16 << 20, kTimeoutMs = 10000 };

static struct timespec start;

static int RemainingMs(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long used = (now.tv_sec - start.tv_sec) * 1000LL + (now.tv_nsec - start.tv_nsec) / 1000000;
    return used >= kTimeoutMs ? 0 : (int)(kTimeoutMs - used);
}

static uint32_t GetU32(const unsigned char* p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* One growing buffer for every answer payload, as a real client needs somewhere to put it. */
static unsigned char* payload;
static size_t payload_cap;

static int Reserve(size_t n) {
    if (n <= payload_cap) return 1;
    unsigned char* p = realloc(payload, n);
    if (p == NULL) return 0;
    payload = p;
    payload_cap = n;
    return 1;
}

static int ReadAll(int fd, unsigned char* buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, RemainingMs()) <= 0) return 0;
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0) return 0;
        got += (size_t)r;
    }
    return 1;
}

static int WriteAll(int fd, const unsigned char* buf, size_t n) {
    size_t sent = 0;
    while (sent < n) {
        ssize_t r = send(fd, buf + sent, n - sent, MSG_NOSIGNAL);
        if (r <= 0) return 0;
        sent += (size_t)r;
    }
    return 1;
}

/* Reads one non-NOP frame whole; it must be of `type`. */
static int ReadAnswer(int fd, uint32_t type) {
    for (;;) {
        unsigned char h[8];
        if (!ReadAll(fd, h, 8)) return 0;
        uint32_t t = GetU32(h), len = GetU32(h + 4);
        if (len > kMaxAnswer || !Reserve(len) || !ReadAll(fd, payload, len)) return 0;
        if (t == type) return 1;
        if (t != 0) return 0;
    }
}

static int ParseAddress(const char* text, struct sockaddr_in* a) {
    const char* colon = strrchr(text, ':');
    if (colon == NULL || colon - text >= 64) return 0;
    char host[64];
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = 0;
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)atoi(colon + 1));
    return inet_pton(AF_INET, host, &a->sin_addr) == 1;
}

static int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The master's steps. `pending` holds the answer types still owed, oldest first. */
static uint32_t pending[kMaxPending];
static size_t pending_head, pending_tail;

static int WriteStep(int fd, const char* hex) {
    size_t n = strlen(hex);
    if (n % 2 != 0) return 2;
    unsigned char* bytes = malloc(n / 2 + 1);
    if (bytes == NULL) return 1;
    for (size_t i = 0; i < n / 2; ++i) {
        int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return 2;
        bytes[i] = (unsigned char)(hi * 16 + lo);
    }
    /* Whole frames only: each one owes an answer of its type + 1. */
    for (size_t off = 0; off < n / 2;) {
        if (off + 8 > n / 2 || pending_tail == kMaxPending) return 2;
        pending[pending_tail++] = GetU32(bytes + off) + 1;
        off += 8 + GetU32(bytes + off + 4);
        if (off > n / 2) return 2;
    }
    int ok = WriteAll(fd, bytes, n / 2);
    free(bytes);
    return ok ? 0 : 1;
}

static int ReadStep(int fd, const char* count) {
    for (int i = atoi(count); i > 0; --i) {
        if (pending_head == pending_tail) return 2;
        if (!ReadAnswer(fd, pending[pending_head++])) return 1;
    }
    return 0;
}

/* ---- the chunkservers: one poll loop, as mfsmon's transport/multi_exchange ---- */

enum Stage { kFree, kConnecting, kHeader, kPayload };

struct Slot {
    enum Stage stage;
    int fd;
    unsigned char header[8];
    size_t got;
    uint32_t type, length;
};

static int ChunkserverStep(const char* list) {
    struct sockaddr_in targets[4096];
    size_t count = 0;
    char* copy = strdup(list);
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t != NULL;
         t = strtok_r(NULL, ",", &save)) {
        if (count == sizeof targets / sizeof targets[0] || !ParseAddress(t, &targets[count]))
            return 2;
        ++count;
    }
    free(copy);
    static const unsigned char hdd_list[8] = {0, 0, 0x02, 0x58, 0, 0, 0, 0};
    struct Slot slots[kMaxOpen];
    struct pollfd fds[kMaxOpen];
    memset(slots, 0, sizeof slots);
    size_t next = 0, answered = 0;
    unsigned char buf[64 * 1024];
    while (answered < count) {
        int nfds = 0;
        for (int i = 0; i < kMaxOpen; ++i) {
            struct Slot* s = &slots[i];
            if (s->stage == kFree && next < count) {
                s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                if (s->fd < 0) return 1;
                int one = 1;
                setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                int rc = connect(s->fd, (struct sockaddr*)&targets[next], sizeof targets[next]);
                if (rc != 0 && errno != EINPROGRESS) return 1;
                ++next;
                s->stage = kConnecting;
                s->got = 0;
            }
            if (s->stage == kFree) continue;
            fds[nfds].fd = s->fd;
            fds[nfds].events = s->stage == kConnecting ? POLLOUT : POLLIN;
            fds[nfds].revents = 0;
            ++nfds;
        }
        int ready = poll(fds, (nfds_t)nfds, RemainingMs());
        if (ready <= 0) return 1;
        for (int i = 0, k = 0; i < kMaxOpen; ++i) {
            struct Slot* s = &slots[i];
            if (s->stage == kFree) continue;
            short revents = fds[k++].revents;
            if (revents == 0) continue;
            if (s->stage == kConnecting) {
                /* The request is 8 bytes: one send on a fresh socket takes it whole. */
                if (send(s->fd, hdd_list, sizeof hdd_list, MSG_NOSIGNAL) != sizeof hdd_list)
                    return 1;
                s->stage = kHeader;
                continue;
            }
            ssize_t n = recv(s->fd, buf, sizeof buf, 0);
            if (n <= 0) return 1;
            for (size_t off = 0; off < (size_t)n;) {
                if (s->stage == kHeader) {
                    size_t take = 8 - s->got < (size_t)n - off ? 8 - s->got : (size_t)n - off;
                    memcpy(s->header + s->got, buf + off, take);
                    s->got += take;
                    off += take;
                    if (s->got < 8) break;
                    s->type = GetU32(s->header);
                    s->length = GetU32(s->header + 4);
                    if ((s->type != 0 && s->type != 601) || s->length > kMaxAnswer ||
                        !Reserve(s->length))
                        return 1;
                    s->stage = kPayload;
                    s->got = 0;
                }
                size_t take =
                    s->length - s->got < (size_t)n - off ? s->length - s->got : (size_t)n - off;
                memcpy(payload + s->got, buf + off, take);
                s->got += take;
                off += take;
                if (s->got < s->length) break;
                s->got = 0;
                if (s->type == 0) {
                    s->stage = kHeader;
                    continue;
                }
                close(s->fd);
                s->stage = kFree;
                ++answered;
                break;
            }
        }
    }
    return 0;
}

int main(int argc, char** argv) {
    if (argc < 4) return 2;
    clock_gettime(CLOCK_MONOTONIC, &start);
    struct sockaddr_in master;
    char address[96];
    if (strlen(argv[1]) > 64) return 2;
    strcpy(address, argv[1]);
    strcat(address, ":");
    strncat(address, argv[2], 16);
    if (!ParseAddress(address, &master)) return 2;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr*)&master, sizeof master) != 0) return 1;
    for (int i = 3; i < argc; ++i) {
        int rc = 2;
        if (strncmp(argv[i], "w:", 2) == 0) {
            rc = WriteStep(fd, argv[i] + 2);
        } else if (strncmp(argv[i], "r:", 2) == 0) {
            rc = ReadStep(fd, argv[i] + 2);
        } else if (strncmp(argv[i], "cs:", 3) == 0) {
            rc = ChunkserverStep(argv[i] + 3);
        }
        if (rc != 0) return rc;
    }
    close(fd);
    return 0;
}
