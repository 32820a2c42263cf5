#include "ntpd/discipline.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include <sys/timex.h>

namespace superd::ntp {

namespace {

// adjtime()'s limit: the kernel slews a single-shot offset at 500 ppm, so anything over a few
// hundred milliseconds takes long; ntpd steps beyond 128 ms, we never do.
constexpr double max_slew_seconds = 0.5;

} // namespace

Discipline::Discipline(std::shared_ptr<spdlog::logger> log, double panic_seconds)
    : log_(std::move(log))
    , panic_(panic_seconds) {
    log_->info("clock discipline on (enable ntp): slewing the system clock, never stepping");
}

bool Discipline::refused(int error, const char* what) {
    if (error == EPERM) {
        log_->error("clock discipline: the kernel refused to {}: {} (no CAP_SYS_TIME); the "
                    "clock is left alone from now on",
                    what, std::strerror(error));
    } else {
        log_->error("clock discipline: cannot {}: {}; the clock is left alone from now on", what,
                    std::strerror(error));
    }
    active_ = false;
    return true;
}

void Discipline::set_frequency(double ppm) {
    if (!active_) return;
    timex tx{};
    tx.modes = ADJ_FREQUENCY;
    tx.freq = static_cast<long>(std::llround(ppm * 65536.0)); // ppm, 16 fractional bits
    if (::adjtimex(&tx) < 0) {
        refused(errno, "set the frequency");
        return;
    }
    frequency_ppm_ = ppm;
    log_->info("clock discipline: frequency {:.3f} ppm from the driftfile", ppm);
}

void Discipline::slew(double offset) {
    if (!active_ || !std::isfinite(offset)) return;
    if (panic_ > 0 && std::fabs(offset) > panic_) {
        log_->error("clock discipline: offset {:.6f} s is past the panic threshold ({} s); not "
                    "touching the clock",
                    offset, panic_);
        return;
    }
    double amount = std::clamp(offset, -max_slew_seconds, max_slew_seconds);
    timex tx{};
    tx.modes = ADJ_OFFSET_SINGLESHOT;
    // A positive offset: the upstream is ahead of us, so the clock must gain time.
    tx.offset = static_cast<long>(std::llround(amount * 1e6)); // microseconds
    if (::adjtimex(&tx) < 0) {
        refused(errno, "slew the clock");
        return;
    }
    ++slews_;
    log_->debug("clock discipline: slewing {:+.6f} s", amount);
}

} // namespace superd::ntp
