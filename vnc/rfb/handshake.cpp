#include "vnc/rfb/handshake.hpp"

#include <openssl/crypto.h>

#include <algorithm>

namespace superd::vnc {

namespace {

constexpr std::size_t version_message_size = 12; // "RFB xxx.yyy\n"
constexpr std::uint32_t security_result_ok = 0;
constexpr std::uint32_t security_result_failed = 1;

// "RFB 003.008\n" -> {3, 8}; nullopt if not of that shape.
std::optional<std::pair<int, int>> parse_version(std::span<const std::uint8_t> m) {
    auto digits = [&](std::size_t at) -> std::optional<int> {
        int v = 0;
        for (std::size_t i = at; i < at + 3; ++i) {
            if (m[i] < '0' || m[i] > '9') return std::nullopt;
            v = v * 10 + (m[i] - '0');
        }
        return v;
    };
    if (m[0] != 'R' || m[1] != 'F' || m[2] != 'B' || m[3] != ' ' || m[7] != '.' || m[11] != '\n')
        return std::nullopt;
    auto major = digits(4), minor = digits(8);
    if (!major || !minor) return std::nullopt;
    return std::pair{*major, *minor};
}

bool is_plain(VencryptSubtype s) {
    return s == VencryptSubtype::plain || s == VencryptSubtype::tls_plain ||
           s == VencryptSubtype::x509_plain;
}

bool is_vnc_auth(VencryptSubtype s) {
    return s == VencryptSubtype::tls_vnc || s == VencryptSubtype::x509_vnc;
}

} // namespace

std::string_view to_string(ProtocolVersion version) {
    switch (version) {
    case ProtocolVersion::v3_3:
        return "3.3";
    case ProtocolVersion::v3_7:
        return "3.7";
    case ProtocolVersion::v3_8:
        return "3.8";
    }
    return "?";
}

bool uses_tls(VencryptSubtype subtype) {
    return subtype != VencryptSubtype::plain;
}

void encode_server_init(const ServerInit& init, Bytes& out) {
    put_u16(out, static_cast<std::uint32_t>(init.width));
    put_u16(out, static_cast<std::uint32_t>(init.height));
    encode_pixel_format(init.format, out);
    put_lstring(out, init.name);
}

ServerHandshake::ServerHandshake(HandshakeConfig config)
    : config_(std::move(config)) {}

void ServerHandshake::start(Bytes& out) {
    put_string(out, "RFB 003.008\n");
    state_ = State::client_version;
}

HandshakeStatus ServerHandshake::status() const {
    switch (state_) {
    case State::awaiting_tls:
        return HandshakeStatus::start_tls;
    case State::server_init:
        return HandshakeStatus::client_init;
    case State::done:
        return HandshakeStatus::done;
    case State::failed:
        return HandshakeStatus::failed;
    default:
        return HandshakeStatus::need_more;
    }
}

std::size_t ServerHandshake::needed() const {
    switch (state_) {
    case State::client_version:
        return version_message_size;
    case State::security_choice:
    case State::client_init:
        return 1;
    case State::vnc_auth_response:
        return 16;
    case State::vencrypt_version:
        return 2;
    case State::vencrypt_subtype:
        return 4;
    case State::plain_lengths:
        return 8;
    case State::plain_credentials:
        return std::size_t{plain_user_length_} + plain_password_length_;
    default:
        return 0; // not reading
    }
}

HandshakeProgress ServerHandshake::feed(std::span<const std::uint8_t> in, Bytes& out) {
    HandshakeProgress progress;
    if (state_ == State::initial) start(out);
    while (true) {
        std::size_t want = needed();
        if (want == 0) break; // waiting for the caller, or finished
        std::size_t take = std::min(want - pending_.size(), in.size() - progress.consumed);
        pending_.insert(pending_.end(), in.begin() + static_cast<std::ptrdiff_t>(progress.consumed),
                        in.begin() + static_cast<std::ptrdiff_t>(progress.consumed + take));
        progress.consumed += take;
        if (pending_.size() < want) break; // the input is used up
        Bytes msg;
        msg.swap(pending_);
        HandshakeStatus s = handle(msg, out);
        if (!msg.empty()) OPENSSL_cleanse(msg.data(), msg.size()); // may hold a password
        if (s != HandshakeStatus::need_more) break;
    }
    progress.status = status();
    return progress;
}

HandshakeStatus ServerHandshake::handle(std::span<const std::uint8_t> msg, Bytes& out) {
    switch (state_) {
    case State::client_version:
        return on_client_version(msg, out);
    case State::security_choice:
        return on_security_choice(msg[0], out);
    case State::vnc_auth_response:
        return on_vnc_auth_response(msg, out);
    case State::vencrypt_version:
        return on_vencrypt_version(msg, out);
    case State::vencrypt_subtype:
        return on_vencrypt_subtype(get_u32(msg.data()), out);
    case State::plain_lengths:
        plain_user_length_ = get_u32(msg.data());
        plain_password_length_ = get_u32(msg.data() + 4);
        if (plain_user_length_ > config_.max_plain_length ||
            plain_password_length_ > config_.max_plain_length)
            return security_failed("user name or password too long", out);
        state_ = State::plain_credentials;
        // Both empty: nothing more to read.
        if (plain_user_length_ + plain_password_length_ == 0) return on_plain_credentials({}, out);
        return HandshakeStatus::need_more;
    case State::plain_credentials:
        return on_plain_credentials(msg, out);
    case State::client_init:
        shared_ = msg[0] != 0;
        state_ = State::server_init;
        return HandshakeStatus::client_init;
    default:
        return status();
    }
}

HandshakeStatus ServerHandshake::on_client_version(std::span<const std::uint8_t> msg, Bytes& out) {
    auto v = parse_version(msg);
    if (!v) return fail("not an RFB ProtocolVersion message");
    auto [major, minor] = *v;
    // UltraVNC announces 3.4 and 3.6, Apple's viewer 3.889: common practice (and RFC 6143 for
    // other minors) treats them as 3.3 and 3.8.
    if (major != 3)
        return fail("unsupported protocol version " + std::to_string(major) + "." +
                    std::to_string(minor));
    if (minor >= 3 && minor <= 6)
        version_ = ProtocolVersion::v3_3;
    else if (minor == 7)
        version_ = ProtocolVersion::v3_7;
    else if (minor == 8 || minor == 889)
        version_ = ProtocolVersion::v3_8;
    else
        return fail("unsupported protocol version 3." + std::to_string(minor));

    auto types = offered_types();
    if (version_ == ProtocolVersion::v3_3) {
        // 3.3: the server decides; VeNCrypt needs 3.7's list.
        auto usable = std::find_if(types.begin(), types.end(),
                                   [](SecurityType t) { return t != SecurityType::vencrypt; });
        if (usable == types.end()) {
            put_u32(out, 0);
            put_lstring(out, "no security type for RFB 3.3 clients");
            return fail("no security type for RFB 3.3 clients");
        }
        put_u32(out, static_cast<std::uint32_t>(*usable));
        return begin_security(*usable, out);
    }
    if (types.empty()) {
        put_u8(out, 0);
        put_lstring(out, "no security type configured");
        return fail("no security type configured");
    }
    put_u8(out, static_cast<std::uint32_t>(types.size()));
    for (SecurityType t : types)
        put_u8(out, static_cast<std::uint32_t>(t));
    state_ = State::security_choice;
    return HandshakeStatus::need_more;
}

HandshakeStatus ServerHandshake::on_security_choice(std::uint8_t type, Bytes& out) {
    auto types = offered_types();
    auto chosen = std::find_if(types.begin(), types.end(), [&](SecurityType t) {
        return static_cast<std::uint8_t>(t) == type;
    });
    if (chosen == types.end()) {
        // RFC 6143 7.1.2: a type the server did not offer fails the handshake.
        return security_failed("security type " + std::to_string(type) + " was not offered", out);
    }
    return begin_security(*chosen, out);
}

HandshakeStatus ServerHandshake::begin_security(SecurityType type, Bytes& out) {
    security_type_ = type;
    switch (type) {
    case SecurityType::none:
        // 3.3 and 3.7 send no SecurityResult after None; 3.8 does.
        if (version_ == ProtocolVersion::v3_8) return security_ok(Access::full, out);
        access_ = Access::full;
        state_ = State::client_init;
        return HandshakeStatus::need_more;
    case SecurityType::vnc_auth:
        put_bytes(out, config_.challenge);
        state_ = State::vnc_auth_response;
        return HandshakeStatus::need_more;
    case SecurityType::vencrypt:
        put_u8(out, 0);
        put_u8(out, 2); // VeNCrypt 0.2
        state_ = State::vencrypt_version;
        return HandshakeStatus::need_more;
    }
    return fail("unknown security type");
}

HandshakeStatus ServerHandshake::on_vnc_auth_response(std::span<const std::uint8_t> msg,
                                                      Bytes& out) {
    std::span<const std::uint8_t, 16> response(msg.data(), 16);
    // Both are checked whatever the first gives, so that timing does not tell which matched.
    bool full =
        !config_.password.empty() && vnc_auth_check(config_.password, config_.challenge, response);
    bool view = !config_.view_only_password.empty() &&
                vnc_auth_check(config_.view_only_password, config_.challenge, response);
    if (full) return security_ok(Access::full, out);
    if (view) return security_ok(Access::view_only, out);
    return security_failed("authentication failed", out);
}

HandshakeStatus ServerHandshake::on_vencrypt_version(std::span<const std::uint8_t> msg,
                                                     Bytes& out) {
    if (msg[0] != 0 || msg[1] != 2) {
        put_u8(out, 1); // not accepted
        return fail("unsupported VeNCrypt version " + std::to_string(msg[0]) + "." +
                    std::to_string(msg[1]));
    }
    auto subtypes = offered_subtypes();
    if (subtypes.empty()) {
        put_u8(out, 1);
        return fail("no VeNCrypt subtype is usable");
    }
    put_u8(out, 0); // accepted
    put_u8(out, static_cast<std::uint32_t>(subtypes.size()));
    for (VencryptSubtype s : subtypes)
        put_u32(out, static_cast<std::uint32_t>(s));
    state_ = State::vencrypt_subtype;
    return HandshakeStatus::need_more;
}

HandshakeStatus ServerHandshake::on_vencrypt_subtype(std::uint32_t subtype, Bytes& out) {
    auto subtypes = offered_subtypes();
    auto chosen = std::find_if(subtypes.begin(), subtypes.end(), [&](VencryptSubtype s) {
        return static_cast<std::uint32_t>(s) == subtype;
    });
    if (chosen == subtypes.end()) {
        // QEMU answers 0 ("rejected") too: the client waits for this byte after a TLS choice.
        put_u8(out, 0);
        return fail("VeNCrypt subtype " + std::to_string(subtype) + " was not offered");
    }
    subtype_ = *chosen;
    if (uses_tls(*chosen)) {
        put_u8(out, 1); // accepted: TLS starts after this byte
        state_ = State::awaiting_tls;
        return HandshakeStatus::start_tls;
    }
    return begin_inner_auth(out);
}

HandshakeStatus ServerHandshake::tls_ready(Bytes& out) {
    if (state_ != State::awaiting_tls) return status();
    return begin_inner_auth(out);
}

HandshakeStatus ServerHandshake::begin_inner_auth(Bytes& out) {
    if (is_plain(*subtype_)) {
        state_ = State::plain_lengths;
        return HandshakeStatus::need_more;
    }
    if (is_vnc_auth(*subtype_)) {
        put_bytes(out, config_.challenge);
        state_ = State::vnc_auth_response;
        return HandshakeStatus::need_more;
    }
    return security_ok(Access::full, out); // TLSNone, X509None: TLS was the security
}

HandshakeStatus ServerHandshake::on_plain_credentials(std::span<const std::uint8_t> msg,
                                                      Bytes& out) {
    std::string_view user(reinterpret_cast<const char*>(msg.data()), plain_user_length_);
    std::string_view password(reinterpret_cast<const char*>(msg.data()) + plain_user_length_,
                              plain_password_length_);
    plain_user_ = user;
    auto verdict = config_.check_plain ? config_.check_plain(user, password) : std::nullopt;
    if (!verdict) return security_failed("authentication failed", out);
    return security_ok(*verdict, out);
}

HandshakeStatus ServerHandshake::security_ok(Access access, Bytes& out) {
    access_ = access;
    put_u32(out, security_result_ok);
    state_ = State::client_init;
    return HandshakeStatus::need_more;
}

HandshakeStatus ServerHandshake::security_failed(std::string reason, Bytes& out) {
    put_u32(out, security_result_failed);
    if (version_ == ProtocolVersion::v3_8) put_lstring(out, reason); // 3.3 and 3.7 have none
    return fail(std::move(reason));
}

HandshakeStatus ServerHandshake::fail(std::string reason) {
    failure_ = std::move(reason);
    state_ = State::failed;
    pending_.clear();
    return HandshakeStatus::failed;
}

void ServerHandshake::send_server_init(const ServerInit& init, Bytes& out) {
    if (state_ != State::server_init) return;
    encode_server_init(init, out);
    state_ = State::done;
}

std::vector<SecurityType> ServerHandshake::offered_types() const {
    std::vector<SecurityType> types;
    for (SecurityType t : config_.security_types) {
        if (std::find(types.begin(), types.end(), t) != types.end()) continue;
        if (t == SecurityType::vnc_auth && config_.password.empty() &&
            config_.view_only_password.empty())
            continue; // nothing to check a response against
        if (t == SecurityType::vencrypt && offered_subtypes().empty()) continue;
        types.push_back(t);
    }
    return types;
}

std::vector<VencryptSubtype> ServerHandshake::offered_subtypes() const {
    std::vector<VencryptSubtype> subtypes;
    bool vnc_auth_usable = !config_.password.empty() || !config_.view_only_password.empty();
    for (VencryptSubtype s : config_.vencrypt_subtypes) {
        if (std::find(subtypes.begin(), subtypes.end(), s) != subtypes.end()) continue;
        if (is_plain(s) && !config_.check_plain) continue;
        if (is_vnc_auth(s) && !vnc_auth_usable) continue;
        subtypes.push_back(s);
    }
    return subtypes;
}

} // namespace superd::vnc
