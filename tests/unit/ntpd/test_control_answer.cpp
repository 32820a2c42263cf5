// ntpq's read-only queries answered from the client's view: READSTAT (system and peer status
// words), READVAR of the system and of each association (all, or named variables), fragments of
// long answers, and the errors for writes, clocks, unknown opcodes, associations and variables.
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

std::uint16_t association_of(const Bytes& f) {
    return static_cast<std::uint16_t>(f[6] << 8 | f[7]);
}

int error_of(const std::vector<Bytes>& f) {
    return (f.size() == 1 && (f[0][1] & 0x40)) ? status_of(f[0]) >> 8 : -1;
}

bool has(const std::string& text, const std::string& item) {
    return text.find(item) != std::string::npos;
}

TEST(NtpControlAnswer, ReadvarGivesTheSystemVariables) {
    auto frags = answer_control(request(opcode::read_variables), local_clock(), 0);
    std::string text = data_of(frags);
    for (const char* expected :
         {"version=\"superd-ntpd 0.1.0\"", "leap=0,", "stratum=10", "precision=-25",
          "rootdisp=9.99", "refid=LOCL", "reftime=0xed000000.80000000"})
        EXPECT_NE(text.find(expected), std::string::npos) << expected << " in " << text;
    EXPECT_EQ(status_of(frags[0]) >> 14, 0);         // LI 0
    EXPECT_EQ((status_of(frags[0]) >> 8) & 0x3f, 5); // clock source: the local clock
}

TEST(NtpControlAnswer, NamedVariablesAndUnsynchronized) {
    SystemState s; // unsynchronized
    auto frags = answer_control(request(opcode::read_variables, "stratum,leap"), s, 0);
    EXPECT_EQ(data_of(frags), "stratum=16, leap=3\r\n"); // ntpd sends the bits as a number
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
    EXPECT_EQ(data_of(stat), ""); // no associations
    EXPECT_EQ(error_of(answer_control(request(opcode::write_variables, "x=1"), local_clock(), 0)),
              static_cast<int>(ControlError::permission_denied));
    EXPECT_EQ(error_of(answer_control(request(31), local_clock(), 0)),
              static_cast<int>(ControlError::unknown_opcode));
    EXPECT_EQ(error_of(answer_control(request(opcode::read_variables, "", 7), local_clock(), 0)),
              static_cast<int>(ControlError::unknown_association));
}

// Three associations as the client publishes them: the local clock (the system peer), a
// configured upstream with a verified key (a candidate), an unheard pool member.
ClientView three_associations() {
    ClientView view;
    view.state = local_clock();
    view.details = {.system_peer_id = 1,
                    .offset = 12e-6,
                    .system_jitter = 3e-6,
                    .clock_jitter = 4.5e-6,
                    .frequency_ppm = -12.345,
                    .clock_wander_ppm = 0.01,
                    .time_constant = 6};
    PeerStatus local;
    local.association_id = 1;
    local.name = "127.127.1.0";
    local.address = *common::IpAddress::parse("127.127.1.0");
    local.local_clock = true;
    local.reach = 0xff;
    local.hpoll = 6;
    local.selection = PeerSelection::sys_peer;
    local.event_count = 1;
    local.last_event = 10; // sys_peer
    local.leap = Leap::none;
    local.stratum = 10;
    local.reference_id = ascii_id("LOCL");
    local.precision = -25;
    local.last_update_ns = 1'700'000'000'000'000'000;

    PeerStatus upstream;
    upstream.association_id = 2;
    upstream.name = "192.0.2.1";
    upstream.address = *common::IpAddress::parse("192.0.2.1");
    upstream.authenticated = true;
    upstream.auth_ok = true;
    upstream.key_id = 5;
    upstream.reach = 0x7f;
    upstream.hpoll = 7;
    upstream.ppoll = 6;
    upstream.selection = PeerSelection::candidate;
    upstream.event_count = 2;
    upstream.last_event = 4; // reachable
    upstream.leap = Leap::none;
    upstream.stratum = 2;
    upstream.reference_id = 203u << 24 | 0u << 16 | 113u << 8 | 7u;
    upstream.precision = -20;
    upstream.root_delay = 0.0125;
    upstream.root_dispersion = 0.003;
    upstream.reference_time = {0xed000000, 0x40000000};
    upstream.org = {0xed000010, 1};
    upstream.rec = {0xed000010, 0x80000000};
    upstream.xmt = {0xed000010, 0x90000000};
    upstream.offset = -0.001234567;
    upstream.delay = 0.025;
    upstream.dispersion = 0.0005;
    upstream.jitter = 0.000125;
    upstream.last_update_ns = 1'700'000'000'000'000'000;

    PeerStatus pool;
    pool.association_id = 3;
    pool.name = "2.debian.pool.ntp.org";
    pool.address = *common::IpAddress::parse("2001:db8::5");
    pool.configured = false;
    pool.event_count = 3;
    pool.last_event = 3; // unreachable

    view.peers = {local, upstream, pool};
    return view;
}

TEST(NtpControlAnswer, ReadstatListsEveryAssociationWithItsStatusWord) {
    auto frags = answer_control(request(opcode::read_status), three_associations(), 0);
    ASSERT_EQ(frags.size(), 1u);
    EXPECT_EQ(status_of(frags[0]), system_status_word(local_clock()));
    // (id, status) pairs, big-endian: config|reach|sys.peer, 1 event sys_peer; config|
    // authenable|authentic|reach|candidate, 2 events reachable; nothing|reject, 3 unreachable.
    const std::string expected("\x00\x01\x96\x1a"
                               "\x00\x02\xf4\x24"
                               "\x00\x03\x00\x33",
                               12);
    EXPECT_EQ(data_of(frags), expected);

    // One association: its status word, no data.
    auto one = answer_control(request(opcode::read_status, "", 2), three_associations(), 0);
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(status_of(one[0]), 0xf424);
    EXPECT_EQ(association_of(one[0]), 2);
    EXPECT_EQ(data_of(one), "");
    EXPECT_EQ(
        error_of(answer_control(request(opcode::read_status, "", 9), three_associations(), 0)),
        static_cast<int>(ControlError::unknown_association));
}

TEST(NtpControlAnswer, PeerStatusWordBits) {
    PeerStatus p;
    EXPECT_EQ(peer_status_word(p), 0x8000); // configured, nothing else
    p.selection = PeerSelection::pps_peer;
    p.authenticated = true; // a key, its last reply not verified: authenable, not authentic
    p.event_count = 15;
    p.last_event = 15;
    EXPECT_EQ(peer_status_word(p), 0xc7ff);
}

TEST(NtpControlAnswer, ReadvarOfAnUpstreamAsNtpdFormatsIt) {
    auto frags = answer_control(request(opcode::read_variables, "", 2), three_associations(), 0);
    std::string text = data_of(frags);
    for (const char* expected :
         {"srcadr=192.0.2.1, srcport=123, dstadr=0.0.0.0, dstport=0, leap=0, stratum=2, "
          "precision=-20, rootdelay=12.500, rootdisp=3.000, refid=203.0.113.7, "
          "reftime=0xed000000.40000000, rec=0xed000010.80000000, reach=0x7f, hmode=3, pmode=4, "
          "hpoll=7, ppoll=6, keyid=5, offset=-1.234567, delay=25.000000, dispersion=0.500000, "
          "jitter=0.125000\r\n"})
        EXPECT_EQ(text, expected);
    EXPECT_FALSE(has(text, "srchost")); // configured by address: no name
    for (const auto& f : frags) {
        EXPECT_EQ(f[1], 0x80 | opcode::read_variables);
        EXPECT_EQ(status_of(f), 0xf424); // the peer status word: ntpq -p's tally comes from it
        EXPECT_EQ(association_of(f), 2);
    }

    // Named variables, in the order asked, including those not sent by default.
    auto named = answer_control(request(opcode::read_variables, "xmt, reach,srcadr", 2),
                                three_associations(), 0);
    EXPECT_EQ(data_of(named), "xmt=0xed000010.90000000, reach=0x7f, srcadr=192.0.2.1\r\n");
    EXPECT_EQ(error_of(answer_control(request(opcode::read_variables, "srcadr,bogus", 2),
                                      three_associations(), 0)),
              static_cast<int>(ControlError::unknown_variable));
}

TEST(NtpControlAnswer, LocalClockLooksLikeNtpdsLocalDriver) {
    std::string text =
        data_of(answer_control(request(opcode::read_variables, "", 1), three_associations(), 0));
    for (const char* expected :
         {"srcadr=127.127.1.0,", "srchost=\"LOCAL(0)\",", "refid=LOCL,", "stratum=10,",
          "reach=0xff,", "pmode=0,", "hpoll=6, ppoll=6,", "rec=0x"})
        EXPECT_TRUE(has(text, expected)) << expected << " in " << text;
    // No rec of its own: the time of its last update stands in (ntpq -p's "when").
    EXPECT_FALSE(has(text, "rec=0x00000000.00000000")) << text;
}

TEST(NtpControlAnswer, UnheardPoolMember) {
    std::string text =
        data_of(answer_control(request(opcode::read_variables, "", 3), three_associations(), 0));
    for (const char* expected :
         {"srcadr=2001:db8::5,", "srchost=\"2.debian.pool.ntp.org\",", "dstadr=::,", "leap=3,",
          "stratum=16,", "refid=INIT,", "rec=0x00000000.00000000,", "reach=0x0,", "pmode=0,"})
        EXPECT_TRUE(has(text, expected)) << expected << " in " << text;
    // srchost is a peer variable even where an association has none: asked, it is left out.
    auto named = answer_control(request(opcode::read_variables, "srchost,stratum", 2),
                                three_associations(), 0);
    EXPECT_EQ(data_of(named), "stratum=2\r\n");
}

TEST(NtpControlAnswer, UnknownAssociationAndClock) {
    auto frags = answer_control(request(opcode::read_variables, "", 9), three_associations(), 0);
    EXPECT_EQ(error_of(frags), static_cast<int>(ControlError::unknown_association));
    EXPECT_EQ(association_of(frags[0]), 9);
    // No clock variables to read: ntpd's answer for associations that are not clocks.
    EXPECT_EQ(error_of(answer_control(request(opcode::read_clock), three_associations(), 0)),
              static_cast<int>(ControlError::unknown_association));
    EXPECT_EQ(error_of(answer_control(request(opcode::read_clock, "", 1), three_associations(), 0)),
              static_cast<int>(ControlError::unknown_association));
}

TEST(NtpControlAnswer, SystemVariablesFromTheDetails) {
    std::string text =
        data_of(answer_control(request(opcode::read_variables), three_associations(), 0));
    for (const char* expected :
         {"peer=1,", "tc=6,", "offset=0.012000,", "frequency=-12.345000,", "sys_jitter=0.003000,",
          "clk_jitter=0.004500,", "clk_wander=0.010000\r\n", "refid=LOCL,", "stratum=10,"})
        EXPECT_TRUE(has(text, expected)) << expected << " in " << text;
}

// Every fragment but the last carries 468 bytes and the More bit, offsets follow each other,
// each is padded to 4 bytes and repeats the status and association.
void expect_well_fragmented(const std::vector<Bytes>& frags, std::size_t total,
                            std::uint16_t status, std::uint16_t association) {
    std::size_t at = 0;
    for (std::size_t i = 0; i < frags.size(); ++i) {
        const Bytes& f = frags[i];
        bool last = i + 1 == frags.size();
        std::size_t count = f[10] << 8 | f[11];
        EXPECT_EQ(f.size() % 4, 0u);
        EXPECT_EQ(bool(f[1] & 0x20), !last) << "More bit of fragment " << i;
        EXPECT_EQ(std::size_t(f[8] << 8 | f[9]), at);
        if (!last) {
            EXPECT_EQ(count, control_max_fragment);
        }
        EXPECT_EQ(status_of(f), status);
        EXPECT_EQ(association_of(f), association);
        at += count;
    }
    EXPECT_EQ(at, total);
}

TEST(NtpControlAnswer, LongAnswersAreFragmented) {
    ClientView view = three_associations();
    PeerStatus base = view.peers[1];
    view.peers.clear();
    for (std::uint16_t id = 1; id <= 300; ++id) {
        PeerStatus p = base;
        p.association_id = id;
        view.peers.push_back(p);
    }
    auto stat = answer_control(request(opcode::read_status), view, 0);
    ASSERT_EQ(stat.size(), 3u); // 1,200 bytes: 468 + 468 + 264
    expect_well_fragmented(stat, 1200, system_status_word(view.state), 0);
    std::string pairs = data_of(stat);
    ASSERT_EQ(pairs.size(), 1200u);
    for (std::size_t i = 0; i < 300; ++i) {
        auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(pairs[4 * i + k]); };
        EXPECT_EQ(byte(0) << 8 | byte(1), static_cast<int>(i + 1));
        EXPECT_EQ(byte(2) << 8 | byte(3), 0xf424);
    }

    // A peer with a long name: its variables no longer fit one fragment.
    view.peers[41].name = std::string(400, 'n') + ".example";
    auto vars = answer_control(request(opcode::read_variables, "", 42), view, 0);
    std::string text = data_of(vars);
    ASSERT_GE(vars.size(), 2u);
    expect_well_fragmented(vars, text.size(), 0xf424, 42);
    EXPECT_TRUE(has(text, "srchost=\"" + std::string(400, 'n') + ".example\", dstadr="));
    EXPECT_TRUE(text.ends_with("jitter=0.125000\r\n")) << text;
}

} // namespace
} // namespace superd::ntp
