#include "cli/terminal.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string_view>

namespace mfsmon::cli {

namespace {

volatile sig_atomic_t g_stop = 0;
volatile sig_atomic_t g_resize = 0;

void OnStop(int) {
    g_stop = 1;
}

void OnResize(int) {
    g_resize = 1;
}

bool Set(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0';
}

void WriteAll(std::string_view s) {
    while (!s.empty()) {
        const ssize_t n = ::write(STDOUT_FILENO, s.data(), s.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        s.remove_prefix(static_cast<std::size_t>(n));
    }
}

constexpr std::string_view kEnter = "\x1b[?1049h\x1b[?25l";  // alternate screen, hide cursor
constexpr std::string_view kLeave = "\x1b[?25h\x1b[?1049l";  // show cursor, main screen

}  // namespace

bool UseColor(ColorMode mode) {
    if (mode == ColorMode::kAlways) return true;
    if (mode == ColorMode::kNever) return false;
    if (Set("NO_COLOR")) return false;
    const char* term = std::getenv("TERM");
    if (term != nullptr && std::string_view(term) == "dumb") return false;
    return ::isatty(STDOUT_FILENO) == 1;
}

bool UseUnicode() {
    for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
        if (!Set(name)) continue;
        std::string v = std::getenv(name);
        std::transform(v.begin(), v.end(), v.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return v.find("utf-8") != std::string::npos || v.find("utf8") != std::string::npos;
    }
    return false;
}

TerminalSize StdoutSize() {
    TerminalSize size;
    winsize ws{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
        size.columns = ws.ws_col;
        size.rows = ws.ws_row;
    }
    return size;
}

FullScreen::FullScreen(bool active) : active_(active) {
    if (active_) WriteAll(kEnter);
}

FullScreen::~FullScreen() {
    if (active_) WriteAll(kLeave);
}

void FullScreen::Draw(const std::string& text) {
    if (!active_) {
        WriteAll(text);
        WriteAll("\n");
        return;
    }
    std::string frame = "\x1b[H";
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        frame.append(text, start, end - start);
        frame += "\x1b[K\r\n";
        start = end + 1;
    }
    frame += "\x1b[J";
    WriteAll(frame);
}

void InstallStopHandlers() {
    struct sigaction sa {};
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a sleeping watch wakes at once
    sa.sa_handler = OnStop;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);
    sa.sa_handler = OnResize;
    sigaction(SIGWINCH, &sa, nullptr);
}

bool StopRequested() {
    return g_stop != 0;
}

bool TakeResize() {
    const bool r = g_resize != 0;
    g_resize = 0;
    return r;
}

void SleepUnlessStopped(double seconds) {
    timespec left{
        static_cast<time_t>(seconds),
        static_cast<long>((seconds - static_cast<double>(static_cast<time_t>(seconds))) * 1e9)};
    while (!StopRequested() && g_resize == 0) {
        if (::nanosleep(&left, &left) == 0) return;
        if (errno != EINTR) return;
    }
}

}  // namespace mfsmon::cli
