#pragma once
// The fixture of the vnc.ini tests: the shared config-file fixture with superd-vncd's loader,
// plus a password file beside the config when a test needs one.
#include "tests/unit/common/config_file_test.hpp"
#include "vnc/config/config.hpp"
#include "vnc/config/password_file.hpp"

namespace superd::vnc::test {

using common::test::Messages;

class VncConfigTest : public common::test::ConfigFileTest<VncConfig> {
  protected:
    VncConfigTest()
        : ConfigFileTest(load_config, "vnc.ini") {}

    // A vncpasswd file at `name` in the test's folder; its full path.
    std::string password_file(const std::string& name, std::string_view password = "secret") {
        std::string path = dir_ + "/" + name;
        EXPECT_TRUE(write_password_file(path, password).has_value());
        return path;
    }
};

} // namespace superd::vnc::test
