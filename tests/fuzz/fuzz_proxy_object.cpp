// libFuzzer target: the cache object metadata reader (proxy/object_meta.hpp), which reads files
// from a cache_dir that any crash, disk error or other program may have damaged.
// read_meta must never crash or read outside its input, whatever file size it is told; what
// parses must encode to the same bytes, parse again to the same object from a prefix that
// stops at the body, and agree with meta_size_needed.
// The stored header block is read back with parse_header_block (cached_object.hpp), so the
// input is also read as one: it must not crash, and what parses re-encodes and parses again.
// Seeds: tests/fuzz/corpus/fuzz_proxy_object/ (objects written by proxy::Store: a 200 with a
// body, a Vary-keyed one, a 404 with an empty body, a 206, and one truncated in its body).
#include "fuzz_setup.hpp"

#include "proxy/cached_object.hpp"
#include "proxy/object_meta.hpp"

#include <cstring>

namespace {

using superd::fuzz::require;
namespace proxy = superd::proxy;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> in(data, size);
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto header = proxy::parse_header_block(text)) {
        auto again = proxy::parse_header_block(proxy::header_block_of(*header));
        require(again && again->result_int() == header->result_int(),
                "a parsed header block re-encodes to one that parses");
        auto object = proxy::make_cached_object(
            "k", static_cast<std::uint16_t>(header->result_int()), text, {0, 0}, 0, 0);
        require(object.has_value(), "a parsed header block makes an object");
    }
    // Told the file is longer than what we hold: still reads only `in` (ASan checks that).
    (void)proxy::read_meta(in, static_cast<std::uint64_t>(size) + 4096);
    (void)proxy::read_meta(in, UINT64_MAX);

    auto parsed = proxy::read_meta(in);
    if (!parsed) return 0;
    require(parsed->body_offset <= size, "the body starts inside the file");
    require(parsed->body_offset + parsed->meta.body_length == size, "the body ends the file");
    require(proxy::validate_meta(parsed->meta).has_value(), "what parses is valid to write");

    auto needed = proxy::meta_size_needed(in);
    require(needed && *needed == parsed->body_offset, "meta_size_needed agrees");

    std::string wire = proxy::encode_meta(parsed->meta);
    require(wire.size() == parsed->body_offset && std::memcmp(wire.data(), data, wire.size()) == 0,
            "encode(read(x)) == x up to the body");

    auto again = proxy::read_meta(in.first(parsed->body_offset), size);
    require(again && again->meta == parsed->meta && again->body_offset == parsed->body_offset,
            "a prefix up to the body reads the same object");
    return 0;
}
