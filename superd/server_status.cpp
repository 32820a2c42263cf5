// What superctl shows: `status` (text or JSON) and `dump` (also written on SIGUSR1, as xinetd
// writes its dump file), and `reload` through the control socket.
#include "superd/check.hpp"
#include "superd/server.hpp"

#include "common/durable_file.hpp"
#include "common/log.hpp"

#include <boost/json.hpp>

#include <ctime>
#include <sstream>

#include <unistd.h>

namespace superd::daemon {
namespace {

std::string age_text(std::chrono::steady_clock::duration d) {
    auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
    if (s < 60) return std::to_string(s) + "s";
    if (s < 3600) return std::to_string(s / 60) + "m" + std::to_string(s % 60) + "s";
    return std::to_string(s / 3600) + "h" + std::to_string(s / 60 % 60) + "m";
}

std::string local_time(std::time_t t) {
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

} // namespace

std::string Server::control_answer(const std::string& request) {
    if (request == "status") return status_text();
    if (request == "status json") return boost::json::serialize(status_json()) + "\n";
    if (request == "dump") return dump_text();
    if (request == "reload") return reload() + "\n";
    return "error: unknown request '" + request + "' (status, status json, reload, dump)\n";
}

boost::json::object Server::status_json() const {
    auto now = std::chrono::steady_clock::now();
    boost::json::object top;
    top["version"] = "0.1.0";
    top["pid"] = static_cast<std::int64_t>(::getpid());
    top["uptime_s"] = std::chrono::duration_cast<std::chrono::seconds>(now - started_).count();
    top["config"] = options_.config_path;
    top["servers_running"] = static_cast<std::int64_t>(children_.size());
    boost::json::array services;
    for (const auto& [id, svc] : services_) {
        const auto& c = svc->config();
        boost::json::object o;
        o["id"] = id;
        o["state"] = svc->state();
        o["socket_type"] = to_string(c.socket_type);
        o["protocol"] = c.protocol_name;
        o["wait"] = c.wait;
        o["port"] = svc->bound_port() != 0 ? svc->bound_port() : c.port;
        o["kind"] = c.is_internal() ? "internal" : c.redirect_host ? "redirect" : "server";
        o["started"] = svc->counters().started;
        boost::json::object refused;
        for (const auto& [why, n] : svc->counters().refused_by)
            refused[why] = n;
        o["refused"] = std::move(refused);
        o["refused_total"] = svc->counters().refused;
        o["in_process"] = svc->in_process();
        boost::json::array servers;
        for (const auto& [pid, child] : children_) {
            if (child.service_id != id) continue;
            boost::json::object s;
            s["pid"] = static_cast<std::int64_t>(pid);
            s["peer"] = child.peer.text().value_or("");
            s["age_s"] =
                std::chrono::duration_cast<std::chrono::seconds>(now - child.started).count();
            servers.push_back(std::move(s));
        }
        o["servers"] = std::move(servers);
        services.push_back(std::move(o));
    }
    top["services"] = std::move(services);
    return top;
}

std::string Server::status_text() const {
    auto now = std::chrono::steady_clock::now();
    std::ostringstream out;
    out << "superd 0.1.0, pid " << ::getpid() << ", up " << age_text(now - started_) << ", "
        << options_.config_path << ": " << services_.size() << " service(s), " << children_.size()
        << " server(s) running\n";
    for (const auto& [id, svc] : services_) {
        const auto& c = svc->config();
        out << "\n"
            << id << ": " << svc->state() << ", " << to_string(c.socket_type) << "/"
            << c.protocol_name << " port " << (svc->bound_port() != 0 ? svc->bound_port() : c.port)
            << (c.wait ? " wait" : " nowait") << "\n";
        out << "  started " << svc->counters().started << ", refused " << svc->counters().refused;
        if (!svc->counters().refused_by.empty()) {
            out << " (";
            bool first = true;
            for (const auto& [why, n] : svc->counters().refused_by) {
                out << (first ? "" : ", ") << why << " " << n;
                first = false;
            }
            out << ")";
        }
        if (svc->in_process() > 0) out << ", " << svc->in_process() << " served in superd now";
        out << "\n";
        for (const auto& [pid, child] : children_)
            if (child.service_id == id)
                out << "  server pid " << pid << " from "
                    << child.peer.text().value_or("<no address>") << ", age "
                    << age_text(now - child.started) << "\n";
    }
    return out.str();
}

std::string Server::dump_text() const {
    std::ostringstream out;
    out << "superd 0.1.0 state dump, " << local_time(std::time(nullptr)) << "\n"
        << "config: " << options_.config_path << "\n\n";
    for (const auto& [id, svc] : services_) {
        const auto& c = svc->config();
        out << "Service = " << id << "\n"
            << "\t" << describe_service(c) << "\n"
            << "\tdefined at " << c.where.file << ":" << c.where.line << "\n"
            << "\tstate = " << svc->state() << "\n"
            << "\tinstances = "
            << (c.instances == unlimited ? std::string("UNLIMITED") : std::to_string(c.instances))
            << ", per_source = "
            << (c.per_source == unlimited ? std::string("UNLIMITED") : std::to_string(c.per_source))
            << ", cps = " << c.cps_rate << " " << c.cps_disable_seconds << "\n"
            << "\trunning servers = " << svc->running()
            << ", served in superd = " << svc->in_process() << "\n"
            << "\tstarted = " << svc->counters().started
            << ", refused = " << svc->counters().refused
            << ", fork failures = " << svc->counters().fork_failed << "\n";
        for (const auto& p : c.lists.only_from)
            out << "\tonly_from " << p.text << "\n";
        for (const auto& p : c.lists.no_access)
            out << "\tno_access " << p.text << "\n";
        out << "\n";
    }
    return out.str();
}

void Server::write_dump() {
    std::string path = dump_path();
    auto r = common::write_file_atomic(path, dump_text(), 0644);
    if (r)
        common::logger("superd")->info("state dumped to {}", path);
    else
        common::logger("superd")->error("dump to {}: {}", path, r.error());
}

} // namespace superd::daemon
