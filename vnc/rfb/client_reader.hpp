#pragma once
// The incremental reader of client messages: feed() the bytes as they come, in any split, then
// call next() until it says it needs more. Every length is checked against a limit before it is
// used. A message we cannot read (unknown type: its length is unknown; a pixel format we cannot
// serve; a length over a limit) puts the reader in a lasting error state with a reason: the
// session then ends.
#include "vnc/rfb/client_messages.hpp"
#include "vnc/rfb/wire.hpp"

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>

namespace superd::vnc {

struct ReaderLimits {
    std::uint32_t max_cut_text = 256 * 1024; // longer ClientCutText is read past, not kept
    std::uint32_t max_encodings = 1024;      // SetEncodings entries
};

struct ReadError {
    std::string reason;
    bool operator==(const ReadError&) const = default;
};

class ClientMessageReader {
  public:
    explicit ClientMessageReader(ReaderLimits limits = {});

    void feed(std::span<const std::uint8_t> bytes);
    // A message; nullopt when the bytes so far end inside one; or the error.
    std::expected<std::optional<ClientMessage>, ReadError> next();

    // Bytes held for a message not yet complete.
    std::size_t buffered() const { return buffer_.size() - start_; }
    bool failed() const { return error_.has_value(); }

  private:
    std::expected<std::optional<ClientMessage>, ReadError> fail(std::string reason);
    std::expected<std::optional<ClientMessage>, ReadError> skip_cut_text();
    void consume(std::size_t n);

    ReaderLimits limits_;
    Bytes buffer_;
    std::size_t start_ = 0; // first unread byte of buffer_
    // A ClientCutText over the limit: how much of its text is still to be read past.
    std::uint64_t skipping_ = 0;
    std::uint32_t skipped_length_ = 0;
    std::optional<ReadError> error_;
};

} // namespace superd::vnc
