// ntpq's read-only queries answered from the system state: READSTAT, READVAR (all, or named
// variables), and the errors for writes, unknown opcodes, associations and variables.
#include "ntpd/control_answer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace superd::ntp {
namespace {

using Bytes = std::vector<std::uint8_t>;

ControlRequest request(std::uint8_t op, std::string data = "", std::uint16_t assoc = 0) {
    ControlRequest r;
    r.opcode = op;
    r.sequence = 9;
    r.association = assoc;
    r.data = std::move(data);
    return r;
}

SystemState local_clock() {
    SystemState s;
    s.leap = Leap::none;
    s.stratum = 10;
    s.reference_id = ascii_id("LOCL");
    s.reference_time = {0xed000000, 0x80000000};
    s.root_dispersion = to_short(10'000'000); // 10 ms
    s.precision = -25;
    return s;
}

std::string data_of(const std::vector<Bytes>& frags) {
    std::string out;
    for (const auto& f : frags)
        out.append(f.begin() + 12, f.begin() + 12 + (f[10] << 8 | f[11]));
    return out;
}

std::uint16_t status_of(const Bytes& f) {
    return static_cast<std::uint16_t>(f[4] << 8 | f[5]);
}

TEST(NtpControlAnswer, ReadvarGivesTheSystemVariables) {
    auto frags = answer_control(request(opcode::read_variables), local_clock(), 0);
    std::string text = data_of(frags);
    for (const char* expected :
         {"version=\"superd-ntpd 0.1.0\"", "leap=00", "stratum=10", "precision=-25",
          "rootdisp=9.99", "refid=LOCL", "reftime=0xed000000.80000000"})
        EXPECT_NE(text.find(expected), std::string::npos) << expected << " in " << text;
    EXPECT_EQ(status_of(frags[0]) >> 14, 0);         // LI 0
    EXPECT_EQ((status_of(frags[0]) >> 8) & 0x3f, 5); // clock source: the local clock
}

TEST(NtpControlAnswer, NamedVariablesAndUnsynchronized) {
    SystemState s; // unsynchronized
    auto frags = answer_control(request(opcode::read_variables, "stratum,leap"), s, 0);
    EXPECT_EQ(data_of(frags), "stratum=16, leap=11\r\n");
    EXPECT_EQ(status_of(frags[0]) >> 14, 3);
    auto unknown = answer_control(request(opcode::read_variables, "stratum,bogus"), s, 0);
    ASSERT_EQ(unknown.size(), 1u);
    EXPECT_TRUE(unknown[0][1] & 0x40);
    EXPECT_EQ(status_of(unknown[0]) >> 8, static_cast<int>(ControlError::unknown_variable));
}

TEST(NtpControlAnswer, ReadstatAndErrors) {
    auto stat = answer_control(request(opcode::read_status), local_clock(), 0);
    ASSERT_EQ(stat.size(), 1u);
    EXPECT_FALSE(stat[0][1] & 0x40);
    EXPECT_EQ(data_of(stat), ""); // no associations yet
    auto error_of = [](const std::vector<Bytes>& f) {
        return (f.size() == 1 && (f[0][1] & 0x40)) ? status_of(f[0]) >> 8 : -1;
    };
    EXPECT_EQ(error_of(answer_control(request(opcode::write_variables, "x=1"), local_clock(), 0)),
              static_cast<int>(ControlError::permission_denied));
    EXPECT_EQ(error_of(answer_control(request(31), local_clock(), 0)),
              static_cast<int>(ControlError::unknown_opcode));
    EXPECT_EQ(error_of(answer_control(request(opcode::read_variables, "", 7), local_clock(), 0)),
              static_cast<int>(ControlError::unknown_association));
}

} // namespace
} // namespace superd::ntp
