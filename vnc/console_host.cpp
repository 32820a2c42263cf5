#include "vnc/console_host.hpp"

#include <algorithm>

#include <sys/wait.h>

namespace superd::vnc {

ConsoleHost::ConsoleHost(boost::asio::io_context& io, ConsoleConfig config, const Font& font,
                         std::shared_ptr<spdlog::logger> log)
    : io_(io)
    , config_(std::move(config))
    , log_(std::move(log))
    , console_(config_.columns, config_.rows, font)
    , pty_(
          io, [this](std::string_view bytes, bool more) { output(bytes, more); },
          [this](int status) { exited(status); })
    , restart_timer_(io)
    , flush_timer_(io) {
    if (config_.log) console_log_.emplace(config_.name, *config_.log, log_);
}

ConsoleHost::~ConsoleHost() {
    *alive_ = false;
}

void ConsoleHost::start() {
    launch();
}

void ConsoleHost::stop() {
    stopping_ = true;
    restart_timer_.cancel();
    pty_.stop();
}

void ConsoleHost::launch() {
    PtyProcess::Options options{config_.command, console_.cols(), console_.rows()};
    if (auto started = pty_.start(options); !started) {
        log_->error("console {}: {}", config_.name, started.error());
        console_.show_exit("cannot start: " + started.error());
        broadcast();
        return;
    }
    log_->info("console {}: started {} (pid {})", config_.name, config_.command.front(),
               pty_.pid());
}

void ConsoleHost::output(std::string_view bytes, bool more) {
    if (console_log_) console_log_->append(bytes);
    console_.feed(bytes);
    if (auto answer = console_.take_output(); !answer.empty()) pty_.write(answer);
    // Output after a quiet spell (a key's echo, a prompt) goes out at once. Output that keeps
    // coming (a scroll of many lines) is a flood: its screen goes out when the flood pauses for
    // flood_gap, or every max_hold, like a terminal's jump scroll — one update of the final
    // screen rather than one per read, each nearly a whole new screen. A read that alone
    // scrolls a whole screen starts a flood too: nobody reads that screen before the next, and
    // no echo is that long.
    const auto now = std::chrono::steady_clock::now();
    const bool screenful = std::ranges::count(bytes, '\n') >= console_.rows();
    const bool flood = more || screenful || now - last_output_ < flood_gap;
    last_output_ = now;
    if (!flood) {
        broadcast();
        return;
    }
    // max_hold counts from the first output held, so that a long flood still shows progress.
    if (!flush_pending_) {
        hold_since_ = now;
    } else if (now - hold_since_ >= max_hold) {
        broadcast();
        return;
    }
    // (Re)armed: pushed back while output keeps coming; the wait it replaces is aborted.
    flush_pending_ = true;
    flush_timer_.expires_after(flood_gap);
    flush_timer_.async_wait([this, alive = alive_](boost::system::error_code ec) {
        if (ec || !*alive) return;
        flush_pending_ = false;
        broadcast();
    });
}

void ConsoleHost::broadcast() {
    if (flush_pending_) {
        flush_pending_ = false;
        flush_timer_.cancel();
    }
    Update update = console_.take_damage();
    bool bell = console_.take_bell();
    for (ViewerLink* v : std::set<ViewerLink*>(viewers_)) {
        if (!update.empty()) v->damaged(update);
        if (bell) v->bell();
    }
}

void ConsoleHost::exited(int status) {
    const bool failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    std::string how = WIFEXITED(status)
                          ? "exited with status " + std::to_string(WEXITSTATUS(status))
                      : WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                            : "ended";
    log_->info("console {}: the command {}", config_.name, how);
    if (stopping_) return;
    const bool again = config_.restart == RestartPolicy::always ||
                       (config_.restart == RestartPolicy::on_failure && failed);
    console_.show_exit("[" + config_.name + ": the command " + how +
                       (again ? "; restarting]" : "]"));
    broadcast();
    if (!again) return;
    restart_timer_.expires_after(config_.restart_delay);
    restart_timer_.async_wait([this, alive = alive_](boost::system::error_code ec) {
        if (ec || !*alive || stopping_) return;
        launch();
    });
}

bool ConsoleHost::join(ViewerLink* viewer, bool shared, std::string& why) {
    if (static_cast<int>(viewers_.size()) >= config_.max_viewers) {
        why = "too many viewers on console " + config_.name;
        return false;
    }
    switch (config_.shared) {
    case SharePolicy::shared:
        break;
    case SharePolicy::exclusive:
        if (!viewers_.empty()) {
            why = "console " + config_.name + " is in use by another viewer";
            return false;
        }
        break;
    case SharePolicy::takeover:
        if (!shared)
            for (ViewerLink* other : std::set<ViewerLink*>(viewers_))
                other->disconnect("another viewer took console " + config_.name);
        break;
    }
    viewers_.insert(viewer);
    if (on_change) on_change();
    return true;
}

void ConsoleHost::leave(ViewerLink* viewer) {
    viewers_.erase(viewer);
    if (on_change) on_change();
}

void ConsoleHost::input(std::string_view bytes) {
    if (!bytes.empty()) pty_.write(bytes);
}

bool ConsoleHost::resize(int cols, int rows) {
    if (cols < min_columns || cols > max_columns || rows < min_rows || rows > max_rows)
        return false;
    if (cols == console_.cols() && rows == console_.rows()) return true;
    console_.resize(cols, rows);
    pty_.resize(cols, rows);
    console_.take_damage(); // each viewer gets the whole new screen
    for (ViewerLink* v : std::set<ViewerLink*>(viewers_))
        v->resized();
    return true;
}

} // namespace superd::vnc
