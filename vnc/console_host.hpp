#pragma once
// One console as its viewers share it: the command in its pty (restarted as configured), the
// libvterm screen it draws into, and the viewers watching it. Output from the pty goes to the
// console's log file (if it has one) and becomes damage, which every viewer collects until it
// asks for an update; viewers' keys and pastes go to the pty. The share policy (yes / no /
// exclusive) is applied when a viewer's ClientInit arrives. Under superd with wait = no, each
// process has its own ConsoleHost: a console per viewer.
#include "vnc/config/config.hpp"
#include "vnc/console_log.hpp"
#include "vnc/pty_process.hpp"
#include "vnc/term/console.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <spdlog/logger.h>

namespace superd::vnc {

// What the host tells a viewer.
class ViewerLink {
  public:
    virtual ~ViewerLink() = default;
    virtual void damaged(const Update& update) = 0;
    virtual void resized() = 0;
    virtual void bell() = 0;
    virtual void disconnect(const std::string& why) = 0;
};

class ConsoleHost {
  public:
    ConsoleHost(boost::asio::io_context& io, ConsoleConfig config, const Font& font,
                std::shared_ptr<spdlog::logger> log);
    ~ConsoleHost();
    ConsoleHost(const ConsoleHost&) = delete;
    ConsoleHost& operator=(const ConsoleHost&) = delete;

    void start();
    void stop();

    const ConsoleConfig& config() const { return config_; }
    Console& console() { return console_; }
    const Framebuffer& framebuffer() const { return console_.framebuffer(); }

    // ClientInit: whether this viewer may join, given its shared flag; `why` when not.
    bool join(ViewerLink* viewer, bool shared, std::string& why);
    void leave(ViewerLink* viewer);
    std::size_t viewers() const { return viewers_.size(); }

    void input(std::string_view bytes);
    // ExtendedDesktopSize: a new geometry in cells; false when refused.
    bool resize(int cols, int rows);
    // Called when the last viewer leaves (superd's idle accounting).
    std::function<void()> on_change;

  private:
    void launch();
    void output(std::string_view bytes, bool more);
    void exited(int status);
    void broadcast();

    boost::asio::io_context& io_;
    ConsoleConfig config_;
    std::shared_ptr<spdlog::logger> log_;
    Console console_;
    std::optional<ConsoleLog> console_log_; // vnc.ini `log`
    PtyProcess pty_;
    boost::asio::steady_timer restart_timer_;
    std::set<ViewerLink*> viewers_;
    bool stopping_ = false;
    static constexpr std::chrono::milliseconds flood_gap{10};
    static constexpr std::chrono::milliseconds max_hold{100};
    std::chrono::steady_clock::time_point hold_since_{}, last_output_{};
    boost::asio::steady_timer flush_timer_;
    bool flush_pending_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace superd::vnc
