#pragma once
// The INI syntax of etc/vnc.ini, read with inih (Debian's libinih 55) and kept with the
// file:line of every section and key. Only the syntax: what the sections and keys mean is
// config.cpp's business.
//
// inih's rules, as operators of other inih-based programs know them: `[section]` lines,
// `key = value` (or `key: value`) lines, blanks around keys and values dropped, whole-line
// comments starting with `;` or `#`, and a `;` after a blank starting a comment to the end of
// the line. Two departures, both because inih cannot say where a problem was: leading blanks are
// dropped before inih sees a line (so an indented line is an ordinary line, never the
// continuation of the previous value), and section headers are read here (inih's section
// buffer silently cuts names at 49 characters). Every malformed line is reported, not only the
// first one inih would return.
#include "common/diagnostics.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace superd::vnc {

using common::SourceLocation;

struct IniEntry {
    std::string key;
    std::string value;
    SourceLocation where;
};

struct IniSection {
    std::string header; // the text between '[' and ']', blanks around it dropped
    SourceLocation where;
    std::vector<IniEntry> entries; // in file order
};

// The sections of `text` in file order; `file` names it in diagnostics. Keys before the first
// section and malformed lines are errors in diags (and left out).
std::vector<IniSection> read_ini(std::string_view text, const std::string& file,
                                 common::Diagnostics& diags);

} // namespace superd::vnc
