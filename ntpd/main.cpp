// superd-ntpd: an NTPv4 server. args -> socket -> server -> run -> exit code.
//
//   superd-ntpd [-n] [-d] [--listen ADDR:PORT] [--idle-timeout SECONDS] [--log-file FILE]
//
// Under superd (a UDP socket on fd 0) it serves that socket until idle. The ntp.conf reader
// (-c, -t), restrict, keys and the upstream client are being added; until then the server is
// unsynchronized (stratum 16 on the wire as 0 with LI 3), which every client reads as "no
// time here" — it answers, it does not mislead.
#include "ntpd/server.hpp"

#include "common/log.hpp"
#include "common/module_start.hpp"

#include <charconv>
#include <iostream>
#include <string_view>

#include <unistd.h>

using namespace superd;
using namespace superd::ntp;

namespace {

struct Options {
    bool foreground = false;
    bool log_stderr = false;
    std::string listen = "0.0.0.0:123";
    std::string log_file;
    std::optional<int> idle_timeout;
};

const char* usage = "usage: superd-ntpd [-n] [-d] [--listen ADDR:PORT] [--idle-timeout SECONDS]"
                    " [--log-file FILE]\n";

std::expected<Options, std::string> parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        auto value = [&]() -> std::expected<std::string, std::string> {
            if (i + 1 >= argc) return std::unexpected(std::string(a) + " needs a value");
            return std::string(argv[++i]);
        };
        if (a == "-n") {
            o.foreground = true;
        } else if (a == "-d") {
            o.foreground = o.log_stderr = true;
        } else if (a == "--listen" || a == "--log-file" || a == "--idle-timeout") {
            auto v = value();
            if (!v) return std::unexpected(v.error());
            if (a == "--listen") o.listen = *v;
            if (a == "--log-file") o.log_file = *v;
            if (a == "--idle-timeout") {
                int s = -1;
                auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), s);
                if (ec != std::errc{} || p != v->data() + v->size() || s < 0)
                    return std::unexpected("--idle-timeout: not a number of seconds: " + *v);
                o.idle_timeout = s;
            }
        } else {
            return std::unexpected("unknown argument " + std::string(a));
        }
    }
    return o;
}

// "ADDR:PORT", "[V6]:PORT".
std::optional<std::pair<common::IpAddress, std::uint16_t>> split_listen(const std::string& s) {
    auto colon = s.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    std::string host = s.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    auto address = common::IpAddress::parse(host);
    unsigned port = 0;
    auto tail = std::string_view(s).substr(colon + 1);
    auto [p, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), port);
    if (!address || ec != std::errc{} || p != tail.data() + tail.size() || port > 65535)
        return std::nullopt;
    return std::pair{*address, static_cast<std::uint16_t>(port)};
}

} // namespace

int main(int argc, char** argv) {
    auto parsed = parse(argc, argv);
    if (!parsed) {
        std::cerr << "superd-ntpd: " << parsed.error() << "\n" << usage;
        return 2;
    }
    const Options& o = *parsed;
    auto start = common::module_start("superd-ntpd", o.log_file, o.log_stderr);
    bool handed_over = start.handed_over;
    const common::LogOptions& lo = start.log;
    try {
        common::setup_logging(lo);
    } catch (const std::exception& e) {
        std::cerr << "superd-ntpd: " << e.what() << "\n";
        return 1;
    }
    auto log = common::logger("ntpd");

    std::expected<NtpSocket, std::string> socket = std::unexpected("");
    if (handed_over) {
        socket = NtpSocket::adopt(0);
    } else {
        auto where = split_listen(o.listen);
        if (!where) {
            std::cerr << "superd-ntpd: --listen " << o.listen << ": not ADDR:PORT\n";
            return 2;
        }
        socket = NtpSocket::bind(where->first, where->second);
    }
    if (!socket) {
        log->critical("{}", socket.error());
        return 1;
    }
    SystemState state; // unsynchronized until the client side and the local clock arrive
    state.precision = measure_precision();
    ServerOptions so;
    so.idle_timeout = std::chrono::seconds(o.idle_timeout.value_or(handed_over ? 60 : 0));
    boost::asio::io_context io;
    Server server(io, std::move(*socket), state, nullptr, nullptr, so);
    server.start();
    log->info("superd-ntpd 0.1.0 serving {} (precision 2^{} s)",
              handed_over ? std::string("the socket handed over by superd") : o.listen,
              state.precision);
    if (!o.foreground && !handed_over) {
        io.notify_fork(boost::asio::io_context::fork_prepare);
        pid_t pid = ::fork();
        if (pid < 0) return 1;
        if (pid > 0) _exit(0);
        io.notify_fork(boost::asio::io_context::fork_child);
        ::setsid();
    }
    return server.run();
}
