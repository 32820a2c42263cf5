#pragma once
// Every clock read goes through Clock, so tests can freeze and step time.
#include <chrono>

namespace superd::common {

class Clock {
  public:
    virtual ~Clock() = default;
    virtual std::chrono::system_clock::time_point wall() const = 0;   // CLOCK_REALTIME
    virtual std::chrono::steady_clock::time_point steady() const = 0; // CLOCK_MONOTONIC
};

class SystemClock final : public Clock {
  public:
    std::chrono::system_clock::time_point wall() const override;
    std::chrono::steady_clock::time_point steady() const override;
    static const SystemClock& instance();
};

class FakeClock final : public Clock {
  public:
    FakeClock(); // starts at 2026-01-01T00:00:00Z wall, and an arbitrary steady epoch
    std::chrono::system_clock::time_point wall() const override { return wall_; }
    std::chrono::steady_clock::time_point steady() const override { return steady_; }
    void advance(std::chrono::nanoseconds d) {
        wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
        steady_ += d;
    }
    void set_wall(std::chrono::system_clock::time_point t) { wall_ = t; }

  private:
    std::chrono::system_clock::time_point wall_;
    std::chrono::steady_clock::time_point steady_;
};

} // namespace superd::common
