// libFuzzer target: the NTP mode 6 control codec (ntpd/control.hpp). Whatever decodes as a
// request gets responses that decode as nothing (responses are never answered), are padded,
// and carry exactly the data given, in order; the server's answer to it is well formed, for the
// system alone and for a view with associations (the local clock, an IPv4 and an IPv6 peer).
// Seeds: tests/fuzz/corpus/fuzz_ntp_control/ (ntpq's real requests, a READVAR with names).
#include "fuzz_setup.hpp"

#include "ntpd/control.hpp"
#include "ntpd/control_answer.hpp"

namespace {
using superd::fuzz::require;
namespace ntp = superd::ntp;

ntp::ClientView with_associations() {
    ntp::ClientView view;
    view.details.system_peer_id = 1;
    for (const char* address : {"127.127.1.0", "192.0.2.1", "2001:db8::1"}) {
        ntp::PeerStatus p;
        p.association_id = static_cast<std::uint16_t>(view.peers.size() + 1);
        p.address = *superd::common::IpAddress::parse(address);
        p.local_clock = p.association_id == 1;
        p.name = p.association_id == 3 ? "ntp.example" : address;
        p.reach = 0x5a;
        p.stratum = static_cast<std::uint8_t>(p.association_id * 5);
        p.selection = ntp::PeerSelection::candidate;
        view.peers.push_back(p);
    }
    return view;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto request = ntp::decode_control(std::span(data, size));
    if (!request) return 0;
    require(request->data.size() <= size - ntp::control_header_size, "data within the datagram");
    (void)ntp::variable_names(request->data);
    // Echo the request's data back as a response, in fragments.
    auto frags = ntp::encode_control_response(*request, 0, request->association, request->data);
    std::string joined;
    for (const auto& f : frags) {
        require(f.size() % 4 == 0 && f.size() >= ntp::control_header_size, "padded fragment");
        require(f.size() <= ntp::control_header_size + ntp::control_max_fragment + 3,
                "fragment size bound");
        require(!ntp::decode_control(f), "a response never decodes as a request");
        std::size_t count = std::size_t(f[10]) << 8 | f[11];
        joined.append(f.begin() + 12, f.begin() + 12 + static_cast<std::ptrdiff_t>(count));
    }
    require(joined == request->data, "fragments carry the data in order");
    auto error = ntp::encode_control_error(*request, ntp::ControlError::unknown_opcode);
    require(!ntp::decode_control(error), "an error response is not a request");
    // What the server would answer: whole fragments, never a request.
    for (const auto& f : ntp::answer_control(*request, ntp::SystemState{}, 0))
        require(f.size() % 4 == 0 && !ntp::decode_control(f), "answers are padded responses");
    static const ntp::ClientView view = with_associations();
    auto answer = ntp::answer_control(*request, view, 0);
    for (const auto& f : answer)
        require(f.size() % 4 == 0 && !ntp::decode_control(f), "answers are padded responses");
    if (request->opcode == ntp::opcode::read_status && request->association == 0)
        require(answer.size() == 1 &&
                    std::size_t(answer[0][10] << 8 | answer[0][11]) == 4 * view.peers.size(),
                "one (id, status) pair per association");
    return 0;
}
