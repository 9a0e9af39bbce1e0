using LexV2.ResourcePolicy.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace LexV2.ResourcePolicy.Tests.Resilience;

/// <summary>The adaptive mode's rate limiter, driven by a fake clock: when it starts, how it backs off, how it recovers.</summary>
public class AdaptiveRateLimiterTests
{
    /// <summary>Sends <paramref name="perSecond"/> answers a second for <paramref name="seconds"/> seconds, all successes.</summary>
    private static void Traffic(AdaptiveRateLimiter limiter, FakeTimeProvider time, int perSecond, int seconds, Func<int, bool>? throttleAt = null)
    {
        int n = 0;
        for (int s = 0; s < seconds; s++)
        {
            for (int i = 0; i < perSecond; i++)
            {
                time.Advance(TimeSpan.FromSeconds(1.0 / perSecond));
                limiter.OnResponse(throttleAt?.Invoke(n++) ?? false);
            }
        }
    }

    [Fact]
    public async Task BeforeTheFirstThrottle_EveryPermitIsFree()
    {
        var time = new FakeTimeProvider();
        var limiter = new AdaptiveRateLimiter(time);
        Traffic(limiter, time, 50, 2);

        for (int i = 0; i < 1000; i++)
        {
            using var lease = await limiter.AcquireAsync(1);
            Assert.True(lease.IsAcquired);
        }

        Assert.False(limiter.Enabled);
    }

    [Fact]
    public void AThrottle_StartsPacingAt70PercentOfTheMeasuredRate()
    {
        var time = new FakeTimeProvider();
        var limiter = new AdaptiveRateLimiter(time);
        Traffic(limiter, time, 40, 3);

        limiter.OnResponse(throttled: true);

        Assert.True(limiter.Enabled);
        Assert.InRange(limiter.FillRate, 0.7 * 40 * 0.85, 0.7 * 40 * 1.15);
    }

    [Fact]
    public void RepeatedThrottles_LowerTheRate_DownToAFloor()
    {
        var time = new FakeTimeProvider();
        var limiter = new AdaptiveRateLimiter(time);
        Traffic(limiter, time, 40, 2);
        var rates = new List<double>();
        for (int i = 0; i < 30; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            limiter.OnResponse(throttled: true);
            rates.Add(limiter.FillRate);
        }

        Assert.True(rates[5] < rates[0]);
        Assert.Equal(0.5, rates[^1], 3);
    }

    [Fact]
    public void Successes_RaiseTheRateAgain_AlongTheCubicCurve()
    {
        var time = new FakeTimeProvider();
        var limiter = new AdaptiveRateLimiter(time);
        Traffic(limiter, time, 40, 3);
        limiter.OnResponse(throttled: true);
        double afterThrottle = limiter.FillRate;

        var rates = new List<double>();
        for (int s = 0; s < 8; s++)
        {
            Traffic(limiter, time, 30, 1);
            rates.Add(limiter.FillRate);
        }

        Assert.True(rates[^1] > afterThrottle, $"{afterThrottle} -> {string.Join(", ", rates)}");
        Assert.True(rates[^1] > 40 * 0.9, "recovers to about the rate at the last throttle");
    }

    [Fact]
    public async Task WhenPacing_PermitsAreSpacedByTheFillRate()
    {
        var time = new FakeTimeProvider();
        var limiter = new AdaptiveRateLimiter(time);
        Traffic(limiter, time, 10, 3);
        limiter.OnResponse(throttled: true); // ~7 a second

        int drained = 0;
        while (limiter.AttemptAcquire(1).IsAcquired)
        {
            drained++;
        }

        Assert.InRange(drained, 0, 7); // at most the bucket's capacity (floor of the fill rate)

        Task<System.Threading.RateLimiting.RateLimitLease> waiting = limiter.AcquireAsync(1).AsTask();
        await Task.Delay(20);
        Assert.False(waiting.IsCompleted);
        for (int i = 0; i < 50 && !waiting.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            await Task.Delay(5);
        }

        Assert.True((await waiting).IsAcquired);
    }

    [Fact]
    public async Task AtTheFloorRate_ACallStillGetsThroughEveryTwoSeconds()
    {
        var time = new FakeTimeProvider();
        var limiter = new AdaptiveRateLimiter(time);
        for (int i = 0; i < 40; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            limiter.OnResponse(throttled: true);
        }

        Assert.Equal(0.5, limiter.FillRate, 3); // the bucket holds at most half a token: a permit needs a negative balance

        var permits = new List<Task>();
        for (int i = 0; i < 3; i++)
        {
            permits.Add(limiter.AcquireAsync(1).AsTask());
        }

        for (int step = 0; step < 70 && !permits.TrueForAll(p => p.IsCompleted); step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(2);
        }

        Assert.All(permits, p => Assert.True(p.IsCompletedSuccessfully));
    }

    [Fact]
    public async Task ACancelledWait_GivesItsReservationBack()
    {
        var time = new FakeTimeProvider();
        var limiter = new AdaptiveRateLimiter(time);
        Traffic(limiter, time, 10, 2);
        limiter.OnResponse(throttled: true);
        while (limiter.AttemptAcquire(1).IsAcquired)
        {
        }

        using var cts = new CancellationTokenSource();
        Task cancelled = limiter.AcquireAsync(5, cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        Task next = limiter.AcquireAsync(1).AsTask();
        for (int step = 0; step < 5 && !next.IsCompleted; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(2);
        }

        Assert.True(next.IsCompletedSuccessfully, "a permit one fill interval later, not after the cancelled caller's five");
    }
}
