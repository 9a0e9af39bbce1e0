using Amazon.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// The injected latency is a floor on the emulator's clock. The system timer runs on a coarse tick and can fire a little
/// before its due time as a <see cref="System.Diagnostics.Stopwatch"/> measures it: <c>{"latencyMs":300}</c> was once
/// answered in 299 ms (CI, <c>ServeProcessTests</c>). A test that asserts "this call took at least the latency" must hold.
/// </summary>
public class EmulatorLatencyTests
{
    private const string Alias = "arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID12345/ALIASID123";

    [Fact]
    public async Task Latency_IsWaitedOut_WhenTheClocksTimerFiresBeforeItsDueTime()
    {
        var clock = new EarlyTimerClock(DateTimeOffset.UtcNow);
        var emulator = new LexPolicyEmulator(new LexPolicyEmulatorOptions { TimeProvider = clock });
        emulator.Faults.Latency = TimeSpan.FromMilliseconds(300);
        using var client = new LexPolicyClient( // on the system clock: every timer of the fake clock is the emulator's
            new LexPolicyClientOptions { Region = "us-east-1", Credentials = new BasicAWSCredentials(LexPolicyEmulatorOptions.ExampleAccessKey, LexPolicyEmulatorOptions.ExampleSecretKey) },
            emulator);

        var call = client.DescribeResourcePolicyAsync(new() { ResourceArn = Alias });
        await clock.NextTimerAsync();
        clock.Advance(TimeSpan.FromMilliseconds(299)); // the timer fires here, 1 ms early
        var early = await Task.WhenAny(call, Task.Delay(TimeSpan.FromMilliseconds(300)));
        bool answeredEarly = early == call;
        if (!answeredEarly)
        {
            await clock.NextTimerAsync(); // the remaining millisecond
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        await Assert.ThrowsAsync<ResourceNotFoundException>(() => call);
        Assert.False(answeredEarly, "answered after 299 ms of a 300 ms latency");
    }

    /// <summary>A fake clock whose timers longer than 1 ms fire 1 ms before they are due, and which says when one is created.</summary>
    private sealed class EarlyTimerClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private readonly SemaphoreSlim _created = new(0);

        public Task NextTimerAsync() => _created.WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(
            t => Assert.True(t.Result, "no timer was created"), TaskScheduler.Default);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var early = dueTime > TimeSpan.FromMilliseconds(1) && dueTime != Timeout.InfiniteTimeSpan ? dueTime - TimeSpan.FromMilliseconds(1) : dueTime;
            var timer = base.CreateTimer(callback, state, early, period);
            _created.Release();
            return timer;
        }
    }
}
