#pragma once
// A console's `command`: the program and its arguments, split the way a shell splits words but
// without a shell (no variables, globs, redirections or pipes: the words go to execvp as is).
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace superd::vnc {

// Words are separated by blanks (space, tab). Within a word:
//   '...'  everything up to the next ' is literal;
//   "..."  literal except \" and \\ (a backslash before anything else stays a backslash);
//   \c     outside quotes, the character c itself (a blank, a quote, a backslash).
// Quoted parts join what touches them (--name="a b" is one word, --name=a b); "" is an empty
// word. Error (a sentence for the operator): an unclosed quote, a backslash at the end, no words.
std::expected<std::vector<std::string>, std::string> split_command(std::string_view text);

} // namespace superd::vnc
