// libFuzzer target: the dhcpd.leases parser (dhcpd/lease_file.hpp), bytes straight from memory.
// Invariants: the counts agree; cutting the file where the parser says the torn tail starts
// loses no lease (LeaseFile::open truncates there); every lease read writes back as text that
// reads as the same lease (what compaction relies on).
// Seeds: tests/fuzz/corpus/fuzz_lease_file/ (our output, an ISC 4.4 file, torn and bad entries).
#include "fuzz_setup.hpp"

#include "dhcpd/lease_file.hpp"

#include <string_view>

namespace {

using superd::fuzz::require;
namespace dhcp = superd::dhcp;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const dhcp::ReplayResult r = dhcp::parse_lease_file(text);

    require(r.complete_bytes <= size, "complete_bytes within the file");
    require(!r.torn_tail || r.complete_bytes < size, "a torn tail has bytes");
    require(!r.torn_tail || r.skipped >= 1, "a torn tail is reported as skipped");
    require(r.leases.size() <= r.entries, "no more leases than entries");
    require(r.skip_details.size() <= r.skipped, "details never exceed the count");
    require(r.skip_details.size() <= dhcp::max_skip_details, "details are bounded");
    for (const auto& d : r.skip_details)
        require(d.line >= 1 && !d.reason.empty(), "a skip has a line and a reason");

    if (r.torn_tail) {
        const auto cut = dhcp::parse_lease_file(text.substr(0, r.complete_bytes));
        require(!cut.torn_tail, "the cut file is not torn");
        require(cut.leases == r.leases, "cutting the torn tail loses no lease");
    }

    std::string compacted = dhcp::lease_file_header();
    for (const auto& [address, lease] : r.leases) {
        require(address == lease.address, "leases are keyed by their address");
        const std::string entry = dhcp::format_lease(lease);
        const auto again = dhcp::parse_lease_file(entry);
        require(again.skipped == 0 && again.entries == 1 && !again.torn_tail,
                "a written lease reads back cleanly");
        require(again.leases.size() == 1 && again.leases.begin()->second == lease,
                "a written lease reads back the same");
        compacted += entry;
    }
    const auto whole = dhcp::parse_lease_file(compacted);
    require(whole.leases == r.leases && whole.skipped == 0, "a compacted file reads back the same");
    return 0;
}
