#include "proxy/http_date.hpp"

#include <array>
#include <chrono>
#include <cstdio>

namespace superd::proxy {
namespace {

constexpr std::array<std::string_view, 7> day_names{"Sun", "Mon", "Tue", "Wed",
                                                    "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> long_day_names{
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> month_names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::int64_t seconds_per_day = 86400;

// Reads the grammar left to right; every token is case-sensitive (RFC 9110 5.6.7).
class Cursor {
  public:
    explicit Cursor(std::string_view s)
        : s_(s) {}
    bool literal(std::string_view lit) {
        if (!s_.substr(pos_).starts_with(lit)) return false;
        pos_ += lit.size();
        return true;
    }
    bool digits(std::size_t n, int& out) {
        if (pos_ + n > s_.size()) return false;
        out = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const char c = s_[pos_ + i];
            if (c < '0' || c > '9') return false;
            out = out * 10 + (c - '0');
        }
        pos_ += n;
        return true;
    }
    template <std::size_t N> bool one_of(const std::array<std::string_view, N>& names, int& out) {
        for (std::size_t i = 0; i < N; ++i) {
            if (literal(names[i])) {
                out = static_cast<int>(i);
                return true;
            }
        }
        return false;
    }
    bool at_end() const { return pos_ == s_.size(); }

  private:
    std::string_view s_;
    std::size_t pos_ = 0;
};

struct Fields {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

bool time_of_day(Cursor& c, Fields& f) {
    return c.digits(2, f.hour) && c.literal(":") && c.digits(2, f.minute) && c.literal(":") &&
           c.digits(2, f.second);
}

std::optional<std::int64_t> to_unix(const Fields& f) {
    using namespace std::chrono;
    const year_month_day ymd{year{f.year}, month{static_cast<unsigned>(f.month + 1)},
                             day{static_cast<unsigned>(f.day)}};
    if (!ymd.ok() || f.hour > 23 || f.minute > 59 || f.second > 60) return std::nullopt;
    const std::int64_t days = sys_days{ymd}.time_since_epoch().count();
    return days * seconds_per_day + f.hour * 3600 + f.minute * 60 + std::min(f.second, 59);
}

std::optional<std::int64_t> imf_fixdate(std::string_view text) {
    Cursor c(text);
    Fields f;
    int wday = 0;
    if (c.one_of(day_names, wday) && c.literal(", ") && c.digits(2, f.day) && c.literal(" ") &&
        c.one_of(month_names, f.month) && c.literal(" ") && c.digits(4, f.year) && c.literal(" ") &&
        time_of_day(c, f) && c.literal(" GMT") && c.at_end())
        return to_unix(f);
    return std::nullopt;
}

int full_year(int yy, std::optional<std::int64_t> now) {
    if (!now) return yy < 70 ? 2000 + yy : 1900 + yy;
    using namespace std::chrono;
    const year_month_day today{floor<days>(sys_seconds{seconds{*now}})};
    const int this_year = static_cast<int>(today.year());
    int year = this_year - this_year % 100 + yy;
    if (year > this_year + 50) year -= 100;
    return year;
}

std::optional<std::int64_t> rfc850_date(std::string_view text, std::optional<std::int64_t> now) {
    Cursor c(text);
    Fields f;
    int wday = 0, yy = 0;
    if (c.one_of(long_day_names, wday) && c.literal(", ") && c.digits(2, f.day) && c.literal("-") &&
        c.one_of(month_names, f.month) && c.literal("-") && c.digits(2, yy) && c.literal(" ") &&
        time_of_day(c, f) && c.literal(" GMT") && c.at_end()) {
        f.year = full_year(yy, now);
        return to_unix(f);
    }
    return std::nullopt;
}

std::optional<std::int64_t> asctime_date(std::string_view text) {
    Cursor c(text);
    Fields f;
    int wday = 0;
    if (!c.one_of(day_names, wday) || !c.literal(" ") || !c.one_of(month_names, f.month) ||
        !c.literal(" "))
        return std::nullopt;
    // date3 = month SP ( 2DIGIT / ( SP DIGIT ) )
    if (!(c.literal(" ") ? c.digits(1, f.day) : c.digits(2, f.day))) return std::nullopt;
    if (c.literal(" ") && time_of_day(c, f) && c.literal(" ") && c.digits(4, f.year) && c.at_end())
        return to_unix(f);
    return std::nullopt;
}

} // namespace

std::optional<std::int64_t> parse_http_date(std::string_view text,
                                            std::optional<std::int64_t> now) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    if (text.size() > 3 && text[3] == ',') return imf_fixdate(text);
    if (text.size() > 3 && text[3] == ' ') return asctime_date(text);
    return rfc850_date(text, now);
}

std::string format_http_date(std::int64_t unix_seconds) {
    using namespace std::chrono;
    const sys_seconds t{seconds{unix_seconds}};
    const auto day_start = floor<days>(t);
    const year_month_day ymd{day_start};
    const weekday wd{day_start};
    const hh_mm_ss<seconds> tod{t - day_start};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                  day_names[wd.c_encoding()].data(), static_cast<unsigned>(ymd.day()),
                  month_names[static_cast<unsigned>(ymd.month()) - 1].data(),
                  static_cast<int>(ymd.year()), static_cast<int>(tod.hours().count()),
                  static_cast<int>(tod.minutes().count()), static_cast<int>(tod.seconds().count()));
    return buf;
}

} // namespace superd::proxy
