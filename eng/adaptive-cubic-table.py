#!/usr/bin/env python3
"""Replays a fixed sequence of answers (throttled or not, at fixed times) through botocore's own adaptive-mode rate
limiter (botocore.retries.adaptive.ClientRateLimiter with its TokenBucket, CubicCalculator and RateClocker) on a fake clock,
and prints the token bucket's fill rate after every tenth answer and at the end of each phase. AdaptiveRateLimiterTests
(CubicCurve_MatchesBotocore) feeds the same sequence to the client's limiter and expects these figures.

    python3 eng/adaptive-cubic-table.py
"""
import botocore
from botocore.retries import adaptive, bucket, throttling

# (answers, seconds between answers, throttled): the same phases as the C# test.
PHASES = [
    (30, 0.1, False),   # 10/s for 3 s: the first measurement buckets complete
    (1, 0.1, True),     # a throttle: 70 % of the measured rate
    (40, 0.1, False),   # 4 s of successes at 10/s: the CUBIC curve back up
    (3, 0.05, True),    # three throttles in quick succession
    (80, 0.05, False),  # 4 s at 20/s
    (1, 0.05, True),
    (60, 0.02, False),  # 1.2 s at 50/s
]


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def current_time(self):
        return self.now

    def sleep(self, amount):
        self.now += amount


class Detector:
    def is_throttling_error(self, throttled, **kwargs):
        return throttled


def main():
    clock = FakeClock()
    token_bucket = bucket.TokenBucket(max_rate=1, clock=clock)
    limiter = adaptive.ClientRateLimiter(
        rate_adjustor=throttling.CubicCalculator(starting_max_rate=0, start_time=clock.current_time()),
        rate_clocker=adaptive.RateClocker(clock),
        token_bucket=token_bucket,
        throttling_detector=Detector(),
        clock=clock,
    )
    rates = []
    n = 0
    for count, interval, throttled in PHASES:
        for i in range(count):
            clock.now = round(clock.now + interval, 9)
            limiter.on_receiving_response(throttled=throttled)
            n += 1
            if n % 10 == 0 or i == count - 1:
                rates.append((n, token_bucket.max_rate))
    print(f"// botocore {botocore.__version__}: fill rate after answer n (python3 eng/adaptive-cubic-table.py)")
    print(", ".join(f"[{n}] = {r:.6f}" for n, r in rates))


if __name__ == "__main__":
    main()
