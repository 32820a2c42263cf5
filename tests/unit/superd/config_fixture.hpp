#pragma once
// Writes config files into a fresh temporary folder and loads them.
#include "superd/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace superd::daemon::test {

class ConfigTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/superd-unit-XXXXXX";
        dir_ = mkdtemp(tmpl);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string write(const std::string& name, const std::string& text) {
        auto path = dir_ / name;
        std::filesystem::create_directories(path.parent_path());
        std::ofstream(path) << text;
        return path.string();
    }
    Config load(const std::string& text) {
        path_ = write("superd.conf", text);
        diags_ = Diagnostics();
        return load_config(path_, diags_);
    }
    // Every diagnostic as "file:line: message" with the folder name taken out.
    std::string messages() const {
        std::string out;
        for (const auto& d : diags_.all()) {
            std::string s = d.str();
            auto pos = s.find(dir_.string() + "/");
            if (pos != std::string::npos) s.erase(pos, dir_.string().size() + 1);
            out += s + "\n";
        }
        return out;
    }
    const ServiceConfig* find(const Config& c, const std::string& id) const {
        for (const auto& s : c.services)
            if (s.id == id) return &s;
        return nullptr;
    }

    std::filesystem::path dir_;
    std::string path_;
    Diagnostics diags_;
};

} // namespace superd::daemon::test
