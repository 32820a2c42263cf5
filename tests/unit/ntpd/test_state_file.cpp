// The state file and the driftfile (ntpd/state_file.hpp): text round trips, refusal of anything
// cut or altered, the restored state's dispersion growing with its age, crash-safe replacement.
#include "ntpd/state_file.hpp"

#include "tests/unit/common/temp_dir.hpp"

#include <gtest/gtest.h>

namespace superd::ntp {
namespace {

using common::test::TempDir;
using common::test::write_file;
constexpr std::int64_t second = 1'000'000'000;

SavedState synced() {
    SavedState s;
    s.written_ns = 1'800'000'000 * second;
    s.state.leap = Leap::none;
    s.state.stratum = 9;
    s.state.reference_id = 0x7f000001;
    s.state.reference_time = to_ntp(s.written_ns - 5 * second);
    s.state.root_delay = to_short(2'000'000);       // 2 ms
    s.state.root_dispersion = to_short(10'000'000); // 10 ms
    s.system_peer = "127.0.0.1";
    return s;
}

TEST(NtpStateFile, RoundTripsEveryField) {
    SavedState s = synced();
    auto back = parse_state(format_state(s));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->written_ns, s.written_ns);
    EXPECT_EQ(back->state.leap, Leap::none);
    EXPECT_EQ(back->state.stratum, 9);
    EXPECT_EQ(back->state.reference_id, 0x7f000001u);
    EXPECT_EQ(back->state.reference_time, s.state.reference_time);
    EXPECT_EQ(back->state.root_delay, s.state.root_delay);
    EXPECT_EQ(back->state.root_dispersion, s.state.root_dispersion);
    EXPECT_EQ(back->system_peer, "127.0.0.1");
    s.system_peer.clear();
    EXPECT_EQ(parse_state(format_state(s))->system_peer, "");
}

TEST(NtpStateFile, ACutOrAlteredFileIsNotUsed) {
    std::string text = format_state(synced());
    for (std::size_t cut = 0; cut < text.size(); ++cut)
        EXPECT_FALSE(parse_state(text.substr(0, cut))) << "cut at " << cut;
    EXPECT_FALSE(parse_state(text + "stratum 0\n"));
    EXPECT_FALSE(parse_state(text + "colour blue\n"));
    std::string bad = text;
    bad.replace(bad.find("stratum 9"), 9, "stratum x");
    EXPECT_FALSE(parse_state(bad));
}

TEST(NtpStateFile, RestoredDispersionGrowsAtFifteenPpm) {
    SavedState s = synced();
    auto now = restore(s, s.written_ns, 1.5);
    ASSERT_TRUE(now);
    EXPECT_EQ(now->stratum, 9);
    EXPECT_EQ(now->root_dispersion, s.state.root_dispersion);
    // 1000 s later: 10 ms + 15 ms (within two steps of the 16.16 format, 15.3 us each).
    auto later = restore(s, s.written_ns + 1000 * second, 1.5);
    ASSERT_TRUE(later);
    EXPECT_NEAR(static_cast<double>(from_short(later->root_dispersion)), 25e6, 31e3);
    // Past maxdist: 1 ms + 10 ms + 15 ppm * age > 1.5 s after about 99,270 s.
    EXPECT_TRUE(restore(s, s.written_ns + 99'000 * second, 1.5));
    EXPECT_FALSE(restore(s, s.written_ns + 100'000 * second, 1.5));
    // From the future (the clock was set back): not used.
    EXPECT_FALSE(restore(s, s.written_ns - second, 1.5));
    // Unsynchronized when written: nothing to serve.
    s.state.leap = Leap::unsynchronized;
    EXPECT_FALSE(restore(s, s.written_ns, 1.5));
}

TEST(NtpStateFile, FilesAreReplacedWholeAndMissingIsNotAnError) {
    TempDir dir;
    std::string path = dir.path() + "/ntp.state";
    auto missing = read_state_file(path);
    ASSERT_TRUE(missing);
    EXPECT_FALSE(*missing);
    ASSERT_TRUE(write_state_file(path, synced()));
    auto read = read_state_file(path);
    ASSERT_TRUE(read && *read);
    EXPECT_EQ((*read)->state.stratum, 9);
    write_file(path, "stratum 3\n");
    EXPECT_FALSE(read_state_file(path));
}

TEST(NtpDriftFile, NtpdsFormatBothWays) {
    TempDir dir;
    std::string path = dir.path() + "/ntp.drift";
    EXPECT_FALSE(*read_drift_file(path));
    ASSERT_TRUE(write_drift_file(path, -12.3456));
    EXPECT_EQ(common::test::read_file(path), "-12.346\n");
    EXPECT_DOUBLE_EQ(**read_drift_file(path), -12.346);
    write_file(path, "7.5\n"); // as ntpd writes it
    EXPECT_DOUBLE_EQ(**read_drift_file(path), 7.5);
    write_file(path, "900\n");
    EXPECT_FALSE(read_drift_file(path));
    write_file(path, "fast\n");
    EXPECT_FALSE(read_drift_file(path));
}

TEST(NtpStateFile, DefaultPathFollowsTheDriftfile) {
    EXPECT_EQ(default_state_path("var/ntp.drift"), "var/ntp.state");
    EXPECT_EQ(default_state_path("/var/lib/ntpsec/ntp.drift"), "/var/lib/ntpsec/ntp.state");
    EXPECT_EQ(default_state_path("ntp.drift"), "ntp.state");
    EXPECT_EQ(default_state_path(""), "");
}

} // namespace
} // namespace superd::ntp
