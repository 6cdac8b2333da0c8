#include "history/state_dir.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_test_support.h"

namespace mfsmon::history {
namespace {

namespace fs = std::filesystem;

StateEnv Env(unsigned euid) {
    StateEnv e;
    e.euid = euid;
    e.mp_state_path = "/mp";
    e.nagios_plugin_state_directory = "/nagios";
    e.xdg_state_home = "/xdg";
    e.home = "/home/u";
    return e;
}

std::string Resolved(const std::optional<std::string>& option, const StateEnv& env) {
    auto r = ResolveStateDir(option, env);
    return r.ok() ? r->string() : "error: " + r.error().message;
}

TEST(ResolveStateDir, OptionComesFirst) {
    EXPECT_EQ(Resolved("/given/dir", Env(1000)), "/given/dir");
    EXPECT_EQ(Resolved("relative", Env(0)), "relative");
    EXPECT_EQ(Resolved("", Env(1000)), "error: --state-dir is empty");
}

TEST(ResolveStateDir, MonitoringPluginsVariablesGetAPerUidFolder) {
    EXPECT_EQ(Resolved(std::nullopt, Env(1000)), "/mp/1000/mfsmon");
    EXPECT_EQ(Resolved(std::nullopt, Env(0)), "/mp/0/mfsmon");
    StateEnv e = Env(1000);
    e.mp_state_path.reset();
    EXPECT_EQ(Resolved(std::nullopt, e), "/nagios/1000/mfsmon");
    e.mp_state_path = "";  // empty counts as unset
    EXPECT_EQ(Resolved(std::nullopt, e), "/nagios/1000/mfsmon");
}

TEST(ResolveStateDir, RootUsesVarLib) {
    StateEnv e = Env(0);
    e.mp_state_path = "";
    e.nagios_plugin_state_directory = "";
    EXPECT_EQ(Resolved(std::nullopt, e), "/var/lib/mfsmon");
}

TEST(ResolveStateDir, OthersUseXdgStateHomeThenHome) {
    StateEnv e = Env(1000);
    e.mp_state_path.reset();
    e.nagios_plugin_state_directory = "";
    EXPECT_EQ(Resolved(std::nullopt, e), "/xdg/mfsmon");
    e.xdg_state_home = "";
    EXPECT_EQ(Resolved(std::nullopt, e), "/home/u/.local/state/mfsmon");
    e.xdg_state_home = "relative/state";  // invalid by the XDG spec: ignored
    EXPECT_EQ(Resolved(std::nullopt, e), "/home/u/.local/state/mfsmon");
    e.home = "";
    EXPECT_EQ(Resolved(std::nullopt, e),
              "error: no state directory: HOME is not set (give --state-dir)");
    e.home.reset();
    EXPECT_FALSE(ResolveStateDir(std::nullopt, e).ok());
}

TEST(ResolveStateDir, FromProcessReadsTheEnvironment) {
    ::setenv("MP_STATE_PATH", "/from/env", 1);
    ::setenv("NAGIOS_PLUGIN_STATE_DIRECTORY", "", 1);
    StateEnv e = StateEnv::FromProcess();
    ::unsetenv("MP_STATE_PATH");
    ::unsetenv("NAGIOS_PLUGIN_STATE_DIRECTORY");
    EXPECT_EQ(e.mp_state_path, std::optional<std::string>("/from/env"));
    EXPECT_FALSE(e.nagios_plugin_state_directory.has_value());
    EXPECT_EQ(e.euid, ::geteuid());
    EXPECT_EQ(Resolved(std::nullopt, e), "/from/env/" + std::to_string(::geteuid()) + "/mfsmon");
}

unsigned Mode(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
}

std::string PrepareError(const fs::path& dir) {
    Status s = PrepareStateDir(dir);
    return s.ok() ? "(ok)" : s.error().message;
}

class PrepareStateDirTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (chown to another user)";
        uid_ = std::to_string(::geteuid());
    }
    test::TempDir tmp_;
    std::string uid_;
};

TEST_F(PrepareStateDirTest, CreatesMissingFoldersPrivate) {
    const fs::path dir = tmp_.path() / "a" / uid_ / "mfsmon";
    ::umask(022);
    ASSERT_TRUE(PrepareStateDir(dir).ok()) << PrepareError(dir);
    EXPECT_EQ(Mode(tmp_.path() / "a"), 0700u);
    EXPECT_EQ(Mode(tmp_.path() / "a" / uid_), 0700u);
    EXPECT_EQ(Mode(dir), 0700u);
    EXPECT_EQ(PrepareError(dir), "(ok)");  // a second time: all there
    EXPECT_EQ(PrepareError(dir.string() + "/"), "(ok)");
}

TEST_F(PrepareStateDirTest, SharedParentsOnlyNeedToBeDirectories) {
    const fs::path shared = tmp_.path() / "shared";
    ASSERT_EQ(::mkdir(shared.c_str(), 0777), 0);
    ASSERT_EQ(::chmod(shared.c_str(), 01777), 0);
    ASSERT_EQ(::chown(shared.c_str(), 65534, 65534), 0);
    // ... and may be reached through a symlink (/var -> /private/var)
    const fs::path link = tmp_.path() / "via-link";
    ASSERT_EQ(::symlink(shared.c_str(), link.c_str()), 0);
    EXPECT_EQ(PrepareError(link / uid_ / "mfsmon"), "(ok)");
    EXPECT_EQ(Mode(shared / uid_), 0700u);
}

TEST_F(PrepareStateDirTest, RefusesASymlinkAsTheDirectory) {
    const fs::path real = tmp_.path() / "real";
    ASSERT_EQ(::mkdir(real.c_str(), 0700), 0);
    const fs::path dir = tmp_.path() / "mfsmon";
    ASSERT_EQ(::symlink(real.c_str(), dir.c_str()), 0);
    EXPECT_EQ(PrepareError(dir), "state directory " + dir.string() + " is a symlink: refused");
}

TEST_F(PrepareStateDirTest, RefusesASymlinkAsThePerUidFolder) {
    const fs::path elsewhere = tmp_.path() / "elsewhere";
    ASSERT_EQ(::mkdir(elsewhere.c_str(), 0700), 0);
    const fs::path per_uid = tmp_.path() / uid_;
    ASSERT_EQ(::symlink(elsewhere.c_str(), per_uid.c_str()), 0);
    EXPECT_EQ(PrepareError(per_uid / "mfsmon"),
              "state directory " + per_uid.string() + " is a symlink: refused");
    EXPECT_FALSE(fs::exists(elsewhere / "mfsmon"));  // nothing created through the link
}

TEST_F(PrepareStateDirTest, RefusesAnotherOwner) {
    const fs::path dir = tmp_.path() / "mfsmon";
    ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
    ASSERT_EQ(::chown(dir.c_str(), 65534, 65534), 0);
    EXPECT_EQ(PrepareError(dir), "state directory " + dir.string() +
                                     " is owned by uid 65534, not " + uid_ + ": refused");
    const fs::path per_uid = tmp_.path() / uid_;
    ASSERT_EQ(::mkdir(per_uid.c_str(), 0700), 0);
    ASSERT_EQ(::chown(per_uid.c_str(), 65534, 65534), 0);
    EXPECT_EQ(PrepareError(per_uid / "mfsmon"), "state directory " + per_uid.string() +
                                                    " is owned by uid 65534, not " + uid_ +
                                                    ": refused");
}

TEST_F(PrepareStateDirTest, RefusesGroupOrOtherWritable) {
    const fs::path dir = tmp_.path() / "mfsmon";
    ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
    ASSERT_EQ(::chmod(dir.c_str(), 0770), 0);
    EXPECT_EQ(PrepareError(dir), "state directory " + dir.string() +
                                     " is writable by group or others (mode 0770): refused");
    ASSERT_EQ(::chmod(dir.c_str(), 0702), 0);
    EXPECT_EQ(PrepareError(dir), "state directory " + dir.string() +
                                     " is writable by group or others (mode 0702): refused");
    ASSERT_EQ(::chmod(dir.c_str(), 0755), 0);  // readable by others is fine
    EXPECT_EQ(PrepareError(dir), "(ok)");
}

TEST_F(PrepareStateDirTest, RefusesAFileInTheWay) {
    const fs::path file = tmp_.path() / "mfsmon";
    std::ofstream(file) << "not a directory";
    EXPECT_EQ(PrepareError(file),
              "state directory " + file.string() + " is not a directory: refused");
    const std::string below = PrepareError(file / "below");
    EXPECT_NE(below, "(ok)");
    EXPECT_NE(below.find(file.string()), std::string::npos) << below;
}

}  // namespace
}  // namespace mfsmon::history
