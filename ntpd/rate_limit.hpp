#pragma once
// `restrict … limited` with `discard average A minimum M` (ntp.conf(5)), as ntpd's MRU list
// does it: per source address a leaky bucket. Each request adds 2^A seconds of "headway" that
// leaks away at one second per second; a request is over the limit when it comes less than M
// seconds after the previous one (counted as ntpd does: whole seconds plus one), or when the bucket
// would overflow 8 * 2^A seconds (so a burst such as iburst's is served, and a client that keeps
// hurrying gets one answer per 2^A seconds). Pure: the caller passes the time in.
#include "common/address.hpp"

#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace superd::ntp {

struct DiscardPolicy {
    int average_log2 = 3; // `discard average`: 2^3 = 8 s between requests on average
    int minimum = 2;      // `discard minimum`: seconds between two requests at least
};

class RateLimiter {
  public:
    // `capacity`: how many sources are remembered (ntpd's `discard monitor` is about the MRU
    // list's size); the least recently seen is forgotten first when it is full.
    explicit RateLimiter(DiscardPolicy policy = {}, std::size_t capacity = 65536);

    // Counts a request from `source` at `now_ns` (any monotonic clock, nanoseconds) and says
    // whether it is over the limit. Allocation-free once the table is warm.
    bool over_limit(const common::IpAddress& source, std::int64_t now_ns);
    std::size_t size() const { return table_.size(); }

  private:
    struct Entry {
        std::int64_t last_ns = 0;
        std::int64_t leak_ns = 0; // headway still in the bucket
    };
    struct Hash {
        std::size_t operator()(const common::IpAddress& a) const;
    };
    void evict_oldest();

    DiscardPolicy policy_;
    std::size_t capacity_;
    std::unordered_map<common::IpAddress, Entry, Hash> table_;
};

} // namespace superd::ntp
