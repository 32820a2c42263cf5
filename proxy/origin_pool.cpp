#include "proxy/origin_pool.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace superd::proxy {
namespace {

// An idle connection is usable when reading it would block: no EOF, no error, no data the
// origin sent unasked (which would be mistaken for the next answer).
bool still_open(boost::beast::tcp_stream& stream) {
    char byte;
    ssize_t n = ::recv(stream.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

} // namespace

void OriginPool::expire(std::chrono::steady_clock::time_point now) {
    for (auto it = idle_.begin(); it != idle_.end();)
        it = it->until <= now ? idle_.erase(it) : std::next(it);
}

std::optional<OriginPool::Connection> OriginPool::take(const std::string& key) {
    auto now = std::chrono::steady_clock::now();
    for (auto it = idle_.begin(); it != idle_.end();) {
        if (it->key != key) {
            ++it;
            continue;
        }
        // The peek costs a system call per reuse; within a second of the last answer a close
        // is rare and the session's retry covers it.
        if (it->until > now &&
            (now - it->since < std::chrono::seconds(1) || still_open(it->stream))) {
            std::optional<Connection> c(Connection{std::move(it->stream), std::move(it->address)});
            idle_.erase(it);
            return c;
        }
        it = idle_.erase(it);
    }
    return std::nullopt;
}

void OriginPool::give(const std::string& key, boost::beast::tcp_stream stream, std::string address,
                      std::chrono::steady_clock::duration idle_timeout) {
    auto now = std::chrono::steady_clock::now();
    expire(now);
    stream.expires_never();
    idle_.push_front(Idle{key, std::move(stream), std::move(address), now, now + idle_timeout});
    while (idle_.size() > max_idle_)
        idle_.pop_back();
}

} // namespace superd::proxy
