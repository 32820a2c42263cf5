#include "common/diagnostics.hpp"

#include <algorithm>
#include <utility>

namespace superd::common {

std::string Diagnostic::str() const {
    std::string out = where.file;
    if (where.line != 0) {
        out += ':';
        out += std::to_string(where.line);
    }
    out += ": ";
    if (severity == Severity::warning) out += "warning: ";
    out += message;
    return out;
}

void Diagnostics::error(const SourceLocation& where, std::string message) {
    all_.push_back(Diagnostic{Severity::error, where, std::move(message)});
}

void Diagnostics::warning(const SourceLocation& where, std::string message) {
    all_.push_back(Diagnostic{Severity::warning, where, std::move(message)});
}

bool Diagnostics::has_errors() const {
    return error_count() != 0;
}

std::size_t Diagnostics::error_count() const {
    return static_cast<std::size_t>(std::ranges::count_if(
        all_, [](const Diagnostic& d) { return d.severity == Severity::error; }));
}

void Diagnostics::append(const Diagnostics& other) {
    // Copy first: other may be *this.
    std::vector<Diagnostic> copy = other.all_;
    all_.insert(all_.end(), copy.begin(), copy.end());
}

} // namespace superd::common
