#pragma once
// The fixture of the ntp.conf parser tests (test_config.cpp, test_config_errors.cpp,
// test_policy.cpp): common::test::ConfigFileTest on ntp.conf.
#include "ntpd/config.hpp"
#include "tests/unit/common/config_file_test.hpp"

#include <string>

namespace superd::ntp::config_test {

using common::test::Messages;

inline common::IpAddress ip(std::string_view text) {
    return *common::IpAddress::parse(text);
}

class NtpConfig : public common::test::ConfigFileTest<Config> {
  protected:
    NtpConfig()
        : ConfigFileTest(load_config, "ntp.conf") {}
    // The messages of a config with mistakes (errors only, no warnings).
    Messages errors(const std::string& text) {
        Messages out = ConfigFileTest::errors(text);
        EXPECT_EQ(diags_.error_count(), diags_.all().size());
        return out;
    }
};

} // namespace superd::ntp::config_test
