#pragma once
// Config diagnostics: every message keeps the file:line it came from, and all of them are
// collected (never stop at the first error).
#include <string>
#include <vector>

namespace superd::common {

struct SourceLocation {
    std::string file;
    int line = 0;
};

enum class Severity { warning, error };

struct Diagnostic {
    Severity severity = Severity::error;
    SourceLocation where;
    std::string message;
    // "file:line: message" for errors, "file:line: warning: message" for warnings;
    // the ":line" part is left out when line is 0 (a whole-file problem).
    std::string str() const;
};

class Diagnostics {
  public:
    void error(const SourceLocation& where, std::string message);
    void warning(const SourceLocation& where, std::string message);
    bool has_errors() const;
    std::size_t error_count() const;
    const std::vector<Diagnostic>& all() const { return all_; }
    void append(const Diagnostics& other);

  private:
    std::vector<Diagnostic> all_;
};

} // namespace superd::common
