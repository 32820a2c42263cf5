// The system-wide statements: `tos`, `discard`, `enable` / `disable`, `tinker panic`,
// `logconfig`. Each takes several OPTION VALUE pairs (or flags) on one line, as in ntpd.
#include "ntpd/config_parser.hpp"

#include <algorithm>
#include <span>
#include <utility>

namespace superd::ntp::detail {

namespace {

constexpr std::string_view unsupported_tos[] = {"basedate", "bcpollbstep", "beacon", "ceiling",
                                                "cohort",   "floor",       "maxdisp"};

constexpr std::pair<std::string_view, SystemFlag> system_flag_names[] = {
    {"auth", SystemFlag::auth},     {"calibrate", SystemFlag::calibrate},
    {"kernel", SystemFlag::kernel}, {"monitor", SystemFlag::monitor},
    {"ntp", SystemFlag::ntp},       {"stats", SystemFlag::stats},
};
constexpr std::string_view unsupported_system_flags[] = {"bclient",
                                                         "mode7",
                                                         "pps",
                                                         "peer_clear_digest_early",
                                                         "unpeer_crypto_early",
                                                         "unpeer_crypto_nak_early",
                                                         "unpeer_digest_early"};

constexpr std::string_view unsupported_tinker[] = {
    "allan", "dispersion", "freq", "huffpuff", "step", "stepback", "stepfwd", "stepout", "tick"};

// ntpd's logconfig names (ntp_config.c): CLASS+ITEM, or one of the class-less ones.
constexpr std::string_view log_classes[] = {"clock", "peer", "sync", "sys"};
constexpr std::string_view log_items[] = {"all", "info", "events", "status", "statistics"};
constexpr std::string_view log_noclass[] = {"allall",    "allinfo",       "allevents",
                                            "allstatus", "allstatistics", "allclock",
                                            "allpeer",   "allsys",        "allsync"};

bool contains(std::span<const std::string_view> list, std::string_view word) {
    return std::ranges::find(list, word) != list.end();
}

bool is_log_name(std::string_view name) {
    if (contains(log_noclass, name)) return true;
    for (std::string_view cls : log_classes)
        if (name.starts_with(cls) && contains(log_items, name.substr(cls.size()))) return true;
    return false;
}

} // namespace

void Parser::parse_tos(Statement& st) {
    if (st.done()) {
        error(st, "'tos' needs an option");
        return;
    }
    Tos& tos = config_.tos;
    while (!st.done()) {
        const std::string option = st.next()->text;
        const std::string what = "tos " + option;
        auto set_int = [&](std::optional<Setting<int>>& slot, long long lo, long long hi) {
            auto value = read_int(st, what, lo, hi);
            if (value) slot = Setting<int>{static_cast<int>(*value), st.where()};
            return value.has_value();
        };
        auto set_double = [&](std::optional<Setting<double>>& slot, double lo, double hi) {
            auto value = read_double(st, what, lo, hi);
            if (value) slot = Setting<double>{*value, st.where()};
            return value.has_value();
        };
        bool ok = false;
        if (option == "orphan") {
            ok = set_int(tos.orphan, 1, 16);
        } else if (option == "orphanwait") {
            ok = set_int(tos.orphanwait, 0, 86400);
        } else if (option == "minclock") {
            ok = set_int(tos.minclock, 1, 50);
        } else if (option == "maxclock") {
            ok = set_int(tos.maxclock, 1, 50);
        } else if (option == "minsane") {
            ok = set_int(tos.minsane, 1, 50);
        } else if (option == "mindist") {
            ok = set_double(tos.mindist, 0, 1);
        } else if (option == "maxdist") {
            ok = set_double(tos.maxdist, 0.001, 16);
        } else if (contains(unsupported_tos, option)) {
            error(st, "tos option '" + option + "' is not supported");
        } else {
            error(st, "unknown tos option '" + option + "'");
        }
        if (!ok) return;
    }
}

void Parser::check_tos() {
    const Tos& tos = config_.tos;
    int minclock = tos.minclock ? tos.minclock->value : 3;
    int maxclock = tos.maxclock ? tos.maxclock->value : 10;
    if (minclock > maxclock) {
        const auto& where = tos.minclock ? tos.minclock->where : tos.maxclock->where;
        diags_.error(where, "tos minclock " + std::to_string(minclock) + " is above maxclock " +
                                std::to_string(maxclock));
    }
    double mindist = tos.mindist ? tos.mindist->value : 0.001;
    double maxdist = tos.maxdist ? tos.maxdist->value : 1.5;
    if (mindist > maxdist) {
        const auto& where = tos.mindist ? tos.mindist->where : tos.maxdist->where;
        diags_.error(where, "tos mindist " + format_number(mindist) + " is above maxdist " +
                                format_number(maxdist));
    }
}

void Parser::parse_discard(Statement& st) {
    if (st.done()) {
        error(st, "'discard' needs an option");
        return;
    }
    Discard& discard = config_.discard;
    while (!st.done()) {
        const std::string option = st.next()->text;
        std::optional<Setting<int>>* slot = nullptr;
        long long hi = 0;
        if (option == "average") {
            slot = &discard.average;
            hi = 17;
        } else if (option == "minimum") {
            slot = &discard.minimum;
            hi = 3600;
        } else if (option == "monitor") {
            slot = &discard.monitor;
            hi = 1000000;
        } else {
            error(st, "unknown discard option '" + option + "'");
            return;
        }
        auto value = read_int(st, "discard " + option, 0, hi);
        if (!value) return;
        *slot = Setting<int>{static_cast<int>(*value), st.where()};
    }
}

void Parser::parse_enable(Statement& st, bool enable) {
    const std::string directive = st.directive();
    if (st.done()) {
        error(st, "'" + directive + "' needs a flag");
        return;
    }
    // Every bad flag on the line is named, not only the first.
    while (!st.done()) {
        const std::string& word = st.next()->text;
        auto known = std::ranges::find(system_flag_names, word,
                                       &std::pair<std::string_view, SystemFlag>::first);
        if (known != std::end(system_flag_names)) {
            config_.system_flags.push_back({known->second, enable, st.where()});
        } else if (contains(unsupported_system_flags, word)) {
            error(st, "flag '" + word + "' in '" + directive + "' is not supported");
        } else {
            error(st, "unknown flag '" + word + "' in '" + directive + "'");
        }
    }
}

void Parser::parse_tinker(Statement& st) {
    if (st.done()) {
        error(st, "'tinker' needs an option");
        return;
    }
    while (!st.done()) {
        const std::string option = st.next()->text;
        if (option == "panic") {
            auto value = read_double(st, "tinker panic", 0, 86400);
            if (!value) return;
            config_.tinker_panic = Setting<double>{*value, st.where()};
        } else if (contains(unsupported_tinker, option)) {
            error(st, "tinker option '" + option + "' is not supported");
            return;
        } else {
            error(st, "unknown tinker option '" + option + "'");
            return;
        }
    }
}

void Parser::parse_logconfig(Statement& st) {
    if (st.done()) {
        error(st, "'logconfig' needs an item");
        return;
    }
    while (!st.done()) {
        std::string_view text = st.next()->text;
        LogConfigItem item;
        item.where = st.where();
        if (!text.empty() && (text.front() == '=' || text.front() == '+' || text.front() == '-')) {
            item.op = text.front();
            text.remove_prefix(1);
        }
        if (!is_log_name(text)) {
            error(st, "unknown logconfig item '" + std::string(text) + "'");
            continue;
        }
        item.name = std::string(text);
        config_.log_config.push_back(std::move(item));
    }
}

} // namespace superd::ntp::detail

namespace superd::ntp {

std::string_view to_string(SystemFlag flag) {
    for (const auto& [name, value] : detail::system_flag_names)
        if (value == flag) return name;
    return "auth";
}

} // namespace superd::ntp
