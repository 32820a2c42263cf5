#pragma once
// The fixture every config parser's tests share: the config text written to a private
// temporary folder, parsed by the module's load_config(path, diags), and the diagnostics as
// printed with that folder left out of the paths.
#include "common/diagnostics.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace superd::common::test {

using Messages = std::vector<std::string>;

template <class Config> class ConfigFileTest : public ::testing::Test {
  protected:
    using Loader = Config (*)(const std::string& path, Diagnostics& diags);

    ConfigFileTest(Loader loader, std::string file_name)
        : loader_(loader)
        , file_name_(std::move(file_name)) {}

    void SetUp() override {
        std::string templ = ::testing::TempDir() + "config-XXXXXX";
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
    Config load(const std::string& text) { return load(text, file_name_); }
    Config load(const std::string& text, const std::string& name) {
        diags_ = {};
        return loader_(write(name, text), diags_);
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
    // The config loads without any diagnostic at all.
    Config clean(const std::string& text) {
        Config config = load(text);
        EXPECT_EQ(messages(), Messages{});
        return config;
    }
    // The messages of a config with mistakes.
    Messages errors(const std::string& text) {
        load(text);
        return messages();
    }

    Loader loader_;
    std::string file_name_;
    std::string dir_;
    Diagnostics diags_;
};

} // namespace superd::common::test
