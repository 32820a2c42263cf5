#include "common/diagnostics.hpp"

#include <gtest/gtest.h>

namespace superd::common {
namespace {

TEST(Diagnostic, ErrorWithLine) {
    Diagnostic d{Severity::error, {"/etc/superd.conf", 12}, "unknown attribute \"foo\""};
    EXPECT_EQ(d.str(), "/etc/superd.conf:12: unknown attribute \"foo\"");
}

TEST(Diagnostic, WarningWithLine) {
    Diagnostic d{Severity::warning, {"a.conf", 3}, "deprecated"};
    EXPECT_EQ(d.str(), "a.conf:3: warning: deprecated");
}

TEST(Diagnostic, WholeFileProblemHasNoLine) {
    EXPECT_EQ((Diagnostic{Severity::error, {"a.conf", 0}, "no services"}).str(),
              "a.conf: no services");
    EXPECT_EQ((Diagnostic{Severity::warning, {"a.conf", 0}, "empty"}).str(),
              "a.conf: warning: empty");
}

TEST(Diagnostics, CollectsEverything) {
    Diagnostics diags;
    EXPECT_FALSE(diags.has_errors());
    EXPECT_EQ(diags.error_count(), 0u);
    EXPECT_TRUE(diags.all().empty());

    diags.warning({"f", 1}, "w1");
    EXPECT_FALSE(diags.has_errors());
    EXPECT_EQ(diags.error_count(), 0u);

    diags.error({"f", 2}, "e1");
    diags.error({"f", 3}, "e2");
    EXPECT_TRUE(diags.has_errors());
    EXPECT_EQ(diags.error_count(), 2u);
    ASSERT_EQ(diags.all().size(), 3u);
    EXPECT_EQ(diags.all()[0].str(), "f:1: warning: w1");
    EXPECT_EQ(diags.all()[1].str(), "f:2: e1");
    EXPECT_EQ(diags.all()[2].str(), "f:3: e2");
    EXPECT_EQ(diags.all()[1].severity, Severity::error);
    EXPECT_EQ(diags.all()[1].where.file, "f");
    EXPECT_EQ(diags.all()[1].where.line, 2);
    EXPECT_EQ(diags.all()[1].message, "e1");
}

TEST(Diagnostics, AppendKeepsOrder) {
    Diagnostics a;
    a.error({"a", 1}, "first");
    Diagnostics b;
    b.warning({"b", 2}, "second");
    b.error({"b", 3}, "third");
    a.append(b);
    ASSERT_EQ(a.all().size(), 3u);
    EXPECT_EQ(a.all()[0].str(), "a:1: first");
    EXPECT_EQ(a.all()[1].str(), "b:2: warning: second");
    EXPECT_EQ(a.all()[2].str(), "b:3: third");
    EXPECT_EQ(a.error_count(), 2u);
    EXPECT_EQ(b.all().size(), 2u);
}

TEST(Diagnostics, AppendToItself) {
    Diagnostics a;
    a.error({"a", 1}, "x");
    a.append(a);
    ASSERT_EQ(a.all().size(), 2u);
    EXPECT_EQ(a.all()[1].str(), "a:1: x");
}

} // namespace
} // namespace superd::common
