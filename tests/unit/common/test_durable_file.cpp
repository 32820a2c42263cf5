#include "common/durable_file.hpp"

#include "temp_dir.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace superd::common {
namespace {

using test::read_file;
using test::TempDir;
using test::write_file;

mode_t mode_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return static_cast<mode_t>(-1);
    return st.st_mode & 07777;
}

// Sets the umask for the scope of a test.
class UmaskGuard {
  public:
    explicit UmaskGuard(mode_t mask)
        : old_(::umask(mask)) {}
    ~UmaskGuard() { ::umask(old_); }

  private:
    mode_t old_;
};

TEST(WriteFileAtomic, WritesContentWithDefaultMode) {
    UmaskGuard umask(022);
    TempDir dir;
    std::string path = dir.file("state");
    std::string data("line one\nline two\0binary\xff", 25);
    auto r = write_file_atomic(path, data);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(read_file(path), data);
    EXPECT_EQ(mode_of(path), 0644u);
    EXPECT_EQ(dir.entries(), (std::vector<std::string>{"state"}));
}

TEST(WriteFileAtomic, ExactModeWhateverTheUmask) {
    UmaskGuard umask(077);
    TempDir dir;
    ASSERT_TRUE(write_file_atomic(dir.file("a"), "x", 0644));
    EXPECT_EQ(mode_of(dir.file("a")), 0644u);
    ASSERT_TRUE(write_file_atomic(dir.file("b"), "x", 0600));
    EXPECT_EQ(mode_of(dir.file("b")), 0600u);
}

TEST(WriteFileAtomic, ReplacesExistingFile) {
    TempDir dir;
    std::string path = dir.file("state");
    write_file(path, "old content that is longer than the new one");
    ASSERT_TRUE(write_file_atomic(path, "new"));
    EXPECT_EQ(read_file(path), "new");
    ASSERT_TRUE(write_file_atomic(path, ""));
    EXPECT_EQ(read_file(path), "");
    EXPECT_EQ(dir.entries(), (std::vector<std::string>{"state"}));
}

TEST(WriteFileAtomic, RelativePathInCurrentDirectory) {
    TempDir dir;
    char old_cwd[4096];
    ASSERT_NE(::getcwd(old_cwd, sizeof old_cwd), nullptr);
    ASSERT_EQ(::chdir(dir.path().c_str()), 0);
    auto r = write_file_atomic("relative", "data");
    ASSERT_EQ(::chdir(old_cwd), 0);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(read_file(dir.file("relative")), "data");
}

TEST(WriteFileAtomic, MissingDirectoryFailsAndLeavesNothing) {
    TempDir dir;
    std::string path = dir.file("no-such-dir/state");
    auto r = write_file_atomic(path, "data");
    ASSERT_FALSE(r);
    const std::string temp = path + ".tmp." + std::to_string(::getpid());
    EXPECT_EQ(r.error(), path + ": create " + temp + ": No such file or directory");
    EXPECT_TRUE(dir.entries().empty());
}

TEST(WriteFileAtomic, FailedRenameLeavesOldTargetAndNoTemporary) {
    TempDir dir;
    std::string path = dir.file("target");
    // A non-empty directory where the file should go: rename() must fail.
    ASSERT_EQ(::mkdir(path.c_str(), 0755), 0);
    write_file(path + "/keep", "kept");
    auto r = write_file_atomic(path, "data");
    ASSERT_FALSE(r);
    const std::string temp = path + ".tmp." + std::to_string(::getpid());
    EXPECT_EQ(r.error(), path + ": rename " + temp + ": Is a directory");
    EXPECT_EQ(dir.entries(), (std::vector<std::string>{"target"}));
    EXPECT_EQ(read_file(path + "/keep"), "kept");
}

TEST(AppendFile, DefaultIsClosed) {
    AppendFile f;
    EXPECT_FALSE(f.is_open());
    EXPECT_EQ(f.fd(), -1);
    EXPECT_EQ(f.size(), -1);
    EXPECT_FALSE(f.append("x"));
    EXPECT_FALSE(f.sync());
    f.close(); // harmless
}

TEST(AppendFile, AppendSyncAndSize) {
    UmaskGuard umask(022);
    TempDir dir;
    std::string path = dir.file("leases");
    auto f = AppendFile::open(path);
    ASSERT_TRUE(f) << f.error();
    EXPECT_TRUE(f->is_open());
    EXPECT_EQ(f->path(), path);
    EXPECT_EQ(f->size(), 0);
    EXPECT_EQ(mode_of(path), 0644u);
    // O_CLOEXEC, as documented.
    EXPECT_NE(::fcntl(f->fd(), F_GETFD) & FD_CLOEXEC, 0);

    ASSERT_TRUE(f->append("abc"));
    ASSERT_TRUE(f->append(""));
    ASSERT_TRUE(f->append(std::string_view("d\0f", 3)));
    EXPECT_EQ(f->size(), 6);
    auto s = f->sync();
    ASSERT_TRUE(s) << s.error();
    EXPECT_EQ(read_file(path), std::string("abcd\0f", 6));

    std::string big(1 << 20, 'z');
    ASSERT_TRUE(f->append(big));
    ASSERT_TRUE(f->sync());
    EXPECT_EQ(f->size(), 6 + (1 << 20));
    f->close();
    EXPECT_FALSE(f->is_open());
    EXPECT_EQ(f->size(), -1);
}

TEST(AppendFile, AppendsToExistingContent) {
    TempDir dir;
    std::string path = dir.file("log");
    write_file(path, "old\n");
    {
        auto f = AppendFile::open(path, 0600);
        ASSERT_TRUE(f);
        EXPECT_EQ(f->size(), 4);
        ASSERT_TRUE(f->append("new\n"));
        ASSERT_TRUE(f->sync());
    }
    EXPECT_EQ(read_file(path), "old\nnew\n");
    EXPECT_EQ(mode_of(path), 0644u) << "mode applies only when creating";
}

TEST(AppendFile, OpenFailure) {
    TempDir dir;
    std::string path = dir.file("missing/log");
    auto f = AppendFile::open(path);
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error(), path + ": open: No such file or directory");
}

TEST(AppendFile, MoveTransfersTheDescriptor) {
    TempDir dir;
    auto f = AppendFile::open(dir.file("a"));
    ASSERT_TRUE(f);
    int fd = f->fd();
    AppendFile moved(std::move(*f));
    EXPECT_FALSE(f->is_open());
    EXPECT_EQ(moved.fd(), fd);
    EXPECT_EQ(moved.path(), dir.file("a"));
    ASSERT_TRUE(moved.append("1"));

    auto g = AppendFile::open(dir.file("b"));
    ASSERT_TRUE(g);
    int old_fd = g->fd();
    *g = std::move(moved);
    EXPECT_FALSE(moved.is_open());
    EXPECT_EQ(g->fd(), fd);
    EXPECT_EQ(g->path(), dir.file("a"));
    // The descriptor g held before was closed.
    EXPECT_EQ(::fcntl(old_fd, F_GETFD), -1);
    ASSERT_TRUE(g->append("2"));
    g->close();
    EXPECT_EQ(::fcntl(fd, F_GETFD), -1);
    EXPECT_EQ(read_file(dir.file("a")), "12");
    EXPECT_EQ(read_file(dir.file("b")), "");
}

} // namespace
} // namespace superd::common
