// libFuzzer target: the NTP packet codec (ntpd/packet.hpp) and the responder behind it.
// Whatever decodes must encode to the same bytes and decode again to the same packet; the
// responder must answer a client request with a reply no larger than the request, and never
// answer anything but modes 1 and 3.
// Seeds: tests/fuzz/corpus/fuzz_ntp_packet/ (chronyd's and rdate's real requests, a reply,
// requests with a MAC and with an extension field).
#include "fuzz_setup.hpp"

#include "ntpd/packet.hpp"
#include "ntpd/responder.hpp"

namespace {

using superd::fuzz::require;
namespace ntp = superd::ntp;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> in(data, size);
    auto packet = ntp::decode(in);
    if (!packet) return 0;
    auto wire = ntp::encode(*packet);
    require(wire.size() == size && std::equal(wire.begin(), wire.end(), in.begin()),
            "encode(decode(x)) == x");
    auto again = ntp::decode(wire);
    require(again && *again == *packet, "decode(encode(p)) == p");
    require(ntp::mac_covered_size(*packet) <= size, "the MAC covers bytes that exist");

    ntp::SystemState state;
    auto r = ntp::respond(*packet, ntp::Timestamp{1, 2}, state, ntp::Access::serve);
    bool answerable =
        packet->mode == ntp::Mode::client || packet->mode == ntp::Mode::symmetric_active;
    require(answerable == (r.outcome != ntp::Outcome::drop), "only modes 1 and 3 are answered");
    if (r.outcome != ntp::Outcome::drop) {
        require(ntp::encode(r.packet).size() <= size, "a reply is never larger than the request");
        require(r.packet.origin == packet->transmit, "origin is the request's transmit");
        require(r.packet.mode != ntp::Mode::client, "a reply is never a request");
    }
    return 0;
}
