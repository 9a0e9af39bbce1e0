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

    /// <summary>Throttles until the rate is at the floor (0.5/s), then takes every token: the next permit is 2 s away.</summary>
    private static AdaptiveRateLimiter AtTheFloorAndEmpty(FakeTimeProvider time)
    {
        var limiter = new AdaptiveRateLimiter(time);
        for (int i = 0; i < 40; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            limiter.OnResponse(throttled: true);
        }

        while (limiter.AttemptAcquire(1).IsAcquired)
        {
        }

        Assert.Equal(0.5, limiter.FillRate, 3);
        return limiter;
    }

    /// <summary>
    /// Advances the fake clock in steps until <paramref name="done"/> holds; returns the time it took. The limiter's timer fires
    /// inside <see cref="FakeTimeProvider.Advance"/> and completes a released caller's task there, so no real wait is needed.
    /// </summary>
    private static async Task<TimeSpan> AdvanceUntil(FakeTimeProvider time, Func<bool> done, TimeSpan step, TimeSpan limit, Action? eachStep = null)
    {
        var elapsed = TimeSpan.Zero;
        while (!done() && elapsed < limit)
        {
            time.Advance(step);
            elapsed += step;
            eachStep?.Invoke();
            await Task.Yield();
        }

        return elapsed;
    }

    [Fact]
    public async Task ACancelledWaiter_LeavesNoDebt_TheNextOneGetsTheNextToken()
    {
        var time = new FakeTimeProvider();
        var limiter = AtTheFloorAndEmpty(time);

        using var cts = new CancellationTokenSource();
        var cancelled = Enumerable.Range(0, 5).Select(_ => limiter.AcquireAsync(1, cts.Token).AsTask()).ToList();
        Task<System.Threading.RateLimiting.RateLimitLease> next = limiter.AcquireAsync(1).AsTask();
        await cts.CancelAsync();
        foreach (var c in cancelled)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => c);
        }

        Assert.Equal(1, limiter.Waiting);
        var took = await AdvanceUntil(time, () => next.IsCompleted, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(20));

        Assert.True((await next).IsAcquired);
        Assert.InRange(took.TotalSeconds, 1.9, 2.1); // one token at 0.5/s, not the six the callers before it had asked for
        Assert.False(limiter.AttemptAcquire(1).IsAcquired); // and the bucket was not lent out ahead: it is empty, not negative
        bool got = false;
        var again = await AdvanceUntil(time, () => got || (got = limiter.AttemptAcquire(1).IsAcquired), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(20));
        Assert.InRange(again.TotalSeconds, 1.9, 2.1);
    }

    /// <summary>
    /// Callers queued at the floor rate (one every 2 s) while the service recovers: successes raise the rate along the CUBIC
    /// curve and every rise re-times the callers already waiting. With waits fixed when the callers joined, the tenth would
    /// go 20 s later.
    /// </summary>
    [Fact]
    public async Task ARisingRate_ReleasesTheCallersAlreadyWaiting()
    {
        var time = new FakeTimeProvider();
        var limiter = AtTheFloorAndEmpty(time);
        var waiting = Enumerable.Range(0, 10).Select(_ => limiter.AcquireAsync(1).AsTask()).ToList();

        // Each released caller's attempt succeeds 50 ms later; the answers raise the rate.
        int answered = 0;
        var took = await AdvanceUntil(
            time,
            () => waiting.TrueForAll(w => w.IsCompleted),
            TimeSpan.FromMilliseconds(50),
            TimeSpan.FromSeconds(30),
            () =>
            {
                for (int released = waiting.Count(w => w.IsCompleted); answered < released; answered++)
                {
                    limiter.OnResponse(throttled: false);
                }
            });

        Assert.All(waiting, w => Assert.True(w.Result.IsAcquired));
        Assert.True(took.TotalSeconds < 10, $"the tenth waiting caller went {took.TotalSeconds:0.0} s later at a final rate of {limiter.FillRate:0.##}/s");
        Assert.Equal(0, limiter.Waiting);
    }

    [Fact]
    public async Task WaitingCallers_GoInArrivalOrder_AndANewcomerDoesNotOvertakeThem()
    {
        var time = new FakeTimeProvider();
        var limiter = AtTheFloorAndEmpty(time);
        var first = limiter.AcquireAsync(1).AsTask();
        var second = limiter.AcquireAsync(1).AsTask();

        await AdvanceUntil(time, () => first.IsCompleted, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));
        Assert.True(first.IsCompletedSuccessfully);
        Assert.False(second.IsCompleted);
        Assert.False(limiter.AttemptAcquire(1).IsAcquired); // the second caller is first in line for the next token

        await AdvanceUntil(time, () => second.IsCompleted, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));
        Assert.True(second.IsCompletedSuccessfully);
    }

    /// <summary>
    /// The same answers, at the same (fake) times, through botocore's own limiter (<c>python3 eng/adaptive-cubic-table.py</c>,
    /// botocore 1.43.11) and through this one: the same fill rate after every tenth answer and at each phase's end (CUBIC
    /// scale 0.4 and beta 0.7, half-second measurement smoothed by 0.8, at most twice the measured rate, at least 0.5/s).
    /// </summary>
    [Fact]
    public void CubicCurve_MatchesBotocore()
    {
        (int Count, double Interval, bool Throttled)[] phases =
        [
            (30, 0.1, false), (1, 0.1, true), (40, 0.1, false), (3, 0.05, true), (80, 0.05, false), (1, 0.05, true), (60, 0.02, false),
        ];
        var botocore = new Dictionary<int, double>
        {
            [10] = 0.500000, [20] = 3.200000, [30] = 10.800000, [31] = 6.999552, [40] = 9.526461, [50] = 9.999284, [60] = 10.334367,
            [70] = 12.931708, [71] = 13.408266, [74] = 3.430000, [80] = 4.131451, [90] = 4.735806, [100] = 4.894247, [110] = 4.906775,
            [120] = 5.073389, [130] = 5.694090, [140] = 7.068878, [150] = 9.497752, [154] = 10.831646, [155] = 7.582152, [160] = 8.043366,
            [170] = 8.830655, [180] = 9.453758, [190] = 9.931877, [200] = 10.284212, [210] = 10.529961, [215] = 10.618866,
        };

        // Whole ticks per step, as the python clock's rounded steps: the same bucket boundaries on both sides.
        var time = new FakeTimeProvider();
        var limiter = new AdaptiveRateLimiter(time);
        long ticks = 0;
        int n = 0;
        var actual = new Dictionary<int, double>();
        foreach (var (count, interval, throttled) in phases)
        {
            for (int i = 0; i < count; i++)
            {
                long next = ticks + (long)Math.Round(interval * TimeSpan.TicksPerSecond);
                time.Advance(TimeSpan.FromTicks(next - ticks));
                ticks = next;
                limiter.OnResponse(throttled);
                n++;
                if (botocore.ContainsKey(n))
                {
                    actual[n] = limiter.FillRate;
                }
            }
        }

        Assert.All(botocore, b => Assert.True(Math.Abs(actual[b.Key] - b.Value) < 1e-4, $"after answer {b.Key}: {actual[b.Key]:0.######}, botocore {b.Value:0.######}"));
    }
}
