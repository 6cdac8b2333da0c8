// What the human commands need to know about their terminal, and the one place that takes
// it over (`watch`): colour only on a terminal and without NO_COLOR (https://no-color.org),
// UTF-8 block characters only in a UTF-8 locale, the size from the terminal. The full-screen
// mode (alternate screen, hidden cursor) is undone on every way out: normal return, Ctrl-C,
// SIGTERM, SIGHUP.
#pragma once

#include <string>

namespace mfsmon::cli {

enum class ColorMode { kAuto, kAlways, kNever };

// Colour for stdout: kAuto = a terminal and NO_COLOR unset (or empty); TERM=dumb is plain.
bool UseColor(ColorMode mode);
// A UTF-8 locale by LC_ALL, LC_CTYPE, LANG (the first one set decides).
bool UseUnicode();
struct TerminalSize {
    int columns = 80;
    int rows = 24;
};
TerminalSize StdoutSize();

// The full screen of `watch`. Enter() switches to the alternate screen and hides the cursor
// (only on a terminal); Leave() restores both; signal handlers installed by
// InstallStopHandlers() restore the terminal before the process goes.
class FullScreen {
  public:
    explicit FullScreen(bool active);
    ~FullScreen();
    FullScreen(const FullScreen&) = delete;
    FullScreen& operator=(const FullScreen&) = delete;

    // Replaces the screen with `text` (cursor home, each line cleared to its end, the rest
    // of the screen cleared), in one write.
    void Draw(const std::string& text);

  private:
    bool active_;
};

// SIGINT, SIGTERM and SIGHUP set the stop flag (no SA_RESTART: a sleep or a poll returns);
// SIGWINCH sets the resize flag.
void InstallStopHandlers();
bool StopRequested();
bool TakeResize();
// Sleeps up to `seconds`, returning early when a stop is requested or the size changed.
void SleepUnlessStopped(double seconds);

}  // namespace mfsmon::cli
