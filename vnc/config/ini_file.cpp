#include "vnc/config/ini_file.hpp"

#include <cstring>

#include <ini.h>

namespace superd::vnc {

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim_blanks(std::string_view text) {
    while (!text.empty() && is_blank(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_blank(text.back()))
        text.remove_suffix(1);
    return text;
}

// Where inih's inline comment starts: a ';' after a blank (or npos).
std::size_t inline_comment(std::string_view text) {
    for (std::size_t i = 1; i < text.size(); ++i)
        if (text[i] == ';' && is_blank(text[i - 1])) return i;
    return std::string_view::npos;
}

// The state shared by the line reader and the key handler that inih calls back. inih reads a
// line, hands its key to the handler, then asks for the next line, so the line the handler
// sees is always the last one read.
class IniReader {
  public:
    IniReader(std::string_view text, const std::string& file, common::Diagnostics& diags)
        : rest_(text)
        , file_(file)
        , diags_(diags) {}

    std::vector<IniSection> read() && {
        ini_parse_stream(&IniReader::read_line, this, &IniReader::handle_key, this);
        finish_line();
        return std::move(sections_);
    }

  private:
    static char* read_line(char* buffer, int size, void* self) {
        return static_cast<IniReader*>(self)->next_line(buffer, size);
    }
    static int handle_key(void* self, const char*, const char* key, const char* value) {
        static_cast<IniReader*>(self)->add_key(key, value);
        return 1;
    }

    SourceLocation here() const { return {file_, line_}; }
    void error(std::string message) { diags_.error(here(), std::move(message)); }

    // Copies the next physical line (without its leading blanks) into inih's buffer, or a blank
    // line in place of what this class handles or refuses itself.
    char* next_line(char* buffer, int size) {
        finish_line();
        if (rest_.empty()) return nullptr;
        std::size_t newline = rest_.find('\n');
        std::string_view line = rest_.substr(0, newline);
        rest_.remove_prefix(newline == std::string_view::npos ? rest_.size() : newline + 1);
        ++line_;
        if (line_ == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3); // UTF-8 BOM
        while (!line.empty() && is_blank(line.front()))
            line.remove_prefix(1);
        while (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);

        std::string_view give = line;
        // inih reads with fgets semantics into a fixed buffer: room for the line, its '\n'
        // and the terminating NUL. A longer line would reach inih in pieces, each a "line".
        const std::size_t longest = size > 2 ? static_cast<std::size_t>(size) - 2 : 0;
        if (line.find('\0') != std::string_view::npos) {
            error("NUL character in the line");
            give = {};
        } else if (line.size() > longest) {
            error("line longer than " + std::to_string(longest) + " characters");
            give = {};
        } else if (line.starts_with('[')) {
            read_section_header(line);
            give = {};
        } else if (!line.empty() && line.front() != ';' && line.front() != '#') {
            awaiting_key_ = true;
        }
        if (!give.empty()) std::memcpy(buffer, give.data(), give.size()); // {} has no data()
        buffer[give.size()] = '\n';
        buffer[give.size() + 1] = '\0';
        return buffer;
    }

    // A key line that inih did not hand to the handler had neither '=' nor ':'.
    void finish_line() {
        if (awaiting_key_) error("expected 'key = value' or '[section]'");
        awaiting_key_ = false;
    }

    void read_section_header(std::string_view line) {
        std::string_view inside = line.substr(1);
        if (std::size_t comment = inline_comment(line); comment != std::string_view::npos)
            inside = line.substr(1, comment - 1);
        std::size_t close = inside.find(']');
        if (close == std::string_view::npos) {
            error("missing ']' in section header");
            in_section_ = false; // its keys cannot be placed; the error above says why
            in_bad_section_ = true;
            return;
        }
        if (!trim_blanks(inside.substr(close + 1)).empty())
            error("unexpected text after ']' in section header");
        sections_.push_back({std::string(trim_blanks(inside.substr(0, close))), here(), {}});
        in_section_ = true;
        in_bad_section_ = false;
    }

    void add_key(const char* key, const char* value) {
        awaiting_key_ = false;
        if (*key == '\0') {
            error("missing key name before '='");
        } else if (in_section_) {
            sections_.back().entries.push_back({key, value, here()});
        } else if (!in_bad_section_) {
            error("key '" + std::string(key) + "' before any [section]");
        }
    }

    std::string_view rest_;
    const std::string& file_;
    common::Diagnostics& diags_;
    int line_ = 0;
    bool awaiting_key_ = false;
    bool in_section_ = false;
    bool in_bad_section_ = false;
    std::vector<IniSection> sections_;
};

} // namespace

std::vector<IniSection> read_ini(std::string_view text, const std::string& file,
                                 common::Diagnostics& diags) {
    return IniReader(text, file, diags).read();
}

} // namespace superd::vnc
