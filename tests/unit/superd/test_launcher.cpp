#include "config_fixture.hpp"
#include "superd/launcher.hpp"

using namespace superd::daemon;

TEST(Launcher, EnvironmentWithoutPassenvIsSuperdsPlusEnv) {
    ServiceConfig s;
    s.env = {"FOO=service", "NEW=1"};
    char a[] = "FOO=superd", b[] = "PATH=/bin";
    char* environ_now[] = {a, b, nullptr};
    EXPECT_EQ(server_environment(s, environ_now),
              (std::vector<std::string>{"FOO=service", "PATH=/bin", "NEW=1"}));
}

TEST(Launcher, PassenvKeepsOnlyTheNamedVariables) {
    ServiceConfig s;
    s.lists.passenv = {"PATH"};
    s.lists.passenv_given = true;
    s.env = {"X=1"};
    char a[] = "FOO=superd", b[] = "PATH=/bin";
    char* environ_now[] = {a, b, nullptr};
    EXPECT_EQ(server_environment(s, environ_now), (std::vector<std::string>{"PATH=/bin", "X=1"}));
}

TEST(Launcher, PlanCarriesArgv) {
    ServiceConfig s;
    s.server = "/bin/echo";
    s.server_args = {"a", "b"};
    auto plan = LaunchPlan::make(s, false);
    ASSERT_TRUE(plan);
    EXPECT_EQ(plan->argv(), (std::vector<std::string>{"echo", "a", "b"}));
    EXPECT_EQ(plan->path(), "/bin/echo");
}
