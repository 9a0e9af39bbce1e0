using LexV2.ResourcePolicy.Reconcile;

namespace LexV2.ResourcePolicy.Tests.Reconcile;

/// <summary>The reconciler's concurrency gate: halves on throttling (once per burst), grows back by one per `limit` successes.</summary>
[Trait("Issue", "22")]
public class ThrottleGateTests
{
    [Fact]
    public async Task OneBurstOfThrottles_HalvesTheLimitOnce_LaterCallsWaitForAPlace()
    {
        var gate = new ThrottleGate(8);
        var permits = new List<ThrottleGate.Permit>();
        for (int i = 0; i < 8; i++)
        {
            permits.Add(await gate.EnterAsync(CancellationToken.None));
        }

        var ninth = gate.EnterAsync(CancellationToken.None);
        Assert.False(ninth.IsCompleted);

        foreach (var p in permits)
        {
            p.Throttled(); // all 8 entered before the first decrease: together they lower the limit once
        }

        Assert.Equal(4, gate.Limit);
        Assert.Equal(1, gate.Decreases);
        var next = await ninth.WaitAsync(TimeSpan.FromSeconds(5));

        // A throttle of a call that entered after the decrease lowers it again.
        next.Throttled();
        Assert.Equal(2, gate.Limit);
    }

    [Fact]
    public async Task Successes_GrowTheLimitBackByOnePerLimit_UpToTheMaximum()
    {
        var gate = new ThrottleGate(4);
        (await gate.EnterAsync(CancellationToken.None)).Throttled();
        Assert.Equal(2, gate.Limit);

        int[] limits = new int[12];
        for (int i = 0; i < limits.Length; i++)
        {
            (await gate.EnterAsync(CancellationToken.None)).Succeeded();
            limits[i] = gate.Limit;
        }

        // 2 successes at 2 -> 3; 3 at 3 -> 4; then stays at the maximum.
        Assert.Equal([2, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4], limits);
    }

    [Fact]
    public async Task NoMoreThanTheLimitAreInFlight_AndACancelledWaiterHoldsNoPlace()
    {
        var gate = new ThrottleGate(2);
        var a = await gate.EnterAsync(CancellationToken.None);
        var b = await gate.EnterAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var gaveUp = gate.EnterAsync(cancel.Token);
        var waiting = gate.EnterAsync(CancellationToken.None);

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gaveUp);
        Assert.False(waiting.IsCompleted);

        a.Succeeded();
        var c = await waiting.WaitAsync(TimeSpan.FromSeconds(5)); // the place went to the live waiter, not the cancelled one
        b.Abandoned();
        b.Abandoned(); // releasing twice gives back one place
        var d = await gate.EnterAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        var e = gate.EnterAsync(CancellationToken.None);
        Assert.False(e.IsCompleted);
        c.Succeeded();
        d.Succeeded();
        (await e).Succeeded();
    }
}
