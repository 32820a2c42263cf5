// vnc.ini: every mistake, reported as "file:line: message", all of them in one run.
#include "vnc_config_test.hpp"

#include <filesystem>

#include <sys/stat.h>

namespace superd::vnc::test {
namespace {

class VncConfigErrors : public VncConfigTest {};

TEST_F(VncConfigErrors, UnknownSectionsAndKeysAreNamed) {
    EXPECT_EQ(
        errors("[console a]\n"
               "command = a\n"
               "colour = green\n"
               "[server]\n"
               "port = 1\n"
               "[defaults]\n"
               "depth = 24\n"),
        (Messages{"vnc.ini:4: unknown section [server]: expected [console NAME] or [defaults]",
                  "vnc.ini:7: unknown key 'depth' in [defaults]",
                  "vnc.ini:3: unknown key 'colour' in [console a]"}));
}

TEST_F(VncConfigErrors, ConsoleNames) {
    EXPECT_EQ(errors("[console]\n"
                     "[console a b]\n"
                     "[console a/b]\n"
                     "[console ok]\ncommand = x\n"
                     "[console ok]\ncommand = y\n"),
              (Messages{"vnc.ini:1: invalid section [console]: expected [console NAME], NAME of "
                        "letters, digits, '_', '.' and '-' (at most 64)",
                        "vnc.ini:2: invalid section [console a b]: expected [console NAME], NAME "
                        "of letters, digits, '_', '.' and '-' (at most 64)",
                        "vnc.ini:3: invalid section [console a/b]: expected [console NAME], NAME "
                        "of letters, digits, '_', '.' and '-' (at most 64)",
                        "vnc.ini:6: duplicate console 'ok' (first at line 4)"}));
}

TEST_F(VncConfigErrors, DuplicateKeysAndSections) {
    EXPECT_EQ(errors("[defaults]\nrestart = never\n"
                     "[console a]\ncommand = a\ncommand = b\n"
                     "[defaults]\nrestart = always\n"),
              (Messages{"vnc.ini:6: duplicate section [defaults] (first at line 1)",
                        "vnc.ini:5: duplicate key 'command' (first at line 4)"}));
}

TEST_F(VncConfigErrors, MissingCommandAndNoConsoles) {
    EXPECT_EQ(errors("[console a]\ntitle = A\n"),
              Messages{"vnc.ini:1: console 'a' has no 'command'"});
    EXPECT_EQ(errors("; nothing\n"),
              Messages{"vnc.ini: no [console NAME] section: nothing to serve"});
    EXPECT_EQ(errors("[defaults]\nrestart = never\n"),
              Messages{"vnc.ini: no [console NAME] section: nothing to serve"});
}

TEST_F(VncConfigErrors, ConsoleOnlyKeysInDefaults) {
    EXPECT_EQ(errors("[defaults]\n"
                     "command = a\n"
                     "port = 5900\n"
                     "display = 1\n"
                     "title = x\n"
                     "listen = 127.0.0.1:5900\n"
                     "log = all.log\n"
                     "[console a]\ncommand = a\n"),
              (Messages{"vnc.ini:2: 'command' cannot be in [defaults]: it is one console's own",
                        "vnc.ini:3: 'port' cannot be in [defaults]: it is one console's own",
                        "vnc.ini:4: 'display' cannot be in [defaults]: it is one console's own",
                        "vnc.ini:5: 'title' cannot be in [defaults]: it is one console's own",
                        "vnc.ini:6: 'listen' in [defaults] takes an address only: a port is one "
                        "console's own",
                        "vnc.ini:7: 'log' cannot be in [defaults]: it is one console's own"}));
}

TEST_F(VncConfigErrors, PortDisplayListenConflicts) {
    EXPECT_EQ(errors("[console a]\ncommand = a\nport = 5901\ndisplay = 1\n"
                     "[console b]\ncommand = b\ndisplay = 3\nlisten = 127.0.0.1:6000\n"),
              (Messages{"vnc.ini:4: 'display' and 'port' both set the port (port at line 3); "
                        "keep one",
                        "vnc.ini:8: 'listen' and 'display' both set the port (display at line 7); "
                        "keep one"}));
}

TEST_F(VncConfigErrors, PortsAreUnique) {
    EXPECT_EQ(errors("[console a]\ncommand = a\nport = 5901\n"
                     "[console b]\ncommand = b\ndisplay = 1\n"
                     "[console c]\ncommand = c\nlisten = 127.0.0.1:5901\n"),
              (Messages{"vnc.ini:6: port 5901 of console 'b' is already console 'a''s (line 1)",
                        "vnc.ini:9: port 5901 of console 'c' is already console 'a''s (line 1)"}));
}

TEST_F(VncConfigErrors, BadValues) {
    EXPECT_EQ(
        errors("[console a]\n"
               "command = sh -c 'unclosed\n"
               "geometry = 80\n"
               "font = /usr/share/fonts/x.ttf\n"
               "port = 0\n"
               "listen = localhost\n"
               "shared = maybe\n"
               "tls_only = sometimes\n"
               "restart = on-error\n"
               "restart_delay = -1\n"
               "max_viewers = 0\n"
               "clipboard_max = 1G\n"
               "password_file =\n"
               "[console b]\n"
               "command = b\n"
               "geometry = 9x5\n"
               "display = 59636\n"
               "listen = 127.0.0.1:70000\n"
               "restart_delay = 3601\n"
               "max_viewers = many\n"
               "clipboard_max = 65M\n"
               "title = " +
               std::string(180, 't') + "\n"),
        (Messages{
            "vnc.ini:2: unclosed ' in the command",
            "vnc.ini:3: invalid geometry '80': expected COLUMNSxROWS, e.g. 80x25",
            "vnc.ini:4: font '/usr/share/fonts/x.ttf' is not a PC Screen Font file (.psf or "
            ".psf.gz) nor 'builtin'",
            "vnc.ini:5: port 0 is out of range (1..65535)",
            "vnc.ini:6: invalid listen address 'localhost': expected ADDR or ADDR:PORT with a "
            "numeric address",
            "vnc.ini:7: 'shared' is yes, no or exclusive, not 'maybe'",
            "vnc.ini:8: 'tls_only' is yes or no, not 'sometimes'",
            "vnc.ini:9: 'restart' is never, always or on-failure, not 'on-error'",
            "vnc.ini:10: invalid number '-1' for 'restart_delay'",
            "vnc.ini:11: max_viewers 0 is out of range (1..1000)",
            "vnc.ini:12: invalid size '1G' for 'clipboard_max': expected bytes, or a number with "
            "K or M",
            "vnc.ini:13: 'password_file' needs a value",
            "vnc.ini:16: geometry 9x5 is out of range (10x5..400x200)",
            "vnc.ini:17: display 59636 is out of range (0..59635)",
            "vnc.ini:18: listen port 70000 is out of range (1..65535)",
            "vnc.ini:19: restart_delay 3601 is out of range (0..3600)",
            "vnc.ini:20: invalid number 'many' for 'max_viewers'",
            "vnc.ini:21: clipboard_max 65M is more than 67108864 bytes",
        }));
}

TEST_F(VncConfigErrors, TlsAndPasswordPairs) {
    EXPECT_EQ(errors("[console a]\ncommand = a\ntls_cert = cert.pem\n"
                     "[console b]\ncommand = b\ntls_key = key.pem\ntls_only = yes\n"
                     "[console c]\ncommand = c\nviewonly_password_file = view.passwd\n"),
              (Messages{"vnc.ini:3: console 'a': tls_cert without tls_key (both or neither)",
                        "vnc.ini:6: console 'b': tls_key without tls_cert (both or neither)",
                        "vnc.ini:10: console 'c': viewonly_password_file needs a password_file "
                        "(full access) too"}));
    EXPECT_EQ(errors("[console a]\ncommand = a\ntls_only = yes\n"),
              Messages{"vnc.ini:3: console 'a': tls_only needs tls_cert and tls_key"});
}

TEST_F(VncConfigErrors, TheFilesNamedMustBeUsable) {
    write("short.passwd", "abc");
    write("view.passwd", "12345678");
    write("cert.pem", "");
    EXPECT_EQ(errors("[defaults]\n"
                     "password_file = missing.passwd\n"
                     "[console a]\n"
                     "command = a\n"
                     "[console c]\n"
                     "command = c\n"
                     "[console b]\n"
                     "command = b\n"
                     "password_file = short.passwd\n"
                     "viewonly_password_file = view.passwd\n"
                     "tls_cert = cert.pem\n"
                     "tls_key = key.pem\n"
                     "font = fonts/none.psf\n"),
              (Messages{"vnc.ini:2: password_file missing.passwd: No such file or directory",
                        "vnc.ini:9: password_file short.passwd: a vncpasswd file has 8 bytes (16 "
                        "with a view-only password), not 3",
                        "vnc.ini:12: tls_key key.pem: No such file or directory",
                        "vnc.ini:13: font fonts/none.psf: No such file or directory"}));
}

TEST_F(VncConfigErrors, ConsoleLogs) {
    write("plain", "");
    std::filesystem::create_directories(dir_ + "/logs.d");
    EXPECT_EQ(errors("[console a]\ncommand = a\nlog = missing/a.log\n"
                     "[console b]\ncommand = b\nlog = plain/b.log\n"
                     "[console c]\ncommand = c\nlog = logs.d\n"),
              (Messages{"vnc.ini:3: log missing/a.log: folder missing: No such file or directory",
                        "vnc.ini:6: log plain/b.log: plain is not a directory",
                        "vnc.ini:9: log logs.d: is a directory"}));
    EXPECT_EQ(errors("[console a]\ncommand = a\nlog = same.log\n"
                     "[console b]\ncommand = b\nlog = same.log\n"),
              Messages{"vnc.ini:6: log same.log of console 'b' is already console 'a''s (line 1)"});
    EXPECT_EQ(errors("[console a]\ncommand = a\nlog =\n"),
              Messages{"vnc.ini:3: 'log' needs a value"});
}

TEST_F(VncConfigErrors, SyntaxAndMeaningErrorsTogether) {
    EXPECT_EQ(errors("[console a]\n"
                     "command virsh console a\n"
                     "geometry = big\n"
                     "[console a]\n"
                     "bogus = 1\n"),
              (Messages{"vnc.ini:2: expected 'key = value' or '[section]'",
                        "vnc.ini:4: duplicate console 'a' (first at line 1)",
                        "vnc.ini:3: invalid geometry 'big': expected COLUMNSxROWS, e.g. 80x25",
                        "vnc.ini:1: console 'a' has no 'command'"}));
}

TEST_F(VncConfigErrors, UnreadableFile) {
    common::Diagnostics diags;
    load_config(dir_ + "/absent.ini", diags);
    ASSERT_EQ(diags.all().size(), 1u);
    EXPECT_EQ(diags.all()[0].str(), dir_ + "/absent.ini: No such file or directory");
    common::Diagnostics dir_diags;
    load_config(dir_, dir_diags);
    ASSERT_EQ(dir_diags.all().size(), 1u);
    EXPECT_EQ(dir_diags.all()[0].str(), dir_ + ": is a directory");
}

} // namespace
} // namespace superd::vnc::test
