// vnc.ini: every key, the defaults, [defaults], relative paths, and lookups.
#include "vnc_config_test.hpp"

#include <filesystem>

namespace superd::vnc::test {
namespace {

using namespace std::chrono_literals;
using Words = std::vector<std::string>;

class VncConfigValid : public VncConfigTest {};

TEST_F(VncConfigValid, BuiltInDefaults) {
    VncConfig config = clean("[console guest1]\n"
                             "command = virsh console guest1\n");
    ASSERT_EQ(config.consoles.size(), 1u);
    const ConsoleConfig& c = config.consoles[0];
    EXPECT_EQ(c.name, "guest1");
    EXPECT_EQ(c.command, (Words{"virsh", "console", "guest1"}));
    EXPECT_EQ(c.columns, 80);
    EXPECT_EQ(c.rows, 25);
    EXPECT_FALSE(c.font.has_value());
    EXPECT_EQ(c.listen_address.str(), "127.0.0.1");
    EXPECT_FALSE(c.port.has_value());
    EXPECT_EQ(c.shared, SharePolicy::shared);
    EXPECT_FALSE(c.password_file.has_value());
    EXPECT_FALSE(c.viewonly_password_file.has_value());
    EXPECT_FALSE(c.tls_cert.has_value());
    EXPECT_FALSE(c.tls_key.has_value());
    EXPECT_FALSE(c.tls_only);
    EXPECT_EQ(c.restart, RestartPolicy::always);
    EXPECT_EQ(c.restart_delay, 1s);
    EXPECT_EQ(c.title, "guest1");
    EXPECT_EQ(c.max_viewers, 16);
    EXPECT_EQ(c.clipboard_max, 256u * 1024);
    EXPECT_FALSE(c.log.has_value());
    EXPECT_EQ(c.where.line, 1);
    EXPECT_EQ(c.where_of("geometry").line, 1); // a default: the section's line
    EXPECT_EQ(c.where_of("command").line, 2);
    EXPECT_FALSE(c.is_set("geometry"));
}

TEST_F(VncConfigValid, EveryKey) {
    std::string passwd = password_file("guest.passwd");
    password_file("guest.view");
    write("fonts/ter-v16n.psf.gz", "");
    write("tls/cert.pem", "");
    write("tls/key.pem", "");
    VncConfig config = clean("[console guest1]\n"
                             "command = socat - UNIX-CONNECT:/run/vm/guest1.sock\n"
                             "geometry = 132x43\n"
                             "font = fonts/ter-v16n.psf.gz\n"
                             "listen = 127.0.0.2:5999\n"
                             "shared = no\n"
                             "password_file = guest.passwd\n"
                             "viewonly_password_file = guest.view\n"
                             "tls_cert = tls/cert.pem\n"
                             "tls_key = tls/key.pem\n"
                             "tls_only = yes\n"
                             "restart = on-failure\n"
                             "restart_delay = 5\n"
                             "title = Guest 1 serial console\n"
                             "max_viewers = 4\n"
                             "clipboard_max = 1M\n");
    ASSERT_EQ(config.consoles.size(), 1u);
    const ConsoleConfig& c = config.consoles[0];
    EXPECT_EQ(c.command, (Words{"socat", "-", "UNIX-CONNECT:/run/vm/guest1.sock"}));
    EXPECT_EQ(c.columns, 132);
    EXPECT_EQ(c.rows, 43);
    EXPECT_EQ(c.font, dir_ + "/fonts/ter-v16n.psf.gz");
    EXPECT_EQ(c.listen_address.str(), "127.0.0.2");
    EXPECT_EQ(c.port, 5999);
    EXPECT_EQ(c.shared, SharePolicy::takeover);
    EXPECT_EQ(c.password_file, passwd);
    EXPECT_EQ(c.viewonly_password_file, dir_ + "/guest.view");
    EXPECT_EQ(c.tls_cert, dir_ + "/tls/cert.pem");
    EXPECT_EQ(c.tls_key, dir_ + "/tls/key.pem");
    EXPECT_TRUE(c.tls_only);
    EXPECT_EQ(c.restart, RestartPolicy::on_failure);
    EXPECT_EQ(c.restart_delay, 5s);
    EXPECT_EQ(c.title, "Guest 1 serial console");
    EXPECT_EQ(c.max_viewers, 4);
    EXPECT_EQ(c.clipboard_max, 1024u * 1024);
    EXPECT_EQ(c.where_of("tls_only").line, 11);
}

TEST_F(VncConfigValid, PortDisplayAndListen) {
    VncConfig config = clean("[console a]\ncommand = a\nport = 5901\n"
                             "[console b]\ncommand = b\ndisplay = 2\n"
                             "[console c]\ncommand = c\nlisten = [::1]:6000\n"
                             "[console d]\ncommand = d\nlisten = ::1\ndisplay = 0\n"
                             "[console e]\ncommand = e\n");
    ASSERT_EQ(config.consoles.size(), 5u);
    EXPECT_EQ(config.consoles[0].port, 5901);
    EXPECT_EQ(config.consoles[1].port, 5902);
    EXPECT_EQ(config.consoles[2].port, 6000);
    EXPECT_EQ(config.consoles[2].listen_address.str(), "::1");
    EXPECT_EQ(config.consoles[3].port, 5900);
    EXPECT_EQ(config.consoles[3].listen_address.str(), "::1");
    EXPECT_FALSE(config.consoles[4].port.has_value());
    EXPECT_EQ(config.find_by_port(5902), &config.consoles[1]);
    EXPECT_EQ(config.find_by_port(5903), nullptr);
}

TEST_F(VncConfigValid, SharedAndRestartWords) {
    VncConfig config = clean("[console a]\ncommand = a\nshared = yes\nrestart = never\n"
                             "[console b]\ncommand = b\nshared = exclusive\nrestart = always\n"
                             "restart_delay = 0\n");
    EXPECT_EQ(config.consoles[0].shared, SharePolicy::shared);
    EXPECT_EQ(config.consoles[0].restart, RestartPolicy::never);
    EXPECT_EQ(config.consoles[1].shared, SharePolicy::exclusive);
    EXPECT_EQ(config.consoles[1].restart, RestartPolicy::always);
    EXPECT_EQ(config.consoles[1].restart_delay, 0s);
    EXPECT_EQ(to_string(SharePolicy::takeover), "no");
    EXPECT_EQ(to_string(RestartPolicy::on_failure), "on-failure");
}

TEST_F(VncConfigValid, DefaultsApplyToEveryConsoleWhereverTheyAre) {
    password_file("lab.passwd");
    VncConfig config = clean("[console a]\n"
                             "command = a\n"
                             "geometry = 100x30\n"
                             "[defaults]\n"
                             "geometry = 120x40\n"
                             "password_file = lab.passwd\n"
                             "restart = never\n"
                             "listen = 127.0.0.3\n"
                             "clipboard_max = 0\n"
                             "[console b]\n"
                             "command = b\n");
    ASSERT_EQ(config.consoles.size(), 2u);
    const ConsoleConfig& a = config.consoles[0];
    const ConsoleConfig& b = config.consoles[1];
    EXPECT_EQ(a.columns, 100); // its own value wins
    EXPECT_EQ(a.where_of("geometry").line, 3);
    EXPECT_EQ(b.columns, 120);
    EXPECT_EQ(b.where_of("geometry").line, 5);
    for (const ConsoleConfig* c : {&a, &b}) {
        EXPECT_EQ(c->password_file, dir_ + "/lab.passwd");
        EXPECT_EQ(c->where_of("password_file").line, 6);
        EXPECT_EQ(c->restart, RestartPolicy::never);
        EXPECT_EQ(c->listen_address.str(), "127.0.0.3");
        EXPECT_EQ(c->clipboard_max, 0u);
    }
}

TEST_F(VncConfigValid, CommandQuotingAndRelativeProgram) {
    VncConfig config = clean("[console a]\n"
                             "command = sh -c 'exec socat - \"UNIX-CONNECT:/run/a b.sock\"'\n"
                             "[console b]\n"
                             "command = ./bin/serial \"--title=guest b\"\n"
                             "[console c]\n"
                             "command = /bin/login -f root\n");
    EXPECT_EQ(config.consoles[0].command,
              (Words{"sh", "-c", "exec socat - \"UNIX-CONNECT:/run/a b.sock\""}));
    EXPECT_EQ(config.consoles[1].command, (Words{dir_ + "/./bin/serial", "--title=guest b"}));
    EXPECT_EQ(config.consoles[2].command, (Words{"/bin/login", "-f", "root"}));
}

TEST_F(VncConfigValid, AbsolutePathsStayAndBuiltinFont) {
    VncConfig config = clean("[console a]\n"
                             "command = a\n"
                             "font = builtin\n"
                             "[console b]\n"
                             "command = b\n"
                             "font = /usr/share/consolefonts/Lat15-Fixed16.psf.gz\n");
    EXPECT_FALSE(config.consoles[0].font.has_value());
    EXPECT_EQ(config.consoles[1].font, "/usr/share/consolefonts/Lat15-Fixed16.psf.gz");
}

TEST_F(VncConfigValid, ConsoleLogPaths) {
    write("logs/keep", "");
    VncConfig config = clean("[console a]\n"
                             "command = a\n"
                             "log = logs/a.log\n"
                             "[console b]\n"
                             "command = b\n"
                             "log = " +
                             dir_ +
                             "/b.log\n"
                             "[console c]\n"
                             "command = c\n");
    EXPECT_EQ(config.consoles[0].log, dir_ + "/logs/a.log"); // relative to the file's folder
    EXPECT_EQ(config.consoles[0].where_of("log").line, 3);
    EXPECT_EQ(config.consoles[1].log, dir_ + "/b.log");
    EXPECT_FALSE(config.consoles[2].log.has_value());
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/logs/a.log")); // made when the console starts
}

TEST_F(VncConfigValid, SizesAndLimits) {
    VncConfig config = clean("[console a]\ncommand = a\ngeometry = 10x5\nclipboard_max = 64K\n"
                             "max_viewers = 1\n"
                             "[console b]\ncommand = b\ngeometry = 400X200\n"
                             "clipboard_max = 65536\nmax_viewers = 1000\n");
    EXPECT_EQ(config.consoles[0].columns, 10);
    EXPECT_EQ(config.consoles[0].rows, 5);
    EXPECT_EQ(config.consoles[0].clipboard_max, 65536u);
    EXPECT_EQ(config.consoles[1].columns, 400);
    EXPECT_EQ(config.consoles[1].rows, 200);
    EXPECT_EQ(config.consoles[1].max_viewers, 1000);
}

TEST_F(VncConfigValid, Find) {
    VncConfig config = clean("[console a]\ncommand = a\n[console b.2_x-y]\ncommand = b\n");
    ASSERT_NE(config.find("b.2_x-y"), nullptr);
    EXPECT_EQ(config.find("b.2_x-y")->command, Words{"b"});
    EXPECT_EQ(config.find("a"), &config.consoles[0]);
    EXPECT_EQ(config.find("c"), nullptr);
}

TEST_F(VncConfigValid, ConsolePasswords) {
    std::string full = dir_ + "/both.passwd";
    ASSERT_TRUE(write_password_file(full, "secret", std::string("looker")).has_value());
    password_file("other.view", "watcher");
    VncConfig config = clean("[console a]\ncommand = a\npassword_file = both.passwd\n"
                             "[console b]\ncommand = b\npassword_file = both.passwd\n"
                             "viewonly_password_file = other.view\n"
                             "[console c]\ncommand = c\n");
    auto a = read_console_passwords(config.consoles[0]);
    ASSERT_TRUE(a.has_value());
    ASSERT_TRUE(a->has_value());
    EXPECT_EQ((*a)->full, "secret");
    EXPECT_EQ((*a)->viewonly, "looker");
    auto b = read_console_passwords(config.consoles[1]);
    ASSERT_TRUE(b.has_value() && b->has_value());
    EXPECT_EQ((*b)->viewonly, "watcher"); // the separate file wins
    auto c = read_console_passwords(config.consoles[2]);
    ASSERT_TRUE(c.has_value());
    EXPECT_FALSE(c->has_value());
}

TEST_F(VncConfigValid, WarnsOfAnOpenConsoleWithoutPassword) {
    load("[console a]\ncommand = a\nlisten = 0.0.0.0:5901\n");
    EXPECT_EQ(messages(), Messages{"vnc.ini:1: warning: console 'a' listens on 0.0.0.0 without "
                                   "a password_file: whoever reaches port 5901 gets the console"});
    EXPECT_FALSE(diags_.has_errors());
}

TEST_F(VncConfigValid, TheShippedProfileLoads) {
    common::Diagnostics diags;
    VncConfig config = load_config(SUPERD_SOURCE_DIR "/etc/vnc.ini", diags);
    for (const auto& d : diags.all())
        ADD_FAILURE() << d.str();
    EXPECT_FALSE(config.consoles.empty());
}

} // namespace
} // namespace superd::vnc::test
