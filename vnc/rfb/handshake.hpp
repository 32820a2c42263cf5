#pragma once
// The server side of RFB's handshake (RFC 6143 7.1-7.3): ProtocolVersion, security negotiation
// (None, VNC Authentication, VeNCrypt 0.2), SecurityResult, ClientInit and ServerInit. A state
// machine fed with the client's bytes; it appends what to send to an output buffer and stops
// where the caller must act (start TLS, answer ClientInit). It never consumes a byte beyond the
// message it needs, so what it leaves belongs to the next layer: the TLS session after
// start_tls, the client message reader after the handshake.
#include "vnc/rfb/pixel_format.hpp"
#include "vnc/rfb/vnc_auth.hpp"
#include "vnc/rfb/wire.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace superd::vnc {

enum class ProtocolVersion : std::uint8_t { v3_3, v3_7, v3_8 };
std::string_view to_string(ProtocolVersion version); // "3.3" ...

enum class SecurityType : std::uint8_t { none = 1, vnc_auth = 2, vencrypt = 19 };

// VeNCrypt's subtypes (rfbproto "VeNCrypt"). TLS* use anonymous TLS, X509* a certificate; the
// shell makes that difference, the handshake only reports the subtype.
enum class VencryptSubtype : std::uint32_t {
    plain = 256, // user + password in clear: only on a link the operator trusts
    tls_none = 257,
    tls_vnc = 258,
    tls_plain = 259,
    x509_none = 260,
    x509_vnc = 261,
    x509_plain = 262,
};
bool uses_tls(VencryptSubtype subtype);

// What an authenticated client may do.
enum class Access : std::uint8_t { full, view_only };

struct HandshakeConfig {
    // Offered in this order; a 3.3 client gets the first of None / VNC auth that is usable.
    std::vector<SecurityType> security_types{SecurityType::none};
    // VeNCrypt's offer (in order); VeNCrypt is only offered when this is not empty. The *_plain
    // subtypes are only offered when check_plain is set.
    std::vector<VencryptSubtype> vencrypt_subtypes;
    // VNC Authentication: a response matching `password` gets full access, one matching
    // `view_only_password` view-only access; an empty password matches nothing.
    std::string password;
    std::string view_only_password;
    Challenge challenge{}; // fresh random bytes from the caller, one per connection
    // VeNCrypt Plain: the caller's verdict on a user and password (nullopt: refused).
    std::function<std::optional<Access>(std::string_view user, std::string_view password)>
        check_plain;
    // Longest VeNCrypt Plain user name / password accepted.
    std::uint32_t max_plain_length = 1024;
};

struct ServerInit {
    int width = 0, height = 0;
    PixelFormat format = native_pixel_format;
    std::string name;
};
void encode_server_init(const ServerInit& init, Bytes& out);

enum class HandshakeStatus : std::uint8_t {
    need_more,   // feed more bytes
    start_tls,   // send the output, then start TLS (server side) on the socket; feed the
                 // decrypted bytes from now on, and call tls_ready() once the TLS handshake ends
    client_init, // ClientInit arrived (see shared()); call send_server_init()
    done,        // ServerInit sent: the client message reader takes over
    failed,      // send the output (it may hold a reason), then close; see failure_reason()
};

struct HandshakeProgress {
    std::size_t consumed = 0; // bytes of the input used; the rest is the next layer's
    HandshakeStatus status = HandshakeStatus::need_more;
};

class ServerHandshake {
  public:
    explicit ServerHandshake(HandshakeConfig config);

    // The server speaks first: its ProtocolVersion ("RFB 003.008\n").
    void start(Bytes& out);
    HandshakeProgress feed(std::span<const std::uint8_t> in, Bytes& out);
    // After start_tls, once the TLS session is up: the inner authentication's first bytes.
    HandshakeStatus tls_ready(Bytes& out);
    // After client_init. The handshake is then done.
    void send_server_init(const ServerInit& init, Bytes& out);

    HandshakeStatus status() const;
    ProtocolVersion version() const { return version_; }
    std::optional<SecurityType> security_type() const { return security_type_; }
    std::optional<VencryptSubtype> vencrypt_subtype() const { return subtype_; }
    Access access() const { return access_; }
    bool shared() const { return shared_; }
    std::string_view failure_reason() const { return failure_; }
    std::string_view plain_user() const { return plain_user_; }

  private:
    enum class State : std::uint8_t {
        initial,
        client_version,
        security_choice,
        vnc_auth_response,
        vencrypt_version,
        vencrypt_subtype,
        awaiting_tls,
        plain_lengths,
        plain_credentials,
        client_init,
        server_init,
        done,
        failed,
    };

    std::size_t needed() const;
    HandshakeStatus handle(std::span<const std::uint8_t> msg, Bytes& out);
    HandshakeStatus on_client_version(std::span<const std::uint8_t> msg, Bytes& out);
    HandshakeStatus on_security_choice(std::uint8_t type, Bytes& out);
    HandshakeStatus begin_security(SecurityType type, Bytes& out);
    HandshakeStatus on_vnc_auth_response(std::span<const std::uint8_t> msg, Bytes& out);
    HandshakeStatus on_vencrypt_version(std::span<const std::uint8_t> msg, Bytes& out);
    HandshakeStatus on_vencrypt_subtype(std::uint32_t subtype, Bytes& out);
    HandshakeStatus begin_inner_auth(Bytes& out);
    HandshakeStatus on_plain_credentials(std::span<const std::uint8_t> msg, Bytes& out);
    HandshakeStatus security_ok(Access access, Bytes& out);
    HandshakeStatus security_failed(std::string reason, Bytes& out);
    HandshakeStatus fail(std::string reason);
    std::vector<SecurityType> offered_types() const;
    std::vector<VencryptSubtype> offered_subtypes() const;

    HandshakeConfig config_;
    State state_ = State::initial;
    Bytes pending_; // the part of the current message received so far
    ProtocolVersion version_ = ProtocolVersion::v3_8;
    std::optional<SecurityType> security_type_;
    std::optional<VencryptSubtype> subtype_;
    Access access_ = Access::full;
    bool shared_ = false;
    std::uint32_t plain_user_length_ = 0, plain_password_length_ = 0;
    std::string plain_user_;
    std::string failure_;
};

} // namespace superd::vnc
