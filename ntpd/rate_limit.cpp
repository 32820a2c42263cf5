#include "ntpd/rate_limit.hpp"

#include <algorithm>
#include <functional>

namespace superd::ntp {

namespace {
constexpr std::int64_t second = 1'000'000'000;
constexpr int burst = 8; // ntpd's NTP_SHIFT
} // namespace

std::size_t RateLimiter::Hash::operator()(const common::IpAddress& a) const {
    std::size_t h = a.is_v4() ? a.v4_host_order() : 0;
    if (a.is_v6())
        for (auto b : a.v6_bytes())
            h = h * 131 + b;
    return std::hash<std::size_t>{}(h);
}

RateLimiter::RateLimiter(DiscardPolicy policy, std::size_t capacity)
    : policy_(policy)
    , capacity_(std::max<std::size_t>(capacity, 1)) {
    table_.reserve(std::min<std::size_t>(capacity_, 4096));
}

void RateLimiter::evict_oldest() {
    // Rare (the table is full): a linear pass is cheaper than keeping an LRU list per request.
    auto oldest = std::ranges::min_element(
        table_, [](const auto& a, const auto& b) { return a.second.last_ns < b.second.last_ns; });
    if (oldest != table_.end()) table_.erase(oldest);
}

bool RateLimiter::over_limit(const common::IpAddress& source, std::int64_t now_ns) {
    const std::int64_t head = (std::int64_t{1} << std::clamp(policy_.average_log2, 0, 17)) * second;
    auto it = table_.find(source);
    if (it == table_.end()) {
        if (table_.size() >= capacity_) evict_oldest();
        table_.emplace(source, Entry{now_ns, head});
        return false;
    }
    Entry& e = it->second;
    std::int64_t interval = std::max<std::int64_t>(now_ns - e.last_ns, 0);
    e.last_ns = now_ns;
    e.leak_ns = std::max<std::int64_t>(e.leak_ns - interval, 0);
    // ntpd (ntp_monitor.c) compares whole seconds plus one, so `minimum 2` lets a request come
    // a little under 2 s after the last: iburst's packets, 2 s apart give or take the
    // scheduling, are never kissed.
    if (interval / second + 1 < policy_.minimum || e.leak_ns + head > burst * head)
        return true; // an over-limit request adds nothing: a client that backs off recovers
    e.leak_ns += head;
    return false;
}

} // namespace superd::ntp
