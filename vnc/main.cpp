// superd-vncd: serves text consoles (a command in a pty) to VNC viewers.
// args -> config -> consoles -> sockets -> run -> exit code.
//
//   superd-vncd -c FILE [--console NAME] [--listen ADDR:PORT] [-d] [--idle-timeout S]
//               [--log-file F]       serve the consoles (all with a port, or NAME)
//   superd-vncd -t -c FILE           check the configuration (file:line errors)
//   superd-vncd --passwd FILE        write a vncpasswd-format password file
//
// Under superd: a listening socket on fd 0 (wait = yes) is one shared console for every
// viewer, until idle; a connected one (wait = no) is a console of the viewer's own, until it
// leaves. The console is --console NAME, or the one whose port is fd 0's.
#include "vnc/config/config.hpp"
#include "vnc/config/passwd_command.hpp"
#include "vnc/console_host.hpp"
#include "vnc/viewer.hpp"

#include "common/address.hpp"
#include "common/inetd_handoff.hpp"
#include "common/log.hpp"
#include "common/module_loop.hpp"
#include "common/module_start.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <csignal>
#include <iostream>
#include <list>

#include <fcntl.h>
#include <unistd.h>

using namespace superd;
using namespace superd::vnc;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

struct Options {
    bool check_only = false;
    bool log_stderr = false;
    std::string config_path;
    std::string console;
    std::string listen;
    std::string log_file;
    std::string passwd_file;
    std::optional<int> idle_timeout;
};

const char* usage =
    "usage: superd-vncd -c FILE [--console NAME] [--listen ADDR:PORT] [-d] [--idle-timeout S]"
    " [--log-file F]\n"
    "       superd-vncd -t -c FILE | --passwd FILE\n";

std::expected<Options, std::string> parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        auto value = [&]() -> std::expected<std::string, std::string> {
            if (i + 1 >= argc) return std::unexpected(std::string(a) + " needs a value");
            return std::string(argv[++i]);
        };
        if (a == "-t") {
            o.check_only = true;
        } else if (a == "-d") {
            o.log_stderr = true;
        } else if (a == "-c" || a == "--console" || a == "--listen" || a == "--log-file" ||
                   a == "--passwd" || a == "--idle-timeout") {
            auto v = value();
            if (!v) return std::unexpected(v.error());
            if (a == "-c") o.config_path = *v;
            if (a == "--console") o.console = *v;
            if (a == "--listen") o.listen = *v;
            if (a == "--log-file") o.log_file = *v;
            if (a == "--passwd") o.passwd_file = *v;
            if (a == "--idle-timeout") {
                auto s = common::parse_idle_timeout(*v);
                if (!s) return std::unexpected(s.error());
                o.idle_timeout = *s;
            }
        } else {
            return std::unexpected("unknown argument " + std::string(a));
        }
    }
    if (o.passwd_file.empty() && o.config_path.empty())
        return std::unexpected("-c FILE is required");
    return o;
}

// One console and how its viewers get in.
struct Served {
    std::unique_ptr<ConsoleHost> host;
    ViewerOptions viewer;
    std::unique_ptr<asio::ssl::context> tls;
    std::list<tcp::acceptor> acceptors;
};

std::expected<void, std::string> prepare(Served& s, const ConsoleConfig& c) {
    auto passwords = read_console_passwords(c);
    if (!passwords) return std::unexpected(passwords.error());
    HandshakeConfig& h = s.viewer.handshake;
    h.security_types.clear();
    const bool have_password = passwords->has_value();
    if (have_password) {
        h.password = (*passwords)->full;
        h.view_only_password = (*passwords)->viewonly.value_or("");
    }
    if (c.tls_cert && c.tls_key) {
        s.tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
        boost::system::error_code ec;
        s.tls->use_certificate_chain_file(*c.tls_cert, ec);
        if (!ec) s.tls->use_private_key_file(*c.tls_key, asio::ssl::context::pem, ec);
        if (ec) return std::unexpected("console " + c.name + ": TLS: " + ec.message());
        s.viewer.tls = s.tls.get();
        h.security_types.push_back(SecurityType::vencrypt);
        h.vencrypt_subtypes = {have_password ? VencryptSubtype::x509_vnc
                                             : VencryptSubtype::x509_none};
    }
    if (!c.tls_only || !s.tls)
        h.security_types.push_back(have_password ? SecurityType::vnc_auth : SecurityType::none);
    return {};
}

std::optional<tcp::endpoint> endpoint_of(const std::string& text) {
    auto where = common::Endpoint::parse(text);
    if (!where) return std::nullopt;
    boost::system::error_code ec;
    auto address = asio::ip::make_address(where->address.str(), ec);
    if (ec) return std::nullopt;
    return tcp::endpoint(address, where->port);
}

} // namespace

int main(int argc, char** argv) {
    auto parsed = parse(argc, argv);
    if (!parsed) {
        std::cerr << "superd-vncd: " << parsed.error() << "\n" << usage;
        return 2;
    }
    const Options& o = *parsed;
    if (!o.passwd_file.empty()) {
        TerminalEchoOff quiet(0);
        return run_passwd_command(o.passwd_file, std::cin, std::cout, ::isatty(0) == 1);
    }

    common::Diagnostics diags;
    VncConfig config = load_config(o.config_path, diags);
    const common::HandOff handoff = common::detect_handoff(0);
    const bool handed_over = handoff == common::HandOff::listening_stream ||
                             handoff == common::HandOff::connected_stream;
    if (o.check_only || !handed_over)
        for (const auto& d : diags.all())
            std::cerr << d.str() << "\n";
    if (diags.has_errors()) {
        std::cerr << o.config_path << ": " << diags.error_count() << " error(s)\n";
        return 1;
    }
    if (o.check_only) {
        std::cout << "configuration OK\n";
        return 0;
    }

    auto start = common::module_start("superd-vncd", o.log_file, o.log_stderr && !handed_over);
    try {
        common::setup_logging(start.log);
    } catch (const std::exception& e) {
        std::cerr << "superd-vncd: " << e.what() << "\n";
        return 1;
    }
    auto log = common::logger("vnc");
    auto fail = [&](const std::string& why) {
        if (!handed_over) std::cerr << "superd-vncd: " << why << "\n";
        log->critical("{}", why);
        return 1;
    };
    ::signal(SIGPIPE, SIG_IGN);

    // Which consoles this process serves.
    std::vector<const ConsoleConfig*> chosen;
    if (!o.console.empty()) {
        const ConsoleConfig* c = config.find(o.console);
        if (!c) return fail("no [console " + o.console + "] in " + o.config_path);
        chosen.push_back(c);
    } else if (handed_over) {
        sockaddr_storage local{};
        socklen_t len = sizeof local;
        ::getsockname(0, reinterpret_cast<sockaddr*>(&local), &len);
        std::uint16_t port = local.ss_family == AF_INET6
                                 ? ntohs(reinterpret_cast<sockaddr_in6*>(&local)->sin6_port)
                                 : ntohs(reinterpret_cast<sockaddr_in*>(&local)->sin_port);
        const ConsoleConfig* c = config.find_by_port(port);
        if (!c) return fail("no console has port " + std::to_string(port) + "; use --console NAME");
        chosen.push_back(c);
    } else {
        for (const auto& c : config.consoles)
            if (c.port) chosen.push_back(&c);
        if (chosen.empty())
            return fail("no console has a port; use --console NAME --listen ADDR:PORT");
    }
    if (!o.listen.empty() && chosen.size() != 1) return fail("--listen needs --console NAME");

    asio::io_context io{1};
    std::list<Served> served;
    std::size_t viewers = 0;
    const Font& font = Font::builtin();
    std::vector<std::unique_ptr<Font>> fonts;
    for (const ConsoleConfig* c : chosen) {
        const Font* f = &font;
        if (c->font && *c->font != "builtin") {
            auto loaded = Font::load(*c->font);
            if (!loaded)
                return fail("console " + c->name + ": font " + *c->font + ": " + loaded.error());
            fonts.push_back(std::make_unique<Font>(std::move(*loaded)));
            f = fonts.back().get();
        }
        Served& s = served.emplace_back();
        s.host = std::make_unique<ConsoleHost>(io, *c, *f, log);
        if (auto ok = prepare(s, *c); !ok) return fail(ok.error());
    }

    const auto idle = std::chrono::seconds(
        o.idle_timeout.value_or(handoff == common::HandOff::listening_stream ? 60 : 0));
    common::ModuleLoop loop(
        io, log, idle, [&] { log->info("viewers: {}", viewers); }, [&] { return viewers > 0; });

    std::function<void(Served&, tcp::acceptor&)> accept = [&](Served& s, tcp::acceptor& a) {
        a.async_accept([&, sp = &s, ap = &a](boost::system::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted) return;
            if (!ec) {
                ++viewers;
                loop.touch();
                start_viewer(*sp->host, std::move(socket), sp->viewer, log, [&] {
                    --viewers;
                    loop.touch();
                });
            }
            accept(*sp, *ap);
        });
    };

    Served& first = served.front();
    if (handoff == common::HandOff::listening_stream) {
        sockaddr_storage local{};
        socklen_t len = sizeof local;
        ::getsockname(0, reinterpret_cast<sockaddr*>(&local), &len);
        first.acceptors.emplace_back(io, local.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(),
                                     ::dup(0));
        ::close(0);
    } else if (handoff == common::HandOff::connected_stream) {
        ++viewers;
        int fd = ::dup(0);
        ::close(0);
        tcp::socket socket(io);
        boost::system::error_code ec;
        sockaddr_storage local{};
        socklen_t len = sizeof local;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len);
        socket.assign(local.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, ec);
        if (ec) return fail("fd 0: " + ec.message());
        start_viewer(*first.host, std::move(socket), first.viewer, log, [&] {
            --viewers;
            io.stop(); // the viewer's own console ends with it
        });
    } else {
        for (Served& s : served) {
            const ConsoleConfig& c = s.host->config();
            std::optional<tcp::endpoint> where =
                o.listen.empty()
                    ? endpoint_of(c.listen_address.str() + ":" + std::to_string(*c.port))
                    : endpoint_of(o.listen);
            if (!o.listen.empty() && !where)
                return fail("--listen " + o.listen + ": not ADDR:PORT");
            if (!where) return fail("console " + c.name + ": bad listen address");
            tcp::acceptor& a = s.acceptors.emplace_back(io);
            boost::system::error_code ec;
            a.open(where->protocol(), ec);
            if (!ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
            if (!ec) a.bind(*where, ec);
            if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
            if (ec)
                return fail("console " + c.name + ": listen on " + where->address().to_string() +
                            ":" + std::to_string(where->port()) + ": " + ec.message());
            log->info("console {} on {}:{}", c.name, where->address().to_string(), where->port());
        }
    }
    for (Served& s : served) {
        s.host->start();
        for (tcp::acceptor& a : s.acceptors)
            accept(s, a);
    }
    loop.start();
    io.run();
    for (Served& s : served)
        s.host->stop();
    log->info("superd-vncd: exiting");
    return 0;
}
