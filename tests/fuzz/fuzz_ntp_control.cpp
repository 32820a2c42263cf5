// libFuzzer target: the NTP mode 6 control codec (ntpd/control.hpp). Whatever decodes as a
// request gets responses that decode as nothing (responses are never answered), are padded,
// and carry exactly the data given, in order; the server's answer to it is well formed.
// Seeds: tests/fuzz/corpus/fuzz_ntp_control/ (ntpq's real requests, a READVAR with names).
#include "fuzz_setup.hpp"

#include "ntpd/control.hpp"
#include "ntpd/control_answer.hpp"

namespace {
using superd::fuzz::require;
namespace ntp = superd::ntp;
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
    return 0;
}
