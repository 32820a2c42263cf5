// Mode 6 control messages: ntpsec ntpq's real requests, fragmented responses, errors, variable
// lists.
//
// The two requests were captured on 2026-11-23 on this project's Debian 12 machine by a python3
// UDP listener on 127.0.0.1:123 (nothing answered): ntpsec's ntpq 1.2.2 (Debian ntpsec and
// python3-ntp 1.2.2+dfsg1-1+deb12u1, unpacked with dpkg -x), `ntpq -c rv 127.0.0.1` and
// `ntpq -p 127.0.0.1`. ntpq sends version 2 with LI 3.
#include "ntpd/control.hpp"

#include <gtest/gtest.h>

namespace superd::ntp {
namespace {

using Bytes = std::vector<std::uint8_t>;

const Bytes ntpq_rv = {0xd6, 0x02, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0};
const Bytes ntpq_peers = {0xd6, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0};

std::uint16_t be16(const Bytes& b, std::size_t at) {
    return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}

TEST(NtpControl, NtpqRequests) {
    auto rv = decode_control(ntpq_rv);
    ASSERT_TRUE(rv);
    EXPECT_EQ(rv->version, 2);
    EXPECT_EQ(rv->opcode, opcode::read_variables);
    EXPECT_EQ(rv->sequence, 1);
    EXPECT_EQ(rv->association, 0);
    EXPECT_TRUE(rv->data.empty());
    EXPECT_FALSE(rv->authenticated);
    auto peers = decode_control(ntpq_peers);
    ASSERT_TRUE(peers);
    EXPECT_EQ(peers->opcode, opcode::read_status);
}

TEST(NtpControl, ReadvarWithNamesAndAMac) {
    Bytes b = {0x16, 0x02, 0x00, 0x07, 0, 0, 0x00, 0x05, 0, 0, 0, 14};
    std::string names = "srcadr,stratum";
    b.insert(b.end(), names.begin(), names.end());
    b.resize(12 + 16, 0);        // padded to 4
    b.insert(b.end(), 20, 0xaa); // key id + MD5 digest
    auto r = decode_control(b);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->association, 5);
    EXPECT_EQ(r->sequence, 7);
    EXPECT_EQ(r->data, names);
    EXPECT_TRUE(r->authenticated);
    EXPECT_EQ(variable_names(r->data), (std::vector<std::string>{"srcadr", "stratum"}));
    EXPECT_EQ(variable_names(" a , ,b\r\n"), (std::vector<std::string>{"a", "b"}));
}

TEST(NtpControl, BadRequests) {
    EXPECT_EQ(decode_control(Bytes(11, 0)).error(), ControlDecodeError::too_short);
    Bytes client = ntpq_rv;
    client[0] = 0x23; // mode 3
    EXPECT_EQ(decode_control(client).error(), ControlDecodeError::not_control);
    Bytes response = ntpq_rv;
    response[1] |= 0x80;
    EXPECT_EQ(decode_control(response).error(), ControlDecodeError::is_response);
    Bytes count = ntpq_rv;
    count[11] = 40; // 40 bytes of data that are not there
    EXPECT_EQ(decode_control(count).error(), ControlDecodeError::bad_count);
    Bytes more = ntpq_rv;
    more[1] |= 0x20;
    EXPECT_EQ(decode_control(more).error(), ControlDecodeError::fragmented);
}

TEST(NtpControl, ResponsesAreFragmentedAndPadded) {
    ControlRequest req = *decode_control(ntpq_rv);
    std::string data(1000, 'x');
    auto frags = encode_control_response(req, 0x0618, 0, data);
    ASSERT_EQ(frags.size(), 3u); // 468 + 468 + 64
    std::size_t total = 0;
    for (std::size_t i = 0; i < frags.size(); ++i) {
        const Bytes& f = frags[i];
        EXPECT_EQ(f.size() % 4, 0u);
        EXPECT_EQ(f[0], 0x16);                              // version 2, mode 6 (LI 0)
        EXPECT_TRUE(f[1] & 0x80);                           // a response
        EXPECT_FALSE(f[1] & 0x40);                          // no error
        EXPECT_EQ(bool(f[1] & 0x20), i + 1 < frags.size()); // More on all but the last
        EXPECT_EQ(f[1] & 0x1f, opcode::read_variables);
        EXPECT_EQ(be16(f, 2), 1);      // the request's sequence
        EXPECT_EQ(be16(f, 4), 0x0618); // status
        EXPECT_EQ(be16(f, 8), total);  // offset
        total += be16(f, 10);
    }
    EXPECT_EQ(total, data.size());
    // Empty data: one fragment, no More.
    auto empty = encode_control_response(req, 0, 0, "");
    ASSERT_EQ(empty.size(), 1u);
    EXPECT_EQ(empty[0].size(), control_header_size);
}

TEST(NtpControl, ErrorResponse) {
    ControlRequest req = *decode_control(ntpq_rv);
    req.opcode = opcode::write_variables;
    Bytes e = encode_control_error(req, ControlError::permission_denied);
    ASSERT_EQ(e.size(), control_header_size);
    EXPECT_EQ(e[1], 0x80 | 0x40 | opcode::write_variables);
    EXPECT_EQ(be16(e, 4), 0x0100); // the error code in the status word's high byte
}

TEST(NtpControl, VariablesAsNtpdWritesThem) {
    EXPECT_EQ(format_variables({{"stratum", "2"},
                                {"offset", "-0.012345"},
                                {"reftime", "0xed0a1234.80000000"},
                                {"refid", "LOCL"},
                                {"version", "superd-ntpd 0.1.0", true}}),
              "stratum=2, offset=-0.012345, reftime=0xed0a1234.80000000, refid=LOCL, "
              "version=\"superd-ntpd 0.1.0\"");
}

} // namespace
} // namespace superd::ntp
