#include "common/module_loop.hpp"

#include <csignal>

namespace superd::common {

ModuleLoop::ModuleLoop(boost::asio::io_context& io, std::shared_ptr<spdlog::logger> log,
                       std::chrono::seconds idle, std::function<void()> report,
                       std::function<bool()> busy)
    : io_(io)
    , log_(std::move(log))
    , idle_(idle)
    , report_(std::move(report))
    , busy_(std::move(busy))
    , signals_(io, SIGTERM, SIGINT, SIGUSR1)
    , idle_timer_(io) {}

void ModuleLoop::start() {
    wait_signal();
    touch();
}

void ModuleLoop::touch() {
    if (idle_.count() == 0) return;
    idle_timer_.expires_after(idle_);
    idle_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        if (busy_ && busy_()) return touch();
        log_->info("idle for {} s: exiting; superd starts us again on the next request",
                   idle_.count());
        io_.stop();
    });
}

void ModuleLoop::wait_signal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        if (sig == SIGUSR1) {
            if (report_) report_();
            return wait_signal();
        }
        log_->info("signal {}: exiting", sig);
        io_.stop();
    });
}

std::string format_counters(const std::map<std::string, std::uint64_t>& counters) {
    std::string text;
    for (const auto& [name, n] : counters)
        text += " " + name + "=" + std::to_string(n);
    return text.empty() ? " none" : text;
}

} // namespace superd::common
