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

std::optional<boost::beast::tcp_stream> OriginPool::take(const std::string& key) {
    auto now = std::chrono::steady_clock::now();
    for (auto it = idle_.begin(); it != idle_.end();) {
        if (it->key != key) {
            ++it;
            continue;
        }
        if (it->until > now && still_open(it->stream)) {
            std::optional<boost::beast::tcp_stream> stream(std::move(it->stream));
            idle_.erase(it);
            return stream;
        }
        it = idle_.erase(it);
    }
    return std::nullopt;
}

void OriginPool::give(const std::string& key, boost::beast::tcp_stream stream,
                      std::chrono::steady_clock::duration idle_timeout) {
    auto now = std::chrono::steady_clock::now();
    expire(now);
    stream.expires_never();
    idle_.push_front(Idle{key, std::move(stream), now + idle_timeout});
    while (idle_.size() > max_idle_)
        idle_.pop_back();
}

} // namespace superd::proxy
