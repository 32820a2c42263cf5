#include "dhcpd/interfaces.hpp"

#include <algorithm>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

namespace superd::dhcp {

void Interfaces::refresh() {
    all_.clear();
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return;
    for (ifaddrs* ifa = list; ifa; ifa = ifa->ifa_next) {
        if (!ifa->ifa_name) continue;
        int index = static_cast<int>(::if_nametoindex(ifa->ifa_name));
        if (index == 0) continue;
        auto it = std::ranges::find(all_, index, &Interface::index);
        if (it == all_.end()) {
            all_.push_back(Interface{index, ifa->ifa_name, {}});
            it = all_.end() - 1;
        }
        if (ifa->ifa_addr && ifa->ifa_addr->sa_family == AF_INET) {
            InterfaceAddress a;
            a.address = ntohl(reinterpret_cast<const sockaddr_in*>(ifa->ifa_addr)->sin_addr.s_addr);
            if (ifa->ifa_netmask)
                a.netmask =
                    ntohl(reinterpret_cast<const sockaddr_in*>(ifa->ifa_netmask)->sin_addr.s_addr);
            it->addresses.push_back(a);
        }
    }
    ::freeifaddrs(list);
}

const Interface* Interfaces::by_index(int index) {
    auto find = [&]() -> const Interface* {
        auto it = std::ranges::find(all_, index, &Interface::index);
        return it == all_.end() ? nullptr : &*it;
    };
    if (const auto* i = find()) return i;
    refresh();
    return find();
}

} // namespace superd::dhcp
