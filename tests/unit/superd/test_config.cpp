// The xinetd.conf reader on every construct of ../shared/ref/xinetd.md sections 1-2.
#include "config_fixture.hpp"

using namespace superd::daemon;
using superd::daemon::test::ConfigTest;

namespace {
const char* echo_block = R"(service echo
{
	type		= INTERNAL UNLISTED
	socket_type	= stream
	wait		= no
	port		= 7007
}
)";
} // namespace

TEST_F(ConfigTest, MinimalInternalService) {
    auto c = load(echo_block);
    ASSERT_EQ(c.services.size(), 1u) << messages();
    const auto& s = c.services[0];
    EXPECT_EQ(s.id, "echo");
    EXPECT_EQ(s.socket_type, SocketType::stream);
    EXPECT_EQ(s.protocol_name, "tcp"); // derived from socket_type
    EXPECT_FALSE(s.wait);
    EXPECT_EQ(s.port, 7007);
    EXPECT_EQ(s.cps_rate, 50u); // xinetd's default cps = 50 10
    EXPECT_EQ(s.cps_disable_seconds, 10u);
    EXPECT_EQ(s.instances, unlimited);
    EXPECT_TRUE(s.uses_ipv6()); // dual-stack unless bind or IPv4
    EXPECT_EQ(messages(), "");
}

TEST_F(ConfigTest, CommentsBlankLinesAndTrailingBlanksAfterBraces) {
    auto c =
        load("# comment\n\n   # indented comment\nservice echo\n{  \n\ttype = INTERNAL UNLISTED\n"
             "  # inside\n\tsocket_type = stream\n\twait = no\n\tport = 7\n}      \n");
    ASSERT_EQ(c.services.size(), 1u) << messages();
}

TEST_F(ConfigTest, NoInlineComments) {
    // "port = 7 # web" gives port three values: the line is ignored, the entry lacks a port.
    auto c = load("service echo\n{\n\ttype = INTERNAL UNLISTED\n\tsocket_type = stream\n"
                  "\twait = no\n\tport = 7007 # web\n}\n");
    EXPECT_TRUE(c.services.empty());
    EXPECT_EQ(messages(),
              "superd.conf:6: warning: service echo: 'port' takes 1 value(s), not 3; line ignored\n"
              "superd.conf:1: service echo: missing attribute port; entry dropped\n");
}

TEST_F(ConfigTest, BlankBeforeOperatorIsRequiredAndDropsTheEntry) {
    auto c = load("service echo\n{\n\ttype = INTERNAL UNLISTED\n\tsocket_type = stream\n"
                  "\twait = no\n\tport=7007\n}\n");
    EXPECT_TRUE(c.services.empty());
    EXPECT_EQ(messages(),
              "superd.conf:6: service echo: 'port=7007' needs a blank before the operator\n"
              "superd.conf:1: service echo: entry dropped because of the errors above\n");
}

TEST_F(ConfigTest, MissingOperator) {
    auto c = load("service echo\n{\n\ttype INTERNAL\n}\n");
    EXPECT_TRUE(c.services.empty());
    EXPECT_NE(
        messages().find("superd.conf:3: service echo: missing operator (=, += or -=) after 'type'"),
        std::string::npos);
}

TEST_F(ConfigTest, UnknownAndCaseSensitiveAttributesAreIgnoredWithAWarning) {
    auto c = load("service echo\n{\n\ttype = INTERNAL UNLISTED\n\tsocket_type = stream\n"
                  "\twait = no\n\tport = 7007\n\tFLAGS = REUSE\n\tmdns = yes\n}\n");
    ASSERT_EQ(c.services.size(), 1u);
    EXPECT_EQ(messages(),
              "superd.conf:7: warning: service echo: bad service attribute 'FLAGS' ignored\n"
              "superd.conf:8: warning: service echo: bad service attribute 'mdns' ignored\n");
}

TEST_F(ConfigTest, FirstValueWinsForScalars) {
    auto c = load("service echo\n{\n\ttype = INTERNAL UNLISTED\n\tsocket_type = stream\n"
                  "\twait = no\n\tport = 7007\n\tport = 8008\n\ttype = INTERNAL\n}\n");
    ASSERT_EQ(c.services.size(), 1u);
    EXPECT_EQ(c.services[0].port, 7007);
    EXPECT_TRUE(c.services[0].type & type_unlisted); // the second type line was ignored
    EXPECT_EQ(
        messages(),
        "superd.conf:7: warning: service echo: attribute 'port' already set at line 6; ignored\n"
        "superd.conf:8: warning: service echo: attribute 'type' already set at line 3; ignored\n");
}

TEST_F(ConfigTest, PlusAndMinusOnlyOnSetAttributes) {
    auto c = load("service echo\n{\n\ttype = INTERNAL UNLISTED\n\tsocket_type = stream\n"
                  "\twait = no\n\tport = 7007\n\tinstances += 4\n}\n");
    ASSERT_EQ(c.services.size(), 1u);
    EXPECT_EQ(c.services[0].instances, unlimited);
    EXPECT_EQ(
        messages(),
        "superd.conf:7: warning: service echo: 'instances' does not take += or -=; line ignored\n");
}

TEST_F(ConfigTest, SetAttributesAssignAddRemove) {
    auto c = load("defaults\n{\n\tlog_on_success = PID\n\tlog_on_success = HOST\n"
                  "\tonly_from = 10.0.0.0 192.168.1.0\n}\n"
                  "service echo\n{\n\ttype = INTERNAL UNLISTED\n\tsocket_type = stream\n"
                  "\twait = no\n\tport = 7007\n\tlog_on_success += EXIT\n\tlog_on_success -= PID\n"
                  "\tonly_from -= 10.0.0.0\n\tonly_from += 127.0.0.1\n}\n"
                  "service discard\n{\n\ttype = INTERNAL UNLISTED\n\tsocket_type = stream\n"
                  "\twait = no\n\tport = 7009\n\tlog_on_success = DURATION\n}\n");
    ASSERT_EQ(c.services.size(), 2u) << messages();
    const auto* echo = find(c, "echo");
    // In defaults, = adds: PID and HOST both; the service then edits the inherited set.
    EXPECT_EQ(echo->lists.log_on_success, log_host | log_exit);
    ASSERT_EQ(echo->lists.only_from.size(), 2u);
    EXPECT_EQ(echo->lists.only_from[0].text, "192.168.1.0");
    EXPECT_EQ(echo->lists.only_from[1].text, "127.0.0.1");
    EXPECT_EQ(find(c, "discard")->lists.log_on_success, log_duration); // = replaces
}

TEST_F(ConfigTest, DefaultsAfterAServiceDoNotFeedItsLists) {
    auto c = load(std::string(echo_block) +
                  "defaults\n{\n\tonly_from = 127.0.0.1\n\tinstances = 7\n}\n");
    ASSERT_EQ(c.services.size(), 1u);
    EXPECT_TRUE(c.services[0].lists.only_from.empty()); // copied at parse time: nothing yet
    EXPECT_EQ(c.services[0].instances, 7);              // filled after all files are read
}

TEST_F(ConfigTest, OnlyOneDefaultsPerFile) {
    auto c = load("defaults\n{\n}\ndefaults\n{\n}\n");
    EXPECT_TRUE(c.fatal);
    EXPECT_EQ(messages(), "superd.conf:4: only 1 defaults entry is allowed in a file\n");
}

TEST_F(ConfigTest, BadValueInDefaultsIsFatal) {
    auto c = load("defaults\n{\n\tinstances = many\n}\n");
    EXPECT_TRUE(c.fatal);
    EXPECT_EQ(messages(), "superd.conf:3: bad instances 'many' (a number or UNLIMITED)\n");
}

TEST_F(ConfigTest, ServiceOnlyAttributeInDefaultsIsIgnored) {
    auto c = load("defaults\n{\n\tport = 7\n}\n");
    EXPECT_FALSE(c.fatal);
    EXPECT_EQ(messages(), "superd.conf:3: warning: defaults: 'port' should not be in the defaults "
                          "section; ignored\n");
}

TEST_F(ConfigTest, DisableYesStopsTheEntryWithoutChecks) {
    auto c = load("service nosuch\n{\n\tdisable = yes\n\tsocket_type = bogus\n}\n");
    EXPECT_TRUE(c.services.empty());
    ASSERT_EQ(c.disabled_ids.size(), 1u);
    EXPECT_EQ(messages(), "");
}

TEST_F(ConfigTest, EnabledAndDisabledListsInDefaults) {
    auto c = load("defaults\n{\n\tdisabled = discard\n}\n" + std::string(echo_block) +
                  "service discard\n{\n\ttype = INTERNAL UNLISTED\n\tsocket_type = stream\n"
                  "\twait = no\n\tport = 7009\n}\n");
    ASSERT_EQ(c.services.size(), 1u);
    EXPECT_EQ(c.services[0].id, "echo");
    c = load("defaults\n{\n\tenabled = discard\n}\n" + std::string(echo_block) +
             "service discard\n{\n\ttype = INTERNAL UNLISTED\n\tsocket_type = stream\n"
             "\twait = no\n\tport = 7009\n}\n");
    ASSERT_EQ(c.services.size(), 1u);
    EXPECT_EQ(c.services[0].id, "discard");
}

TEST_F(ConfigTest, MissingServiceKeywordSkipsToTheNextBrace) {
    auto c = load("servce echo\n{\n\tport = 7\n}\n" + std::string(echo_block));
    ASSERT_EQ(c.services.size(), 1u);
    EXPECT_EQ(messages(),
              "superd.conf:1: missing service keyword before 'servce'; skipped to the next '}'\n");
}

TEST_F(ConfigTest, BraceMustStandAlone) {
    auto c = load("service echo {\n\tport = 7\n}\n");
    EXPECT_TRUE(c.services.empty());
    EXPECT_EQ(messages(), "superd.conf:1: service: '{' expected alone on the next line\n");
}

TEST_F(ConfigTest, UnclosedBlock) {
    auto c = load("service echo\n{\n\ttype = INTERNAL UNLISTED\n");
    EXPECT_TRUE(c.services.empty());
    EXPECT_EQ(
        messages(),
        "superd.conf:1: service echo: missing '}' before the end of the file; entry dropped\n");
}

TEST_F(ConfigTest, RequiredAttributes) {
    auto c =
        load("service a\n{\n\ttype = UNLISTED\n\tsocket_type = stream\n\tport = 1\n}\n"
             "service b\n{\n\ttype = UNLISTED\n\tsocket_type = stream\n\tport = 2\n\twait = no\n}\n"
             "service c\n{\n\ttype = UNLISTED\n\tsocket_type = stream\n\tport = 3\n\twait = no\n"
             "\tserver = /bin/true\n}\n"
             "service d\n{\n\ttype = UNLISTED\n\tsocket_type = stream\n\twait = no\n"
             "\tserver = /bin/true\n\tuser = root\n}\n");
    EXPECT_TRUE(c.services.empty());
    EXPECT_EQ(messages(), "superd.conf:1: service a: missing attribute wait; entry dropped\n"
                          "superd.conf:7: service b: missing attribute server; entry dropped\n"
                          "superd.conf:14: service c: missing attribute user; entry dropped\n"
                          "superd.conf:22: service d: missing attribute port; entry dropped\n");
}

TEST_F(ConfigTest, ListedServiceTakesItsPortFromEtcServices) {
    auto c =
        load("service echo\n{\n\ttype = INTERNAL\n\tsocket_type = stream\n\twait = no\n}\n"
             "service daytime\n{\n\ttype = INTERNAL\n\tsocket_type = stream\n\twait = no\n"
             "\tport = 14\n}\n"
             "service nosuchname\n{\n\ttype = INTERNAL\n\tsocket_type = stream\n\twait = no\n}\n");
    ASSERT_EQ(c.services.size(), 1u);
    EXPECT_EQ(c.services[0].port, 7);
    EXPECT_EQ(
        messages(),
        "superd.conf:7: service daytime: port 14 differs from /etc/services (13); entry dropped\n"
        "superd.conf:14: service nosuchname: no such internal service: nosuchname/stream; entry "
        "dropped\n");
}

TEST_F(ConfigTest, DgramWaitNoIsRefused) {
    auto c = load("service echo\n{\n\ttype = INTERNAL UNLISTED\n\tsocket_type = dgram\n"
                  "\twait = no\n\tport = 7007\n}\n");
    EXPECT_TRUE(c.services.empty());
    EXPECT_NE(messages().find("superd.conf:1: service echo: socket_type dgram needs wait = yes"),
              std::string::npos);
}

TEST_F(ConfigTest, WholeEntryChecks) {
    auto c = load(
        std::string(echo_block) +
        // same port and protocol as echo
        "service discard\n{\n\ttype = INTERNAL UNLISTED\n\tsocket_type = stream\n"
        "\twait = no\n\tport = 7007\n}\n"
        // duplicate id
        "service chargen\n{\n\tid = echo\n\ttype = INTERNAL UNLISTED\n\tsocket_type = stream\n"
        "\twait = no\n\tport = 7019\n}\n"
        // NAMEINARGS without server_args
        "service x\n{\n\ttype = UNLISTED\n\tflags = NAMEINARGS\n\tsocket_type = stream\n"
        "\twait = no\n\tport = 7100\n\tuser = root\n\tserver = /bin/true\n}\n"
        // TRAFFIC without redirect
        "service y\n{\n\ttype = UNLISTED\n\tsocket_type = stream\n\twait = no\n\tport = 7101\n"
        "\tuser = root\n\tserver = /bin/true\n\tlog_on_success = TRAFFIC\n}\n"
        // redirect with wait = yes
        "service z\n{\n\ttype = UNLISTED\n\tsocket_type = stream\n\twait = yes\n\tport = 7102\n"
        "\tuser = root\n\tredirect = 127.0.0.1 7\n}\n");
    ASSERT_EQ(c.services.size(), 1u);
    EXPECT_EQ(
        messages(),
        "superd.conf:8: service discard: port 7007/tcp is already used by service echo "
        "(" +
            path_ +
            ":1); entry dropped\n"
            "superd.conf:15: service chargen: id 'echo' is used by an earlier service; entry "
            "dropped\n"
            "superd.conf:23: service x: NAMEINARGS needs server_args; entry dropped\n"
            "superd.conf:33: service y: log_on_success TRAFFIC needs redirect; entry dropped\n"
            "superd.conf:43: service z: redirect needs socket_type = stream and wait = no; entry "
            "dropped\n");
}

TEST_F(ConfigTest, SamePortOnDifferentBindAddressesIsAllowed) {
    auto c =
        load("service echo\n{\n\ttype = INTERNAL UNLISTED\n\tsocket_type = stream\n\twait = no\n"
             "\tport = 7007\n\tbind = 127.0.0.1\n}\n"
             "service echo\n{\n\tid = echo-2\n\ttype = INTERNAL UNLISTED\n\tsocket_type = stream\n"
             "\twait = no\n\tport = 7007\n\tbind = 127.0.0.2\n}\n");
    EXPECT_EQ(c.services.size(), 2u) << messages();
}

TEST_F(ConfigTest, IncludeAndIncludedirRules) {
    write("d/echo", echo_block);
    write("d/with.dot", "this is not parsed\n");
    write("d/backup~", "this is not parsed either\n");
    write("d/b-discard", "service discard\n{\n\ttype = INTERNAL UNLISTED\n\tsocket_type = stream\n"
                         "\twait = no\n\tport = 7009\n}\n");
    write("extra.conf", "service time\n{\n\ttype = INTERNAL UNLISTED\n\tsocket_type = stream\n"
                        "\twait = no\n\tport = 7037\n}\n");
    auto c = load("includedir d\ninclude extra.conf\n");
    ASSERT_EQ(c.services.size(), 3u) << messages();
    EXPECT_EQ(c.services[0].id, "discard"); // "b-discard" sorts before "echo"
    EXPECT_EQ(c.services[1].id, "echo");
    EXPECT_EQ(c.services[2].id, "time");
    EXPECT_EQ(messages(), "");
}

TEST_F(ConfigTest, MissingIncludeIsFatal) {
    auto c = load("include nosuch.conf\n");
    EXPECT_TRUE(c.fatal);
    EXPECT_EQ(messages(), "superd.conf:1: " + (dir_ / "nosuch.conf").string() +
                              ": No such file or directory\n");
}

TEST_F(ConfigTest, ExternalServiceArgvAndNameinargsInAnyOrder) {
    auto c =
        load("service x\n{\n\ttype = UNLISTED\n\tsocket_type = stream\n\twait = no\n\tport = 7100\n"
             "\tuser = root\n\tserver = /bin/echo\n\tserver_args = hello world\n}\n"
             "service y\n{\n\ttype = UNLISTED\n\tsocket_type = stream\n\twait = no\n\tport = 7101\n"
             "\tuser = root\n\tserver = /bin/echo\n\tserver_args = fakename hello\n"
             "\tflags = NAMEINARGS\n}\n");
    ASSERT_EQ(c.services.size(), 2u) << messages();
    EXPECT_EQ(find(c, "x")->argv(), (std::vector<std::string>{"echo", "hello", "world"}));
    // xinetd needs NAMEINARGS before server_args (or its child crashes); superd does not.
    EXPECT_EQ(find(c, "y")->argv(), (std::vector<std::string>{"fakename", "hello"}));
}

TEST_F(ConfigTest, ServerMustBeExecutable) {
    write("notexec", "data");
    auto c =
        load("service x\n{\n\ttype = UNLISTED\n\tsocket_type = stream\n\twait = no\n\tport = 7100\n"
             "\tuser = root\n\tserver = " +
             (dir_ / "notexec").string() +
             "\n}\n"
             "service y\n{\n\ttype = UNLISTED\n\tsocket_type = stream\n\twait = no\n\tport = 7101\n"
             "\tuser = root\n\tserver = /nonexistent/server\n}\n");
    EXPECT_TRUE(c.services.empty());
    auto m = messages();
    EXPECT_NE(m.find("superd.conf:8: server " + (dir_ / "notexec").string() +
                     " is not an executable file"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("superd.conf:17: server /nonexistent/server: No such file or directory"),
              std::string::npos)
        << m;
}

TEST_F(ConfigTest, UnknownUserDropsTheEntry) {
    auto c =
        load("service x\n{\n\ttype = UNLISTED\n\tsocket_type = stream\n\twait = no\n\tport = 7100\n"
             "\tuser = no-such-user-here\n\tserver = /bin/true\n}\n");
    EXPECT_TRUE(c.services.empty());
    EXPECT_NE(messages().find("superd.conf:7: unknown user 'no-such-user-here'"),
              std::string::npos);
}

TEST_F(ConfigTest, NumericUserGetsTheSameNumberAsGroup) {
    auto c =
        load("service x\n{\n\ttype = UNLISTED\n\tsocket_type = stream\n\twait = no\n\tport = 7100\n"
             "\tuser = 4242\n\tserver = /bin/true\n}\n");
    ASSERT_EQ(c.services.size(), 1u) << messages();
    EXPECT_EQ(c.services[0].uid, 4242u);
    EXPECT_EQ(c.services[0].gid, 4242u);
}

TEST_F(ConfigTest, TcpmuxClientsNeedNoPort) {
    auto c =
        load("service tcpmux\n{\n\ttype = INTERNAL UNLISTED\n\tsocket_type = stream\n\twait = no\n"
             "\tport = 7001\n}\n"
             "service hello\n{\n\ttype = TCPMUXPLUS\n\tsocket_type = stream\n\twait = no\n"
             "\tuser = root\n\tserver = /bin/echo\n}\n");
    ASSERT_EQ(c.services.size(), 2u) << messages();
    EXPECT_TRUE(find(c, "hello")->is_tcpmux_client());
}

TEST_F(ConfigTest, NotYetEffectiveAttributesAreNamedWithTheirLine) {
    auto c =
        load("service echo\n{\n\ttype = INTERNAL UNLISTED\n\tsocket_type = stream\n\twait = no\n"
             "\tport = 7007\n\tonly_from = 127.0.0.1\n\trpc_version = 2\n}\n");
    ASSERT_EQ(c.services.size(), 1u);
    EXPECT_EQ(messages(), "superd.conf:8: warning: service echo: 'rpc_version' is accepted but "
                          "has no effect yet in superd\n");
}

TEST_F(ConfigTest, RelativeServerIsFoundFromTheFileThatNamesIt) {
    write("bin/tool", "#!/bin/sh\n");
    std::filesystem::permissions(dir_ / "bin/tool", std::filesystem::perms::owner_all);
    write("conf.d/tool", "service tool\n{\n\ttype = UNLISTED\n\tsocket_type = stream\n"
                         "\twait = no\n\tport = 7999\n\tuser = root\n\tserver = ../bin/tool\n}\n");
    auto c = load("includedir " + (dir_ / "conf.d").string() + "\n");
    ASSERT_EQ(c.services.size(), 1u) << messages();
    EXPECT_EQ(c.services[0].server, (dir_ / "bin/tool").string());
}
