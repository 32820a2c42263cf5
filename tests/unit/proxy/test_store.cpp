// The ufs disk store and its object format: round trips, crash leftovers, corruption, sharing
// one cache_dir between processes, LRU eviction, collisions, errors.
#include "proxy/object_meta.hpp"
#include "proxy/store.hpp"

#include "tests/unit/common/temp_dir.hpp"

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <gtest/gtest.h>
#include <set>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace superd::proxy {
namespace {

using common::FakeClock;
using common::test::read_file;
using common::test::TempDir;
using common::test::write_file;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::span<const std::uint8_t> bytes_of(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

ObjectMeta sample_meta(std::string key, std::uint16_t status = 200) {
    ObjectMeta m;
    m.key = std::move(key);
    m.status = status;
    m.request_time = 1767225600;
    m.response_time = 1767225601;
    m.header_block = "HTTP/1.1 " + std::to_string(status) +
                     " OK\r\nContent-Type: text/plain\r\nCache-Control: max-age=60\r\n\r\n";
    return m;
}

// A body that tells where it came from, so a mixed-up object is noticed.
std::string body_for(const std::string& tag, std::size_t size) {
    std::string b;
    while (b.size() < size)
        b += tag + ":" + std::to_string(b.size()) + ";";
    b.resize(size);
    return b;
}

// A clock at the real time, so that temps written by the kernel's clock age consistently.
FakeClock real_time_clock() {
    FakeClock c;
    c.set_wall(std::chrono::system_clock::now());
    return c;
}

StoreConfig small_config(const std::string& dir, std::uint64_t max_bytes = 1 << 20) {
    StoreConfig c;
    c.dir = dir;
    c.max_bytes = max_bytes;
    c.l1 = 4;
    c.l2 = 4;
    return c;
}

std::unique_ptr<Store> attach(const StoreConfig& config, const common::Clock& clock) {
    auto s = Store::attach(config, clock);
    EXPECT_TRUE(s) << (s ? "" : s.error());
    return s ? std::move(*s) : nullptr;
}

void put(Store& store, const std::string& key, const std::string& body, std::size_t chunk = 7) {
    auto w = store.begin_write(sample_meta(key));
    ASSERT_TRUE(w) << w.error();
    for (std::size_t at = 0; at < body.size(); at += chunk) {
        auto ok = w->append(std::string_view(body).substr(at, chunk));
        ASSERT_TRUE(ok) << ok.error();
    }
    auto ok = w->commit();
    ASSERT_TRUE(ok) << ok.error();
}

// The body stored for key, or "<miss N>".
std::string get(Store& store, const std::string& key) {
    auto h = store.open(key);
    if (!h) return "<miss " + std::to_string(static_cast<int>(h.error().reason)) + ">";
    auto body = h->read_body(0, h->body_length());
    return body ? *body : "<read error>";
}

// Every file under dir whose name starts with `prefix` (".tmp." or an 8-hex object name).
std::vector<std::string> files_under(const std::string& dir, std::string_view prefix = {}) {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        std::string name = e.path().filename();
        if (e.is_regular_file() && name.starts_with(prefix) && name.rfind("superd-", 0) != 0)
            out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::uint64_t object_bytes_on_disk(const std::string& dir) {
    std::uint64_t total = 0;
    for (const auto& p : files_under(dir))
        if (fs::path(p).filename().string().size() == 8) total += fs::file_size(p);
    return total;
}

// ---- the object format ----

TEST(ObjectMeta, RoundTrip) {
    ObjectMeta m = sample_meta("http://example.com/a");
    m.stored_time = 1767225700;
    m.body_length = 5;
    std::string file = encode_meta(m) + "hello";
    auto r = read_meta(bytes_of(file));
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->meta, m);
    EXPECT_EQ(r->body_offset, kObjectFixedSize + m.key.size() + m.header_block.size());
    EXPECT_EQ(file.substr(r->body_offset), "hello");
    // A prefix that stops at the body is enough when the file size is given.
    auto p = read_meta(bytes_of(file).first(r->body_offset), file.size());
    ASSERT_TRUE(p) << p.error();
    EXPECT_EQ(p->meta, m);
}

TEST(ObjectMeta, EveryTruncationIsRejected) {
    ObjectMeta m = sample_meta("k");
    m.body_length = 3;
    std::string file = encode_meta(m) + "abc";
    for (std::size_t n = 0; n < file.size(); ++n)
        EXPECT_FALSE(read_meta(bytes_of(file.substr(0, n)))) << "length " << n;
    std::string longer = file + "x";
    EXPECT_FALSE(read_meta(bytes_of(longer))) << "a trailing byte";
}

TEST(ObjectMeta, EveryBitFlipInMetadataIsRejected) {
    ObjectMeta m = sample_meta("http://example.com/flip");
    m.body_length = 4;
    std::string file = encode_meta(m) + "body";
    std::size_t covered = file.size() - 4;
    for (std::size_t i = 0; i < covered; ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            std::string bad = file;
            bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
            EXPECT_FALSE(read_meta(bytes_of(bad))) << "byte " << i << " bit " << bit;
        }
    }
    // The body is not hashed (streamed, possibly large): only its length is checked.
    std::string body_flip = file;
    body_flip.back() ^= 1;
    EXPECT_TRUE(read_meta(bytes_of(body_flip)));
}

TEST(ObjectMeta, HugeLengthsAreRejectedBeforeReading) {
    ObjectMeta m = sample_meta("k");
    std::string file = encode_meta(m);
    std::string big_key = file;
    big_key[8] = big_key[9] = big_key[10] = big_key[11] = '\xff';
    EXPECT_EQ(read_meta(bytes_of(big_key)).error(), "bad key length");
    std::string big_body = file;
    for (int i = 16; i < 24; ++i)
        big_body[i] = '\xff';
    EXPECT_FALSE(read_meta(bytes_of(big_body)));
    EXPECT_EQ(read_meta(bytes_of(file), file.size() - 1).error(), "prefix larger than the file");
}

TEST(ObjectMeta, ValidateAndKeys) {
    EXPECT_FALSE(validate_meta(sample_meta("")));
    EXPECT_FALSE(validate_meta(sample_meta("k", 99)));
    EXPECT_FALSE(validate_meta(sample_meta("k", 1000)));
    EXPECT_TRUE(validate_meta(sample_meta("k")));
    EXPECT_EQ(make_cache_key("http://a/"), "http://a/");
    EXPECT_EQ(make_cache_key("http://a/", "accept-encoding=gzip"),
              "http://a/\naccept-encoding=gzip");
}

// ---- layout ----

TEST(StoreLayout, SquidUfsPaths) {
    // squid's ufs: L1 = fn/L2/L2 % L1, L2 = fn/L2 % L2, name %08X.
    EXPECT_EQ(object_relative_path(0x12345678, 16, 256), "04/56/12345678");
    EXPECT_EQ(object_relative_path(0, 16, 256), "00/00/00000000");
    EXPECT_EQ(object_relative_path(0xFFFFFFFF, 16, 256), "0F/FF/FFFFFFFF");
}

TEST(StoreLayout, CreateLayoutMakesEveryDirectory) {
    TempDir tmp;
    std::string dir = tmp.file("cache/one");
    // Not squid's 16 x 256: removing 4,096 directories afterwards takes seconds on some disks.
    ASSERT_TRUE(create_layout(dir, 2, 171));
    std::size_t dirs = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        dirs += e.is_directory();
    EXPECT_EQ(dirs, 2u + 2u * 171u);
    EXPECT_TRUE(fs::is_directory(dir + "/01/AA")) << "upper-case hex, as squid";
    EXPECT_FALSE(fs::exists(dir + "/02"));
    EXPECT_TRUE(create_layout(dir, 2, 171)) << "idempotent";
    EXPECT_FALSE(create_layout(dir, 0, 256));
    EXPECT_FALSE(create_layout(dir, 16, 257));
}

TEST(StoreLayout, AttachCreatesMissingLayout) {
    TempDir tmp;
    FakeClock clock;
    auto store = attach(small_config(tmp.file("fresh")), clock);
    ASSERT_TRUE(store);
    EXPECT_TRUE(fs::is_directory(tmp.file("fresh/03/03")));
    // A sub-directory removed behind our back is recreated by the writer.
    fs::remove_all(tmp.file("fresh"));
    put(*store, "http://x/", "body");
    EXPECT_EQ(get(*store, "http://x/"), "body");
}

TEST(StoreLayout, BadConfigIsAnError) {
    TempDir tmp;
    FakeClock clock;
    write_file(tmp.file("plain"), "not a directory");
    EXPECT_FALSE(Store::attach(small_config(tmp.file("plain")), clock));
    auto c = small_config(tmp.file("c"));
    c.max_bytes = 0;
    EXPECT_FALSE(Store::attach(c, clock));
    c = small_config(tmp.file("c"));
    c.l1 = 300;
    EXPECT_FALSE(Store::attach(c, clock));
}

// ---- objects ----

TEST(Store, RoundTrip) {
    TempDir tmp;
    FakeClock clock;
    auto store = attach(small_config(tmp.path()), clock);
    std::string body = body_for("rt", 100'000);
    put(*store, "http://example.com/big", body, 4096);

    auto h = store->open("http://example.com/big");
    ASSERT_TRUE(h) << h.error().detail;
    EXPECT_EQ(h->meta().key, "http://example.com/big");
    EXPECT_EQ(h->meta().status, 200);
    EXPECT_EQ(h->meta().request_time, 1767225600);
    EXPECT_EQ(h->meta().response_time, 1767225601);
    EXPECT_EQ(h->meta().stored_time, 1767225600); // the fake clock's start
    EXPECT_EQ(h->meta().header_block, sample_meta("x").header_block);
    EXPECT_EQ(h->body_length(), body.size());
    EXPECT_EQ(h->path(), store->path_for("http://example.com/big"));
    EXPECT_EQ(*h->read_body(0, body.size()), body);
    EXPECT_EQ(*h->read_body(1000, 10), body.substr(1000, 10));                    // a range
    EXPECT_EQ(*h->read_body(body.size() - 3, 100), body.substr(body.size() - 3)); // clipped
    EXPECT_FALSE(h->read_body(body.size() + 1, 1));
    // The body sits at body_offset in the file, for sendfile.
    std::string file = read_file(h->path());
    EXPECT_EQ(file.substr(h->body_offset()), body);

    EXPECT_TRUE(files_under(tmp.path(), ".tmp.").empty());
    EXPECT_EQ(store->stats().objects, 1u);
    EXPECT_EQ(store->stats().bytes, file.size());
    EXPECT_EQ(store->open("http://example.com/other").error().reason, MissReason::absent);
}

TEST(Store, EmptyBodyAndVaryKey) {
    TempDir tmp;
    FakeClock clock;
    auto store = attach(small_config(tmp.path()), clock);
    std::string key = make_cache_key("http://a/", "accept-encoding=gzip");
    put(*store, key, "");
    EXPECT_EQ(get(*store, key), "");
    EXPECT_EQ(store->open("http://a/").error().reason, MissReason::absent);
}

TEST(Store, ReplaceAndRemove) {
    TempDir tmp;
    FakeClock clock;
    auto store = attach(small_config(tmp.path()), clock);
    put(*store, "k", "version one");
    auto old = store->open("k");
    ASSERT_TRUE(old);
    put(*store, "k", "version two, longer");
    EXPECT_EQ(get(*store, "k"), "version two, longer");
    // An open handle keeps reading what it opened.
    EXPECT_EQ(*old->read_body(0, 100), "version one");
    EXPECT_EQ(store->stats().objects, 1u);
    EXPECT_EQ(store->stats().bytes, object_bytes_on_disk(tmp.path()));

    EXPECT_EQ(store->remove("k"), true);
    EXPECT_EQ(store->open("k").error().reason, MissReason::absent);
    EXPECT_EQ(store->remove("k"), false);
    EXPECT_EQ(store->stats().objects, 0u);
    EXPECT_EQ(store->stats().bytes, 0u);
}

TEST(Store, UpdateHeadersAfter304KeepsTheBody) {
    TempDir tmp;
    FakeClock clock;
    auto store = attach(small_config(tmp.path()), clock);
    std::string body = body_for("304", 200'000);
    put(*store, "k", body, 65536);
    auto old = store->open("k");
    ASSERT_TRUE(old);
    ObjectMeta fresh = old->meta();
    fresh.header_block = "HTTP/1.1 200 OK\r\nETag: \"v2\"\r\n\r\n";
    fresh.response_time += 100;
    clock.advance(100s);
    auto ok = store->update_headers(*old, fresh);
    ASSERT_TRUE(ok) << ok.error();
    auto h = store->open("k");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->meta().header_block, fresh.header_block);
    EXPECT_EQ(h->meta().response_time, fresh.response_time);
    EXPECT_EQ(h->meta().stored_time, old->meta().stored_time + 100);
    EXPECT_EQ(*h->read_body(0, body.size()), body);
    EXPECT_EQ(store->stats().objects, 1u);
    fresh.key = "other";
    EXPECT_FALSE(store->update_headers(*old, fresh));
}

// ---- crashes and corruption ----

TEST(Store, AbortedWriterIsNeverVisible) {
    TempDir tmp;
    FakeClock clock;
    auto store = attach(small_config(tmp.path()), clock);
    {
        auto w = store->begin_write(sample_meta("k"));
        ASSERT_TRUE(w);
        ASSERT_TRUE(w->append("partial"));
        EXPECT_EQ(files_under(tmp.path(), ".tmp.").size(), 1u);
        EXPECT_EQ(store->open("k").error().reason, MissReason::absent);
        w->abort();
        EXPECT_FALSE(w->append("more"));
        EXPECT_FALSE(w->commit());
    }
    {
        auto w = store->begin_write(sample_meta("k"));
        ASSERT_TRUE(w);
        ASSERT_TRUE(w->append("dropped without commit"));
    }
    EXPECT_TRUE(files_under(tmp.path()).empty());
    EXPECT_EQ(store->open("k").error().reason, MissReason::absent);
    EXPECT_EQ(store->stats().objects, 0u);
}

// The pid of a process that has exited (and been reaped).
pid_t dead_pid() {
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    ::waitpid(pid, nullptr, 0);
    return pid;
}

TEST(Store, CrashedWritersTempIsCleanedByTheScan) {
    TempDir tmp;
    FakeClock clock = real_time_clock();
    auto store = attach(small_config(tmp.path()), clock);
    // A crashed writer's temp, holding even a complete object: still never served.
    ObjectMeta m = sample_meta("k");
    m.body_length = 4;
    std::string dir = fs::path(store->path_for("k")).parent_path();
    std::string dead = dir + "/.tmp." + std::to_string(dead_pid()) + ".0";
    std::string live = dir + "/.tmp." + std::to_string(::getpid()) + ".999999";
    write_file(dead, encode_meta(m) + "body");
    write_file(live, encode_meta(m) + "body");
    EXPECT_EQ(store->open("k").error().reason, MissReason::absent);

    auto r = store->scan();
    ASSERT_TRUE(r && r->ran);
    EXPECT_EQ(r->temps_removed, 0u) << "too young to judge";
    clock.advance(11min);
    r = store->scan();
    EXPECT_EQ(r->temps_removed, 1u);
    EXPECT_FALSE(fs::exists(dead));
    EXPECT_TRUE(fs::exists(live)) << "its writer runs";
    clock.advance(1h);
    r = store->scan();
    EXPECT_EQ(r->temps_removed, 1u) << "a temp untouched for an hour is dead whatever its pid";
    EXPECT_FALSE(fs::exists(live));
    EXPECT_EQ(r->objects, 0u);
}

TEST(Store, TruncatedOrFlippedObjectsAreRejectedAndRemoved) {
    TempDir tmp;
    FakeClock clock;
    auto store = attach(small_config(tmp.path()), clock);
    std::string body = body_for("c", 5000);
    struct Damage {
        const char* what;
        std::function<void(std::string&)> apply;
    };
    std::vector<Damage> damages = {
        {"truncated in the body", [](std::string& f) { f.resize(f.size() - 100); }},
        {"truncated in the header block", [](std::string& f) { f.resize(100); }},
        {"truncated in the fixed part", [](std::string& f) { f.resize(20); }},
        {"empty", [](std::string& f) { f.clear(); }},
        {"bit flipped in the header block", [](std::string& f) { f[70] ^= 0x04; }},
        {"bit flipped in the status", [](std::string& f) { f[6] ^= 0x01; }},
        {"extended", [](std::string& f) { f += "junk"; }},
        {"foreign file", [](std::string& f) { f = "GET / HTTP/1.1\r\n\r\n"; }},
    };
    for (const auto& d : damages) {
        SCOPED_TRACE(d.what);
        put(*store, "k", body, 1000);
        std::string path = store->path_for("k");
        std::string file = read_file(path);
        d.apply(file);
        write_file(path, file);
        auto h = store->open("k");
        ASSERT_FALSE(h);
        EXPECT_EQ(h.error().reason, MissReason::corrupt) << h.error().detail;
        EXPECT_FALSE(fs::exists(path));
        EXPECT_EQ(store->stats().objects, 0u);
    }
}

// A child writes a large object slowly; SIGKILL lands mid-write. Afterwards the previous
// complete version (or nothing) is served, never a torn object, and the temp is cleaned.
TEST(Store, SigkillMidWriteLeavesNoCorruptObject) {
    TempDir tmp;
    FakeClock clock = real_time_clock();
    StoreConfig config = small_config(tmp.path(), 64 << 20);
    {
        auto store = attach(config, clock);
        put(*store, "kept", "previous complete version");
    }
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(ready[0]);
        auto s = Store::attach(config, clock);
        if (!s) ::_exit(2);
        auto kept = (*s)->begin_write(sample_meta("kept"));
        auto fresh = (*s)->begin_write(sample_meta("fresh"));
        if (!kept || !fresh) ::_exit(3);
        std::string chunk(4096, 'x');
        for (int i = 0;; ++i) {
            if (!kept->append(chunk) || !fresh->append(chunk)) ::_exit(4);
            if (i == 16) (void)!::write(ready[1], "r", 1);
            ::usleep(1000);
        }
    }
    ::close(ready[1]);
    char c;
    ASSERT_EQ(::read(ready[0], &c, 1), 1);
    ::close(ready[0]);
    ::kill(child, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status));

    auto store = attach(config, clock);
    EXPECT_EQ(get(*store, "kept"), "previous complete version");
    EXPECT_EQ(store->open("fresh").error().reason, MissReason::absent);
    EXPECT_EQ(files_under(tmp.path(), ".tmp.").size(), 2u);
    clock.advance(11min);
    auto r = store->scan();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->temps_removed, 2u);
    EXPECT_EQ(r->objects, 1u);
    EXPECT_TRUE(files_under(tmp.path(), ".tmp.").empty());
    EXPECT_EQ(get(*store, "kept"), "previous complete version");
}

// ---- sharing one cache_dir ----

TEST(Store, TwoStoresSeeEachOther) {
    TempDir tmp;
    FakeClock clock;
    auto a = attach(small_config(tmp.path()), clock);
    auto b = attach(small_config(tmp.path()), clock);
    put(*a, "from-a", "A");
    put(*b, "from-b", "B");
    EXPECT_EQ(get(*b, "from-a"), "A");
    EXPECT_EQ(get(*a, "from-b"), "B");
    EXPECT_EQ(b->remove("from-a"), true);
    EXPECT_EQ(a->open("from-a").error().reason, MissReason::absent);
    EXPECT_EQ(a->stats().objects, 1u);
}

TEST(Store, ConcurrentWritersInTwoProcesses) {
    TempDir tmp;
    FakeClock clock;
    StoreConfig config = small_config(tmp.path(), 64 << 20);
    auto parent_store = attach(config, clock);
    constexpr int kObjects = 40;
    int go[2];
    ASSERT_EQ(::pipe(go), 0);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    // Both write their own objects and, interleaved, new versions of one shared key.
    auto write_all = [&](Store& s, const std::string& who) {
        for (int i = 0; i < kObjects; ++i) {
            std::string key = who + "/" + std::to_string(i);
            auto w = s.begin_write(sample_meta(key));
            auto shared = s.begin_write(sample_meta("shared"));
            if (!w || !shared) return false;
            std::string body = body_for(key, 3000 + 97 * i);
            std::string shared_body = body_for("shared-" + key, 5000);
            for (std::size_t at = 0; at < std::max(body.size(), shared_body.size()); at += 500) {
                if (at < body.size() && !w->append(std::string_view(body).substr(at, 500)))
                    return false;
                if (at < shared_body.size() &&
                    !shared->append(std::string_view(shared_body).substr(at, 500)))
                    return false;
            }
            if (!w->commit() || !shared->commit()) return false;
        }
        return true;
    };
    if (child == 0) {
        ::close(go[1]);
        char c;
        if (::read(go[0], &c, 1) != 1) ::_exit(2);
        auto s = Store::attach(config, clock); // its own Store: its own locks
        ::_exit(s && write_all(**s, "child") ? 0 : 1);
    }
    ::close(go[0]);
    ASSERT_EQ(::write(go[1], "g", 1), 1);
    ::close(go[1]);
    EXPECT_TRUE(write_all(*parent_store, "parent"));
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;

    auto fresh = attach(config, clock);
    for (std::string who : {"parent", "child"}) {
        for (int i = 0; i < kObjects; ++i) {
            std::string key = who + "/" + std::to_string(i);
            EXPECT_TRUE(get(*fresh, key) == body_for(key, 3000 + 97 * i)) << key;
        }
    }
    std::string shared = get(*fresh, "shared");
    bool one_of_them = false;
    for (std::string who : {"parent", "child"})
        for (int i = 0; i < kObjects; ++i)
            one_of_them |= shared == body_for("shared-" + who + "/" + std::to_string(i), 5000);
    EXPECT_TRUE(one_of_them) << "the shared key holds one complete version";
    EXPECT_TRUE(files_under(tmp.path(), ".tmp.").empty());
    auto r = fresh->scan();
    EXPECT_EQ(r->objects, 2u * kObjects + 1);
    EXPECT_EQ(fresh->stats().bytes, object_bytes_on_disk(tmp.path()));
}

// ---- eviction ----

TEST(Store, EvictionKeepsUnderTheLimitLeastRecentlyUsedFirst) {
    TempDir tmp;
    FakeClock clock;
    // Each object is 56 + key + header block + 1000 bytes, about 1.1 kB: ten fit in 12 kB.
    StoreConfig config = small_config(tmp.path(), 12'000);
    config.touch_interval = 0s;
    auto store = attach(config, clock);
    auto key = [](int i) { return "http://lru/" + std::to_string(i); };
    for (int i = 0; i < 8; ++i) {
        put(*store, key(i), body_for(key(i), 1000));
        clock.advance(1min);
    }
    // Use 0 and 1 again: now 2 is the least recently used.
    ASSERT_TRUE(store->open(key(0)));
    clock.advance(1min);
    ASSERT_TRUE(store->open(key(1)));
    clock.advance(1min);
    std::vector<int> evicted;
    for (int i = 8; i < 20; ++i) {
        put(*store, key(i), body_for(key(i), 1000));
        clock.advance(1min);
        EXPECT_LE(object_bytes_on_disk(tmp.path()), config.max_bytes) << "after object " << i;
        EXPECT_EQ(store->stats().bytes, object_bytes_on_disk(tmp.path()));
    }
    for (int i = 0; i < 20; ++i)
        if (!store->open(key(i))) evicted.push_back(i);
    // Evicted in LRU order: 2..7 first, then 0 and 1 (used later), then the oldest new ones.
    ASSERT_FALSE(evicted.empty());
    std::vector<int> lru_order = {2, 3, 4, 5, 6, 7, 0, 1, 8, 9, 10, 11, 12, 13, 14, 15};
    EXPECT_EQ(evicted,
              [&] {
                  std::vector<int> v(lru_order.begin(), lru_order.begin() + evicted.size());
                  std::sort(v.begin(), v.end());
                  return v;
              }())
        << "evicted " << evicted.size();
    EXPECT_TRUE(store->open(key(19)));
    EXPECT_LE(store->stats().bytes, config.max_bytes);
}

TEST(Store, ScanRebuildsALostOrWrongEstimate) {
    TempDir tmp;
    FakeClock clock;
    auto store = attach(small_config(tmp.path()), clock);
    for (int i = 0; i < 5; ++i)
        put(*store, "k" + std::to_string(i), body_for("e", 100));
    std::uint64_t bytes = object_bytes_on_disk(tmp.path());
    EXPECT_EQ(store->stats().bytes, bytes);
    write_file(tmp.file("superd-usage"), "garbage");
    // A new process finds it unreadable and scans on attach.
    auto other = attach(small_config(tmp.path()), clock);
    EXPECT_EQ(other->stats().objects, 5u);
    EXPECT_EQ(other->stats().bytes, bytes);
}

TEST(Store, StrayObjectsFromAnotherLayoutAreRemoved) {
    TempDir tmp;
    FakeClock clock;
    auto store = attach(small_config(tmp.path()), clock);
    // 00000010 maps to 00/01 with L1 = L2 = 4; put a copy in 00/00.
    write_file(tmp.file("00/00/00000010"), "stray");
    write_file(tmp.file("00/00/README"), "not ours");
    auto r = store->scan();
    EXPECT_EQ(r->strays_removed, 1u);
    EXPECT_FALSE(fs::exists(tmp.file("00/00/00000010")));
    EXPECT_TRUE(fs::exists(tmp.file("00/00/README")));
}

// ---- collisions ----

TEST(Store, KeyCollisionIsAMissNotAWrongAnswer) {
    TempDir tmp;
    FakeClock clock;
    StoreConfig config = small_config(tmp.path());
    config.file_number = [](std::string_view) { return 0x42u; };
    auto store = attach(config, clock);
    EXPECT_EQ(store->path_for("a"), store->path_for("b"));
    put(*store, "a", "body of a");
    auto miss = store->open("b");
    ASSERT_FALSE(miss);
    EXPECT_EQ(miss.error().reason, MissReason::key_mismatch);
    EXPECT_EQ(get(*store, "a"), "body of a") << "a mismatch does not remove the other key";
    EXPECT_EQ(store->remove("b"), false);
    EXPECT_EQ(get(*store, "a"), "body of a");
    put(*store, "b", "body of b"); // takes the slot
    EXPECT_EQ(store->open("a").error().reason, MissReason::key_mismatch);
    EXPECT_EQ(get(*store, "b"), "body of b");
}

// ---- errors ----

TEST(Store, ObjectLargerThanTheCacheIsRefused) {
    TempDir tmp;
    FakeClock clock;
    StoreConfig config = small_config(tmp.path(), 10'000);
    auto store = attach(config, clock);
    auto w = store->begin_write(sample_meta("big"));
    ASSERT_TRUE(w);
    EXPECT_TRUE(w->append(std::string(8000, 'x')));
    EXPECT_FALSE(w->append(std::string(2000, 'x'))); // over the 9,000-byte low-water mark
    EXPECT_FALSE(w->commit());
    EXPECT_TRUE(files_under(tmp.path()).empty());
    EXPECT_FALSE(store->begin_write(sample_meta(std::string(kMaxKeyLength + 1, 'k'))));
}

// RLIMIT_FSIZE stands in for a full disk (we may run as root, so permissions cannot).
TEST(Store, WriteErrorIsAnErrorNotACrash) {
    TempDir tmp;
    FakeClock clock;
    StoreConfig config = small_config(tmp.path());
    attach(config, clock);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        std::signal(SIGXFSZ, SIG_IGN); // write fails with EFBIG instead of killing us
        struct rlimit lim = {4096, 4096};
        if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) ::_exit(2);
        auto s = Store::attach(config, clock);
        if (!s) ::_exit(3);
        auto w = (*s)->begin_write(sample_meta("k"));
        if (!w) ::_exit(4);
        if (w->append(std::string(10'000, 'x'))) ::_exit(5); // must fail
        if (w->commit()) ::_exit(6);
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(WEXITSTATUS(status), 0);
    EXPECT_TRUE(files_under(tmp.path()).empty()) << "the failed temp is gone";

    // A level-2 directory that is a file: begin_write reports it.
    auto store = attach(config, clock);
    std::string dir = fs::path(store->path_for("k")).parent_path();
    fs::remove_all(dir);
    write_file(dir, "in the way");
    auto w = store->begin_write(sample_meta("k"));
    EXPECT_FALSE(w);
    EXPECT_EQ(store->open("k").error().reason, MissReason::absent);
}

} // namespace
} // namespace superd::proxy
