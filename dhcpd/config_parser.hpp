#pragma once
// Internal to the dhcpd.conf parser: the statement parser, split between config.cpp
// (files, blocks, declarations), config_parameters.cpp (scope parameters) and
// config_conditions.cpp (`if` and its conditions).
#include "common/config_lines.hpp"
#include "common/diagnostics.hpp"
#include "dhcpd/config.hpp"
#include "dhcpd/config_tokens.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace superd::dhcp::detail {

// What the statements of one block belong to.
struct Frame {
    ScopeKind kind = ScopeKind::global;
    std::size_t scope = 0;
    std::optional<std::size_t> subnet, shared_network, pool, host;
    // Inside an `if` branch: where its statements go (the branch being built, not yet in the
    // config); nullptr outside.
    Parameters* params = nullptr;
    std::vector<IfStatement>* conditionals = nullptr;
};

// False for the declarations and statements an `if` may not hold.
bool allowed_in_if(std::string_view statement);

// Includes nest at most this deep: each level costs stack and an open file.
inline constexpr std::size_t max_include_depth = 8;

class Parser {
  public:
    explicit Parser(common::Diagnostics& diags)
        : diags_(diags) {
        config_.scopes.push_back(Scope{});
    }

    void parse_file(const std::string& path, const Frame& frame, const SourceLocation* from);
    Config finish() && { return std::move(config_); }

  private:
    void parse_statements(TokenCursor& in, const Frame& frame, bool file_level);
    void parse_statement(TokenCursor& in, const Frame& frame);
    void parse_block(TokenCursor& in, const Token& keyword, const Frame& frame);
    void parse_subnet(TokenCursor& in, const Token& keyword, const Frame& frame);
    void parse_named(TokenCursor& in, const Token& keyword, const Frame& frame);
    void parse_pool(TokenCursor& in, const Token& keyword, const Frame& frame);
    void parse_range(TokenCursor& in, const Frame& frame);
    void parse_hardware(TokenCursor& in, const Frame& frame);
    void parse_fixed_address(TokenCursor& in, const Frame& frame);
    void parse_permit(TokenCursor& in, const Token& keyword, const Frame& frame);
    void parse_include(TokenCursor& in, const Frame& frame);
    void parse_if(TokenCursor& in, const Token& keyword, const Frame& frame);
    bool parse_parameter(TokenCursor& in, const Token& keyword, const Frame& frame);
    void parse_seconds(TokenCursor& in, const Token& keyword,
                       std::optional<Setting<std::uint32_t>>& slot);
    std::optional<std::uint32_t> read_ip(TokenCursor& in);
    std::optional<std::string> read_word(TokenCursor& in, const Token& keyword, bool quoted);

    std::size_t new_scope(ScopeKind kind, std::size_t parent) {
        config_.scopes.push_back(Scope{kind, parent, {}});
        return config_.scopes.size() - 1;
    }
    Parameters& params(const Frame& frame) {
        return frame.params ? *frame.params : config_.scopes[frame.scope].params;
    }
    std::vector<IfStatement>& conditionals(const Frame& frame) {
        return frame.conditionals ? *frame.conditionals : config_.scopes[frame.scope].conditionals;
    }
    // Every setting is stamped with its statement's place in the config (Setting::order).
    template <class T> void set(std::optional<Setting<T>>& slot, T value, SourceLocation where) {
        slot = Setting<T>{std::move(value), std::move(where), ++order_};
    }

    Config config_;
    OptionDeclarations declarations_;
    common::Diagnostics& diags_;
    common::IncludeStack includes_{max_include_depth};
    int block_depth_ = 0;
    std::uint32_t order_ = 0;
};

} // namespace superd::dhcp::detail
