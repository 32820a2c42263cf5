#pragma once
// One viewer's connection: the RFB handshake (with VNC authentication or VeNCrypt's TLS), then
// its messages: pixel format, encodings, update requests, keys and clipboard for the console's
// pty, desktop-size requests. Updates go out only when the viewer has asked for one (RFB's flow
// control), built from the damage collected since its last update; a viewer that fell behind
// simply gets one larger update. Every error closes this viewer only.
#include "vnc/console_host.hpp"
#include "vnc/rfb/handshake.hpp"
#include "vnc/transport.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <functional>
#include <memory>

#include <spdlog/logger.h>

namespace superd::vnc {

struct ViewerOptions {
    HandshakeConfig handshake;                // security types, passwords (challenge made here)
    boost::asio::ssl::context* tls = nullptr; // for VeNCrypt's TLS subtypes
    std::chrono::milliseconds websocket_wait{150};
    std::chrono::seconds auth_failure_delay{1};
};

// Serves the connection until it closes; `done` runs then.
void start_viewer(ConsoleHost& host, boost::asio::ip::tcp::socket socket, ViewerOptions options,
                  std::shared_ptr<spdlog::logger> log, std::function<void()> done);

} // namespace superd::vnc
