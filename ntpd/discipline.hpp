#pragma once
// The optional clock discipline (`enable ntp` in ntp.conf; off by default): the system offset
// the client measures is slewed away through adjtimex (ADJ_OFFSET_SINGLESHOT, the kernel's
// adjtime() slew at 500 ppm at most), and the driftfile's frequency is applied at start-up
// (ADJ_FREQUENCY). It never steps the clock: an offset beyond `panic` seconds (`tinker panic`)
// is logged and left for the operator, as ntpd's panic gate would. Without CAP_SYS_TIME the
// kernel refuses; that is logged once and the discipline stays off, the server serving on.
#include <memory>

#include <spdlog/logger.h>

namespace superd::ntp {

class Discipline {
  public:
    Discipline(std::shared_ptr<spdlog::logger> log, double panic_seconds);

    void set_frequency(double ppm);
    // The frequency the kernel was given (0 when none was): the driftfile's value is this plus
    // the error still measured.
    double frequency_ppm() const { return frequency_ppm_; }
    void slew(double offset_seconds);
    // False once the kernel refused (no CAP_SYS_TIME): nothing more is tried.
    bool active() const { return active_; }
    int slews() const { return slews_; }

  private:
    bool refused(int error, const char* what);

    std::shared_ptr<spdlog::logger> log_;
    double panic_;
    bool active_ = true;
    int slews_ = 0;
    double frequency_ppm_ = 0;
};

} // namespace superd::ntp
