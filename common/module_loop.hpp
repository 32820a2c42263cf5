#pragma once
// What every module's event loop has: SIGTERM and SIGINT stop it, SIGUSR1 asks for a report,
// and under superd an idle timer stops it after a while without requests (superd starts the
// module again on the next one), unless work is still pending.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <spdlog/logger.h>

namespace superd::common {

class ModuleLoop {
  public:
    // idle: zero for never. report: what SIGUSR1 logs. busy: true while the module must not
    // exit yet (an answer still waits for its disk write, say); the timer then tries again.
    ModuleLoop(boost::asio::io_context& io, std::shared_ptr<spdlog::logger> log,
               std::chrono::seconds idle, std::function<void()> report,
               std::function<bool()> busy = {});
    void start();
    // A request came: the idle time starts again.
    void touch();

  private:
    void wait_signal();

    boost::asio::io_context& io_;
    std::shared_ptr<spdlog::logger> log_;
    std::chrono::seconds idle_;
    std::function<void()> report_;
    std::function<bool()> busy_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer idle_timer_;
};

// " name=1 other=2" (or " none"), for a module's counters line.
std::string format_counters(const std::map<std::string, std::uint64_t>& counters);

} // namespace superd::common
