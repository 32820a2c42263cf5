#include "vnc/config/command_line.hpp"

namespace superd::vnc {

std::expected<std::vector<std::string>, std::string> split_command(std::string_view text) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false; // a word has started, even if it is still empty ("")
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == ' ' || c == '\t') {
            if (in_word) words.push_back(std::move(word));
            word.clear();
            in_word = false;
        } else if (c == '\'') {
            std::size_t close = text.find('\'', i + 1);
            if (close == std::string_view::npos)
                return std::unexpected("unclosed ' in the command");
            word.append(text.substr(i + 1, close - i - 1));
            in_word = true;
            i = close;
        } else if (c == '"') {
            in_word = true;
            for (++i;; ++i) {
                if (i >= text.size()) return std::unexpected("unclosed \" in the command");
                if (text[i] == '"') break;
                if (text[i] == '\\' && i + 1 < text.size() &&
                    (text[i + 1] == '"' || text[i + 1] == '\\'))
                    ++i;
                word += text[i];
            }
        } else if (c == '\\') {
            if (i + 1 >= text.size()) return std::unexpected("a backslash ends the command");
            word += text[++i];
            in_word = true;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (in_word) words.push_back(std::move(word));
    if (words.empty()) return std::unexpected("the command is empty");
    return words;
}

} // namespace superd::vnc
