using LexV2.ResourcePolicy.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace LexV2.ResourcePolicy.Tests.Resilience;

/// <summary>Hostile review (issues 13-15): the adaptive limiter under a clock that is set back (FakeTimeProvider.AdjustTime, as a clock-skew test does).</summary>
public class AdaptiveRateLimiterClockTests
{
    /// <summary>
    /// Refill adds (now - lastRefill) x rate tokens without checking the sign: a clock set back by an hour takes an hour's worth
    /// of tokens out of the bucket, and the next caller is told to wait that hour. A consumer's test that moves its fake clock
    /// back (to exercise the client's clock-skew correction) in adaptive mode hangs until its overall timeout.
    /// </summary>
    [Fact]
    public async Task ClockSetBack_DoesNotDrainTheBucket()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var limiter = new AdaptiveRateLimiter(time);
        for (int i = 0; i < 40; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(50));
            limiter.OnResponse(throttled: false);
        }

        limiter.OnResponse(throttled: true);
        time.Advance(TimeSpan.FromSeconds(5)); // the bucket refills

        time.AdjustTime(time.GetUtcNow().AddHours(-1));
        var acquire = limiter.AcquireAsync(1).AsTask();
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(acquire.IsCompleted, $"still waiting after 5 s at a fill rate of {limiter.FillRate:0.##}/s");
    }
}
