#pragma once
// The machine's IPv4 interfaces as getifaddrs(3) reports them: which one a datagram arrived on
// (IP_PKTINFO gives its index) and our address there, which picks the subnet and is the server
// identifier.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace superd::dhcp {

struct InterfaceAddress {
    std::uint32_t address = 0; // host order
    std::uint32_t netmask = 0;
};

struct Interface {
    int index = 0;
    std::string name;
    std::vector<InterfaceAddress> addresses; // IPv4 only, in getifaddrs order
};

class Interfaces {
  public:
    // Reads the table again (an address may be added after start-up).
    void refresh();
    // Refreshes once when the index is unknown.
    const Interface* by_index(int index);
    const std::vector<Interface>& all() const { return all_; }

  private:
    std::vector<Interface> all_;
};

} // namespace superd::dhcp
