#include "common/config_lines.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace superd::common {

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string errno_message(const std::string& path, int err) {
    return path + ": " + std::strerror(err);
}

// Plain POSIX I/O so that every failure (including EISDIR on read) reports its own errno.
std::expected<std::string, std::string> read_whole_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::unexpected(errno_message(path, errno));
    std::string content;
    char buffer[8192];
    for (;;) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            ::close(fd);
            return std::unexpected(errno_message(path, err));
        }
        if (n == 0) break;
        content.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return content;
}

} // namespace

std::expected<std::vector<ConfigLine>, std::string> read_config_lines(const std::string& path) {
    auto content = read_whole_file(path);
    if (!content) return std::unexpected(std::move(content.error()));

    std::vector<ConfigLine> lines;
    std::string_view rest = *content;
    int number = 0;
    while (!rest.empty()) {
        std::size_t end = rest.find('\n');
        std::string_view text = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
        if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
        lines.push_back(ConfigLine{SourceLocation{path, ++number}, std::string(text)});
    }
    return lines;
}

std::vector<std::string> split_blanks(std::string_view text) {
    std::vector<std::string> fields;
    std::size_t pos = 0;
    while (pos < text.size()) {
        while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t'))
            ++pos;
        std::size_t start = pos;
        while (pos < text.size() && text[pos] != ' ' && text[pos] != '\t')
            ++pos;
        if (pos > start) fields.emplace_back(text.substr(start, pos - start));
    }
    return fields;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_blank(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_blank(text.back()))
        text.remove_suffix(1);
    return text;
}

std::string quote(std::string_view text) {
    return "'" + std::string(text) + "'";
}

std::string where_text(const SourceLocation& first, const SourceLocation& here) {
    if (first.file == here.file) return "line " + std::to_string(first.line);
    return first.file + ":" + std::to_string(first.line);
}

std::optional<std::vector<ConfigLine>>
IncludeStack::enter(const std::string& path, const SourceLocation* from, Diagnostics& diags) {
    if (std::ranges::find(files_, path) != files_.end()) {
        diags.error(*from, "include loop: '" + path + "' is already being read");
        return std::nullopt;
    }
    if (files_.size() > max_depth_) {
        diags.error(*from, "includes nested more than " + std::to_string(max_depth_) + " deep");
        return std::nullopt;
    }
    auto lines = read_config_lines(path);
    if (!lines) {
        if (from != nullptr) {
            diags.error(*from, "cannot include " + lines.error());
        } else {
            // read_config_lines says "PATH: reason"; the diagnostic adds the path itself.
            std::string reason =
                lines.error().substr(std::min(path.size() + 2, lines.error().size()));
            diags.error({path, 0}, reason);
        }
        return std::nullopt;
    }
    files_.push_back(path);
    return std::move(*lines);
}

} // namespace superd::common
