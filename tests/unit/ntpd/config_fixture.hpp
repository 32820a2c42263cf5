#pragma once
// The fixture of the ntp.conf parser tests (test_config.cpp, test_config_errors.cpp): config
// text written to a private temporary folder, and the diagnostics as printed with that folder
// left out of the paths.
#include "ntpd/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace superd::ntp::config_test {

using Messages = std::vector<std::string>;

inline common::IpAddress ip(std::string_view text) {
    return *common::IpAddress::parse(text);
}

class NtpConfig : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string templ = ::testing::TempDir() + "ntpconf-XXXXXX";
        ASSERT_NE(::mkdtemp(templ.data()), nullptr);
        dir_ = templ;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string write(const std::string& name, const std::string& text) {
        std::string path = dir_ + "/" + name;
        std::filesystem::create_directories(std::filesystem::path(path).parent_path());
        std::ofstream(path) << text;
        return path;
    }
    Config load(const std::string& text, const std::string& name = "ntp.conf") {
        diags_ = {};
        return load_config(write(name, text), diags_);
    }
    // Every diagnostic as printed, with the temporary folder left out of the paths.
    Messages messages() const {
        Messages out;
        for (const auto& d : diags_.all()) {
            std::string s = d.str();
            for (std::size_t at; (at = s.find(dir_ + "/")) != std::string::npos;)
                s.erase(at, dir_.size() + 1);
            out.push_back(s);
        }
        return out;
    }
    Config clean(const std::string& text) {
        Config config = load(text);
        EXPECT_EQ(messages(), Messages{});
        return config;
    }
    // The messages of a config with mistakes (errors only, no warnings).
    Messages errors(const std::string& text) {
        load(text);
        EXPECT_EQ(diags_.error_count(), diags_.all().size());
        return messages();
    }

    std::string dir_;
    common::Diagnostics diags_;
};

} // namespace superd::ntp::config_test
