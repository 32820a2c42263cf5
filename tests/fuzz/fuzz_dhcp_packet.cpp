// libFuzzer target: the DHCPv4/BOOTP codec (dhcpd/packet.hpp). Whatever decodes must encode
// (unless it is too big for a 1500-byte message) and decode again to the same packet.
// Seeds: tests/fuzz/corpus/fuzz_dhcp_packet/ (the real captures of tests/unit/dhcpd/captures).
#include "fuzz_setup.hpp"

#include "dhcpd/packet.hpp"

#include <map>

namespace {

using superd::fuzz::require;
namespace dhcp = superd::dhcp;

bool same(const dhcp::Packet& a, const dhcp::Packet& b) {
    return a.op == b.op && a.htype == b.htype && a.hlen == b.hlen && a.hops == b.hops &&
           a.xid == b.xid && a.secs == b.secs && a.flags == b.flags && a.ciaddr == b.ciaddr &&
           a.yiaddr == b.yiaddr && a.siaddr == b.siaddr && a.giaddr == b.giaddr &&
           a.chaddr == b.chaddr && a.sname == b.sname && a.file == b.file && a.dhcp == b.dhcp &&
           std::map(a.options.begin(), a.options.end()) ==
               std::map(b.options.begin(), b.options.end());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto packet = dhcp::decode(std::span(data, size));
    if (!packet) return 0;
    (void)packet->message_type();
    require(packet->hardware_address().size() <= 16, "hardware address within chaddr");
    auto bytes = dhcp::encode(*packet, 1500);
    if (!bytes) return 0;
    require(bytes->size() >= dhcp::bootp_size, "encoded messages are padded to 300 bytes");
    auto again = dhcp::decode(*bytes);
    require(again.has_value(), "an encoded packet decodes");
    require(same(*again, *packet), "decode(encode(p)) == p");
    return 0;
}
