// `if` / `elsif` / `else` in dhcpd.conf: requests written out as wire bytes (decoded by our
// codec, as the server does), answered by the engine; which branch ran is read off the reply's
// file field. Also ISC's three-valued logic case by case, scope order, and every parse error
// with its file:line.
#include "dhcpd/engine.hpp"
#include "tests/unit/common/config_file_test.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace superd::dhcp {
namespace {

using Bytes = std::vector<std::uint8_t>;
using common::test::Messages;

constexpr std::uint32_t server = 10u << 24 | 99u << 16 | 1;
constexpr std::int64_t t0 = 1'795'000'000;

Bytes text(std::string_view s) {
    return Bytes(s.begin(), s.end());
}

// A DHCPDISCOVER from 02:00:00:99:00:<n> as it travels: the fixed part, the magic cookie,
// option 53, then `options` in order, then the end option.
Bytes discover_bytes(std::uint8_t n, const std::vector<std::pair<std::uint8_t, Bytes>>& options) {
    Bytes b(236, 0);
    b[0] = 1; // BOOTREQUEST
    b[1] = 1; // Ethernet
    b[2] = 6;
    b[4] = 0x12, b[5] = 0x34, b[6] = 0x56, b[7] = n; // xid
    const std::uint8_t mac[6] = {0x02, 0x00, 0x00, 0x99, 0x00, n};
    std::copy(std::begin(mac), std::end(mac), b.begin() + 28);
    for (std::uint8_t byte : {99, 130, 83, 99, 53, 1, 1}) // the cookie, DHCPDISCOVER
        b.push_back(byte);
    for (const auto& [code, value] : options) {
        b.push_back(code);
        b.push_back(static_cast<std::uint8_t>(value.size()));
        b.insert(b.end(), value.begin(), value.end());
    }
    b.push_back(255);
    return b;
}

// The PXE idiom of iPXE's documentation: iPXE itself gets its script, firmware gets iPXE.
const char* chainload_conf = R"(
ping-check false;
option arch code 93 = unsigned integer 16;
subnet 10.99.0.0 netmask 255.255.255.0 {
    range 10.99.0.100 10.99.0.150;
    next-server 10.99.0.1;
    if exists user-class and option user-class = "iPXE" {
        filename "boot.ipxe";
    } elsif option arch = 00:07 or option arch = 00:09 {
        filename "ipxe.efi";
    } elsif option arch = 00:00 {
        filename "undionly.kpxe";
    } else {
        filename "pxelinux.0";
    }
}
)";

class DhcpConditions : public common::test::ConfigFileTest<Config> {
  protected:
    DhcpConditions()
        : ConfigFileTest(load_config, "dhcpd.conf") {}

    void use(const std::string& conf) {
        config_ = load(conf);
        ASSERT_EQ(messages(), Messages{});
        engine_ = std::make_unique<Engine>(config_, server);
    }
    // The boot file offered to a DISCOVER from client `n` with `options`; "(none)" without one,
    // "(no offer)" when not answered.
    std::string boot_file(std::uint8_t n,
                          const std::vector<std::pair<std::uint8_t, Bytes>>& options) {
        auto request = decode(discover_bytes(n, options));
        EXPECT_TRUE(request.has_value());
        if (!request) return "(undecodable)";
        auto reply = engine_->handle(*request, RxInfo{server}, t0);
        if (!reply) return "(no offer)";
        return reply->packet.file.empty() ? "(none)" : reply->packet.file;
    }
    // The branch a condition takes, as a filename: "yes" (true), "no" (else: false or null).
    std::string test(const std::string& condition,
                     const std::vector<std::pair<std::uint8_t, Bytes>>& options,
                     const std::string& declarations = "") {
        use(declarations +
            "ping-check false;\nsubnet 10.99.0.0 netmask 255.255.255.0 {\n"
            "  range 10.99.0.100 10.99.0.150;\n  if " +
            condition + " { filename \"yes\"; } else { filename \"no\"; }\n}\n");
        return boot_file(1, options);
    }

    Config config_;
    std::unique_ptr<Engine> engine_;
};

const Bytes arch_bios{0x00, 0x00}, arch_efi_bc{0x00, 0x07}, arch_efi_x64{0x00, 0x09},
    arch_efi_ia32{0x00, 0x06};

TEST_F(DhcpConditions, ChainloadIdiomPicksTheBootFileByClient) {
    use(chainload_conf);
    EXPECT_EQ(boot_file(1, {{77, text("iPXE")}, {93, arch_efi_x64}}), "boot.ipxe");
    EXPECT_EQ(boot_file(2, {{93, arch_efi_bc}}), "ipxe.efi");
    EXPECT_EQ(boot_file(3, {{93, arch_efi_x64}}), "ipxe.efi");
    EXPECT_EQ(boot_file(4, {{93, arch_bios}}), "undionly.kpxe");
    EXPECT_EQ(boot_file(5, {}), "pxelinux.0");
    EXPECT_EQ(boot_file(6, {{93, arch_efi_ia32}}), "pxelinux.0");
    // Another user class, or iPXE's with a NUL: not iPXE.
    EXPECT_EQ(boot_file(7, {{77, text("gPXE")}, {93, arch_bios}}), "undionly.kpxe");
    EXPECT_EQ(boot_file(8, {{77, Bytes{'i', 'P', 'X', 'E', 0}}}), "pxelinux.0");
    // The parts of the subnet outside the `if` are untouched.
    auto request = decode(discover_bytes(9, {{93, arch_efi_bc}}));
    ASSERT_TRUE(request);
    auto offer = engine_->handle(*request, RxInfo{server}, t0);
    ASSERT_TRUE(offer);
    EXPECT_EQ(offer->packet.siaddr, server);
    EXPECT_EQ(offer->packet.yiaddr >> 8, server >> 8);
}

TEST_F(DhcpConditions, TheAckCarriesTheSameBootFileAsTheOffer) {
    use(chainload_conf);
    auto discover = decode(discover_bytes(1, {{93, arch_efi_bc}}));
    ASSERT_TRUE(discover);
    auto offer = engine_->handle(*discover, RxInfo{server}, t0);
    ASSERT_TRUE(offer);
    Packet request = *discover;
    request.set(option::message_type, {3});
    request.set(option::server_identifier, {10, 99, 0, 1});
    auto a = offer->packet.yiaddr;
    request.set(option::requested_address,
                {static_cast<std::uint8_t>(a >> 24), static_cast<std::uint8_t>(a >> 16),
                 static_cast<std::uint8_t>(a >> 8), static_cast<std::uint8_t>(a)});
    auto ack = engine_->handle(request, RxInfo{server}, t0);
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->packet.message_type(), MessageType::ack);
    EXPECT_EQ(ack->packet.file, "ipxe.efi");
}

TEST_F(DhcpConditions, ANumberComparedWithAnIntegerOptionTakesItsWidth) {
    const std::string arch = "option arch code 93 = unsigned integer 16;\n";
    EXPECT_EQ(test("option arch = 7", {{93, arch_efi_bc}}, arch), "yes");
    EXPECT_EQ(test("9 = option arch", {{93, arch_efi_x64}}, arch), "yes");
    EXPECT_EQ(test("option arch = 7", {{93, arch_efi_x64}}, arch), "no");
    EXPECT_EQ(test("option arch = 07", {{93, Bytes{0x07}}}, arch), "no"); // 00:07 too
    EXPECT_EQ(test("option arch = 00:07", {{93, arch_efi_bc}}, arch), "yes");
    // Against anything else a bare number is one hex byte, as ISC reads it.
    EXPECT_EQ(test("option dhcp-message-type = 1", {}), "yes");
    EXPECT_EQ(test("option dhcp-message-type = 01", {}), "yes");
}

TEST_F(DhcpConditions, SubstringAndSuffixOfTheVendorClass) {
    const std::vector<std::pair<std::uint8_t, Bytes>> pxe{
        {60, text("PXEClient:Arch:00007:UNDI:003016")}};
    EXPECT_EQ(test(R"(substring(option vendor-class-identifier, 0, 9) = "PXEClient")", pxe), "yes");
    EXPECT_EQ(test(R"(substring(option vendor-class-identifier, 15, 5) = "00007")", pxe), "yes");
    EXPECT_EQ(test(R"(suffix(option vendor-class-identifier, 6) = "003016")", pxe), "yes");
    // A length past the end is cut; an offset past the end gives the empty string (not null).
    EXPECT_EQ(test(R"(substring(option vendor-class-identifier, 26, 100) = "003016")", pxe), "yes");
    EXPECT_EQ(test(R"(substring(option vendor-class-identifier, 99, 1) = "")", pxe), "yes");
    EXPECT_EQ(
        test(R"(suffix(option vendor-class-identifier, 99) = "PXEClient:Arch:00007:UNDI:003016")",
             pxe),
        "yes");
    EXPECT_EQ(test(R"(substring(option vendor-class-identifier, 0, 9) = "PXEClient")",
                   {{60, text("MSFT 5.0")}}),
              "no");
    EXPECT_EQ(
        test(R"(substring(substring(option vendor-class-identifier, 10, 10), 0, 4) = "Arch")", pxe),
        "yes");
    EXPECT_EQ(test(R"(substring(option vendor-class-identifier, 0, 3) = 50:58:45)", pxe), "yes");
}

TEST_F(DhcpConditions, MissingOptionsFollowIscsThreeValuedLogic) {
    // exists is never null; = with a missing option is false and != true (ISC 4.4 tree.c).
    EXPECT_EQ(test("exists user-class", {}), "no");
    EXPECT_EQ(test("exists user-class", {{77, text("iPXE")}}), "yes");
    EXPECT_EQ(test(R"(option user-class = "iPXE")", {}), "no");
    EXPECT_EQ(test(R"(option user-class != "iPXE")", {}), "yes");
    EXPECT_EQ(test(R"(option user-class != "iPXE")", {{77, text("iPXE")}}), "no");
    EXPECT_EQ(test("option user-class = option host-name", {}), "yes"); // both null
    EXPECT_EQ(test(R"(not (option user-class = "iPXE"))", {}), "yes");
    EXPECT_EQ(test("not exists user-class", {}), "yes");
    // `false and X` is null in ISC, so its negation is not true either.
    EXPECT_EQ(test("not (exists user-class and exists host-name)", {}), "no");
    EXPECT_EQ(test("not (exists user-class or exists host-name)", {}), "yes");
    EXPECT_EQ(test("exists host-name or exists user-class", {{77, text("x")}}), "yes");
}

TEST_F(DhcpConditions, AndOrHaveOnePrecedenceFromTheLeftAsInIsc) {
    const std::vector<std::pair<std::uint8_t, Bytes>> only_a{{77, text("a")}};
    // (true or X) and false: false.
    EXPECT_EQ(test("exists user-class or exists host-name and exists host-name", only_a), "no");
    EXPECT_EQ(test("exists user-class or (exists host-name and exists host-name)", only_a), "yes");
}

TEST_F(DhcpConditions, HardwareAndKnown) {
    EXPECT_EQ(test("hardware = 01:02:00:00:99:00:01", {}), "yes");
    EXPECT_EQ(test("substring(hardware, 1, 3) = 02:00:00", {}), "yes");
    EXPECT_EQ(test("hardware = 01:02:00:00:99:00:02", {}), "no");
    use(R"(
ping-check false;
host node { hardware ethernet 02:00:00:99:00:02; }
subnet 10.99.0.0 netmask 255.255.255.0 {
    range 10.99.0.100 10.99.0.150;
    if known { filename "known"; } else { filename "unknown"; }
}
)");
    EXPECT_EQ(boot_file(1, {}), "unknown");
    EXPECT_EQ(boot_file(2, {}), "known");
}

TEST_F(DhcpConditions, ScopesRunOuterFirstAndStatementsInTheirOrder) {
    use(R"(
ping-check false;
option arch code 93 = unsigned integer 16;
filename "global";
if option arch = 00:07 { filename "global-efi"; next-server 10.99.0.7; }
subnet 10.99.0.0 netmask 255.255.255.0 {
    range 10.99.0.100 10.99.0.150;
    if option arch = 00:00 { filename "subnet-bios"; }
    if option arch = 00:09 { filename "subnet-x64"; }
    filename "subnet-after";   # later than the if above in the same scope: it wins
    if option arch = 00:09 { filename "subnet-x64-again"; }
    option domain-name "subnet";
}
host node {
    hardware ethernet 02:00:00:99:00:05;
    if option arch = 00:00 { filename "host-bios"; } else { option domain-name "host"; }
}
)");
    // The global if runs, and the subnet's unconditional filename overrides it: inner wins.
    EXPECT_EQ(boot_file(1, {{93, arch_efi_bc}}), "subnet-after");
    auto request = decode(discover_bytes(2, {{93, arch_efi_bc}}));
    auto offer = engine_->handle(*request, RxInfo{server}, t0);
    ASSERT_TRUE(offer);
    EXPECT_EQ(offer->packet.siaddr, 10u << 24 | 99u << 16 | 7); // from the global branch
    // Within the subnet, statements in order: the unconditional one after the first if wins.
    EXPECT_EQ(boot_file(3, {{93, arch_bios}}), "subnet-after");
    EXPECT_EQ(boot_file(4, {{93, arch_efi_x64}}), "subnet-x64-again");
    // The host is innermost: its branch overrides the subnet; its else sets an option.
    EXPECT_EQ(boot_file(5, {{93, arch_bios}}), "host-bios");
    request = decode(discover_bytes(5, {{93, arch_efi_x64}}));
    offer = engine_->handle(*request, RxInfo{server}, t0);
    ASSERT_TRUE(offer);
    EXPECT_EQ(offer->packet.file, "subnet-x64-again");
    ASSERT_NE(offer->packet.find(option::domain_name), nullptr);
    EXPECT_EQ(*offer->packet.find(option::domain_name), text("host"));
}

TEST_F(DhcpConditions, NestedIfsAndElseIfAndEveryScope) {
    use(R"(
ping-check false;
option arch code 93 = unsigned integer 16;
shared-network wire {
    if exists user-class {
        if option user-class = "iPXE" { filename "nested-ipxe"; }
        else if option user-class = "gPXE" { filename "nested-gpxe"; }
    }
    subnet 10.99.0.0 netmask 255.255.255.0 {
        pool {
            range 10.99.0.100 10.99.0.150;
            if option arch = 7 { default-lease-time 60; max-lease-time 60; }
        }
    }
}
group {
    if option arch = 9 { filename "group-x64"; }
    host node { hardware ethernet 02:00:00:99:00:09; }
}
)");
    EXPECT_EQ(boot_file(1, {{77, text("iPXE")}}), "nested-ipxe");
    EXPECT_EQ(boot_file(2, {{77, text("gPXE")}}), "nested-gpxe");
    EXPECT_EQ(boot_file(3, {{77, text("other")}}), "(none)");
    EXPECT_EQ(boot_file(9, {{93, arch_efi_x64}}), "group-x64");
    auto request = decode(discover_bytes(4, {{93, arch_efi_bc}}));
    auto offer = engine_->handle(*request, RxInfo{server}, t0);
    ASSERT_TRUE(offer);
    EXPECT_EQ(offer->packet.u32_option(option::lease_time), 60u);
}

TEST_F(DhcpConditions, DeclaredOptionTypesEncode) {
    Config c = clean(R"(
option arch code 93 = unsigned integer 16;
option small code 150 = signed integer 8;
option big code 151 = integer 32;
option server code 152 = ip-address;
option id code 153 = string;
option on code 154 = boolean;
option arch 7;
option small -2;
option big 0x01020304;
option server 10.0.0.1;
option id 01:ab:02;
option on true;
option vendor-class-identifier "PXEClient";
option user-class "iPXE";
)");
    auto value = [&](std::uint8_t code) { return c.global().find_option(code)->value; };
    EXPECT_EQ(value(93), (Bytes{0, 7}));
    EXPECT_EQ(value(150), (Bytes{0xfe}));
    EXPECT_EQ(value(151), (Bytes{1, 2, 3, 4}));
    EXPECT_EQ(value(152), (Bytes{10, 0, 0, 1}));
    EXPECT_EQ(value(153), (Bytes{1, 0xab, 2}));
    EXPECT_EQ(value(154), (Bytes{1}));
    EXPECT_EQ(value(60), text("PXEClient"));
    EXPECT_EQ(value(77), text("iPXE"));
}

TEST_F(DhcpConditions, MistakesAreReportedWithFileAndLine) {
    struct Case {
        const char* config;
        Messages expected;
    };
    const Case cases[] = {
        {"if option wpad-url = \"x\" { }\n",
         {"dhcpd.conf:1: unknown option 'wpad-url' in condition"}},
        {"if option arch = 00:07 { }\n",
         {"dhcpd.conf:1: option 'arch' in condition is not predefined (nor in ISC dhcpd): "
          "declare it first, e.g. 'option arch code 93 = unsigned integer 16;'"}},
        {"option pxe-system-type 7;\n",
         {"dhcpd.conf:1: option 'pxe-system-type' is not predefined (nor in ISC dhcpd): declare "
          "it first, e.g. 'option pxe-system-type code 93 = unsigned integer 16;'"}},
        {"if exists user-class {\n  filename \"a\";\n", // never closed
         {"dhcpd.conf:1: unbalanced braces: '{' of 'if' is never closed"}},
        {"elsif exists user-class { filename \"a\"; }\nfilename \"b\";\n",
         {"dhcpd.conf:1: 'elsif' without 'if'"}},
        {"default-lease-time 60;\nelse { filename \"a\"; }\n",
         {"dhcpd.conf:2: 'else' without 'if'"}},
        {"if exists user-class {\n  subnet 10.0.0.0 netmask 255.0.0.0 { }\n}\n",
         {"dhcpd.conf:2: 'subnet' is not allowed inside 'if'"}},
        {"subnet 10.0.0.0 netmask 255.0.0.0 {\n if known {\n  range 10.0.0.1 10.0.0.9;\n "
         "host h { }\n }\n}\n",
         {"dhcpd.conf:3: 'range' is not allowed inside 'if'",
          "dhcpd.conf:4: 'host' is not allowed inside 'if'"}},
        {"if known { option foo code 200 = text; }\n",
         {"dhcpd.conf:1: option declarations are not allowed inside 'if' (declare 'foo' "
          "outside)"}},
        {"if option user-class = 0g:07 { }\n", {"dhcpd.conf:1: invalid hex data '0g:07'"}},
        {"if option user-class = iPXE { }\n", {"dhcpd.conf:1: unknown word 'iPXE' in condition"}},
        {"if option user-class = 700 { }\n", {"dhcpd.conf:1: invalid hex data '700'"}},
        {"if (exists user-class { }\n", {"dhcpd.conf:1: expected ')', not '{'"}},
        {"if exists user-class filename \"a\";\n",
         {"dhcpd.conf:1: expected '{' after the condition of 'if', not 'filename'"}},
        {"if option user-class { }\n",
         {"dhcpd.conf:1: expected a condition (exists, known, =, !=, and, or, not), not data"}},
        {"if exists user-class = \"x\" { }\n", {"dhcpd.conf:1: '=' compares data, not conditions"}},
        {"if not option user-class { }\n", {"dhcpd.conf:1: 'not' takes conditions, not data"}},
        {"if known and \"x\" { }\n", {"dhcpd.conf:1: 'and' takes conditions, not data"}},
        {"if option user-class ! \"x\" { }\n", {"dhcpd.conf:1: expected '!=', not '!' alone"}},
        {"if option user-class ~= \"x\" { }\n",
         {"dhcpd.conf:1: unsupported operator '~' (regular expressions)"}},
        {"if concat(option user-class, \"x\") = \"y\" { }\n",
         {"dhcpd.conf:1: unsupported expression 'concat'"}},
        {"if substring(option user-class, 0) = \"x\" { }\n",
         {"dhcpd.conf:1: expected ',' in 'substring', not ')'"}},
        {"if suffix(option user-class, -1) = \"x\" { }\n",
         {"dhcpd.conf:1: expected a number in 'suffix', not '-1'"}},
        {"option arch code 93 = unsigned integer 16;\nif option arch = 70000 { }\n",
         {"dhcpd.conf:2: '70000' is out of range for unsigned integer 16"}},
        {"option arch code 93 = unsigned integer 16;\noption arch 70000;\n",
         {"dhcpd.conf:2: expected unsigned integer 16, not '70000'"}},
        {"subnet 10.0.0.0 netmask 255.0.0.0 { pool { if known { allow known-clients; } } }\n",
         {"dhcpd.conf:1: 'allow known-clients' is only allowed inside a pool, outside 'if'"}},
        {"if known { } else filename \"a\";\n",
         {"dhcpd.conf:1: expected '{' after 'else', not 'filename'"}},
        {"if option nope = 1 { } elsif known filename \"a\";\n",
         {"dhcpd.conf:1: unknown option 'nope' in condition",
          "dhcpd.conf:1: expected '{' after the condition of 'elsif', not 'filename'"}},
        {"if known { log-facility local7; }\n",
         {"dhcpd.conf:1: 'log-facility' is not allowed inside 'if'"}},
        // One bad condition does not hide the mistakes in its block and the next branches.
        {"if option nope = 1 {\n  authritative;\n} elsif option nope2 = 2 { }\n",
         {"dhcpd.conf:1: unknown option 'nope' in condition",
          "dhcpd.conf:2: unknown statement 'authritative'",
          "dhcpd.conf:3: unknown option 'nope2' in condition"}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.config);
        load(c.config);
        EXPECT_EQ(messages(), c.expected);
        EXPECT_TRUE(diags_.has_errors());
    }
}

TEST_F(DhcpConditions, HugeConditionsAreBounded) {
    std::string deep = "if ";
    for (int i = 0; i < 40; ++i)
        deep += "(";
    deep += "known";
    for (int i = 0; i < 40; ++i)
        deep += ")";
    load(deep + " { }\n");
    EXPECT_EQ(messages(), Messages{"dhcpd.conf:1: condition nested more than 32 deep"});

    std::string wide = "if known";
    for (int i = 0; i < 200; ++i)
        wide += " or known";
    load(wide + " { }\n");
    EXPECT_EQ(messages(), Messages{"dhcpd.conf:1: condition longer than 256 terms"});

    std::string nots = "if ";
    for (int i = 0; i < 20; ++i)
        nots += "not ";
    Config c = load(nots + "known { }\n");
    EXPECT_EQ(messages(), Messages{});
}

TEST_F(DhcpConditions, WithoutARequestEveryOptionIsMissing) {
    Config c = clean(R"(
subnet 10.99.0.0 netmask 255.255.255.0 {
    if exists user-class { filename "a"; } else { filename "b"; }
    if known { server-name "k"; } else { server-name "u"; }
}
)");
    auto e = effective_parameters(c, c.subnets[0]);
    EXPECT_EQ(e.filename, "b");
    EXPECT_EQ(e.server_name, "u"); // known is null without a request: the else runs
}

} // namespace
} // namespace superd::dhcp
