// RFC 1413 reply lines as identd servers send them (oidentd, pidentd, RFC examples).
#include "superd/ident.hpp"

#include <gtest/gtest.h>

namespace superd::daemon {
namespace {

TEST(IdentReply, RfcExample) {
    EXPECT_EQ(parse_ident_reply("6193, 23 : USERID : UNIX : stjohns", 6193, 23), "UNIX : stjohns");
}

TEST(IdentReply, WithoutBlanksAndWithCharset) {
    EXPECT_EQ(parse_ident_reply("6195,23:USERID:UNIX:alice", 6195, 23), "UNIX:alice");
    EXPECT_EQ(parse_ident_reply("6195 , 23 : USERID : UNIX , US-ASCII : bob", 6195, 23),
              "UNIX , US-ASCII : bob");
}

TEST(IdentReply, PortsMustMatchTheQuery) {
    EXPECT_EQ(parse_ident_reply("6193, 24 : USERID : UNIX : x", 6193, 23), std::nullopt);
    EXPECT_EQ(parse_ident_reply("6194, 23 : USERID : UNIX : x", 6193, 23), std::nullopt);
    EXPECT_EQ(parse_ident_reply("6193x, 23 : USERID : UNIX : x", 6193, 23), std::nullopt);
    EXPECT_EQ(parse_ident_reply(", 23 : USERID : UNIX : x", 6193, 23), std::nullopt);
}

TEST(IdentReply, ErrorRepliesAndGarbageAreRefused) {
    EXPECT_EQ(parse_ident_reply("6195, 23 : ERROR : NO-USER", 6195, 23), std::nullopt);
    EXPECT_EQ(parse_ident_reply("6195, 23 : USERID", 6195, 23), std::nullopt);
    EXPECT_EQ(parse_ident_reply("6195, 23 : USERID :   ", 6195, 23), std::nullopt);
    EXPECT_EQ(parse_ident_reply("6195, 23 : USERIDX : UNIX : x", 6195, 23), std::nullopt);
    EXPECT_EQ(parse_ident_reply("", 1, 2), std::nullopt);
    EXPECT_EQ(parse_ident_reply("6195 23 USERID UNIX x", 6195, 23), std::nullopt);
}

TEST(IdentReply, ControlCharactersCannotForgeLogLines) {
    std::string line = "1, 2 : USERID : UNIX : eve\nSTART: x";
    EXPECT_EQ(parse_ident_reply(line, 1, 2), "UNIX : eve?START: x");
    EXPECT_EQ(parse_ident_reply(std::string("1,2:USERID:UNIX:a\0b", 19), 1, 2), "UNIX:a?b");
}

TEST(IdentReply, ExplainUsesXinetdsWords) {
    EXPECT_EQ(ident_explain(IdentStatus::no_server), "no server");
    EXPECT_EQ(ident_explain(IdentStatus::timeout), "timeout");
    EXPECT_EQ(ident_explain(IdentStatus::bad_response), "bad response");
    EXPECT_EQ(ident_explain(IdentStatus::response_error), "error while receiving response");
}

} // namespace
} // namespace superd::daemon
