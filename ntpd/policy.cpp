#include "ntpd/policy.hpp"

#include "ntpd/mac.hpp"

#include <algorithm>

namespace superd::ntp {

Policy::Policy(RestrictTable restricts, DiscardPolicy discard, KeyTable keys,
               std::vector<KeyRange> trusted)
    : restricts_(std::move(restricts))
    , limiter_(discard)
    , keys_(std::move(keys))
    , trusted_(std::move(trusted)) {}

Policy Policy::from_config(const Config& config, KeyTable keys) {
    return Policy(RestrictTable::from_config(config), config.discard_policy(), std::move(keys),
                  config.trusted_keys);
}

bool Policy::trusted(std::uint32_t key_id) const {
    return std::ranges::any_of(
        trusted_, [key_id](const KeyRange& r) { return key_id >= r.first && key_id <= r.last; });
}

MacCheck Policy::check_mac(const Packet& request) const {
    if (!request.mac) return MacCheck::none;
    // Key 0 with no digest is a crypto-NAK, which a client never sends: not authentic.
    if (request.mac->key_id == 0 || request.mac->digest.empty()) return MacCheck::bad;
    const Key* key = keys_.find(request.mac->key_id);
    if (key == nullptr || !trusted(key->id)) return MacCheck::bad;
    // The MAC covers the header and the extension fields exactly as they came: the codec keeps
    // both byte for byte, so encoding the packet without its MAC gives the covered bytes back.
    Packet covered = request;
    covered.mac.reset();
    return verify_mac(*key, encode(covered), request.mac->digest) ? MacCheck::good : MacCheck::bad;
}

Access Policy::decide(const common::IpAddress& peer, std::uint16_t port, const Packet& request,
                      std::int64_t now_ns) {
    RestrictFlags flags = restricts_.match(peer, port);
    auto has = [&](RestrictFlag f) { return flags.has(f); };
    auto refuse = [&](Access kiss) { return has(RestrictFlag::kod) ? kiss : Access::ignore; };
    if (has(RestrictFlag::ignore)) return Access::ignore;
    if (has(RestrictFlag::version) && request.version != 4) return Access::ignore;
    if (has(RestrictFlag::noserve)) return refuse(Access::kiss_deny);
    MacCheck mac = check_mac(request);
    if (request.mode == Mode::symmetric_active && has(RestrictFlag::nopeer) &&
        mac != MacCheck::good)
        return refuse(Access::kiss_rstr);
    if (has(RestrictFlag::limited) && limiter_.over_limit(peer, now_ns))
        return refuse(Access::kiss_rate);
    if (mac == MacCheck::bad) return Access::crypto_nak;
    if (has(RestrictFlag::notrust) && mac != MacCheck::good) return Access::ignore;
    return Access::serve;
}

bool Policy::control_allowed(const common::IpAddress& peer, std::uint16_t port) const {
    RestrictFlags flags = restricts_.match(peer, port);
    return !flags.has(RestrictFlag::ignore) && !flags.has(RestrictFlag::noquery);
}

std::vector<std::uint8_t> Policy::sign(std::uint32_t key_id,
                                       std::span<const std::uint8_t> covered) const {
    const Key* key = keys_.find(key_id);
    if (key == nullptr) return {};
    return compute_mac(*key, covered);
}

} // namespace superd::ntp
