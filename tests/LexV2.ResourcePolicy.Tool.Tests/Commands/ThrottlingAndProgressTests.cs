using System.Text.Json;
using LexV2.ResourcePolicy.Testing;
using static LexV2.ResourcePolicy.Tool.Tests.Commands.PlanApplyCommandTests;

namespace LexV2.ResourcePolicy.Tool.Tests.Commands;

/// <summary>
/// Issue #22, points 1 and 2, in-process: bulk runs ride out throttling with the default settings (adaptive retry mode unless the
/// user chose one; --retry-mode and --max-attempts), progress streams per resource whatever standard output is, and SIGINT or
/// SIGTERM stops an apply cleanly and says what it wrote.
/// </summary>
[Trait("Issue", "22")]
public class ThrottlingAndProgressTests
{
    /// <summary>
    /// The quota is met whatever the machine's speed: the emulator's clock stands still until its first throttling answer, so
    /// the bucket's one second's worth (20) is all the first requests get and the 21st is refused (the run makes 90); from
    /// then on the clock runs in real time and the bucket refills at 20 a second, as the service's would.
    /// </summary>
    [Fact]
    public async Task Apply_BehindAServiceThrottlingAbove20PerSecond_DefaultSettings_AppliesEveryResource()
    {
        var clock = new HeldClock();
        var emulator = new LexPolicyEmulator(new LexPolicyEmulatorOptions { TimeProvider = clock });
        using var tool = new ToolHarness(emulator);
        string file = tool.File_("many.json", EndToEnd.ThrottledScaleTests.Desired("THRO", 30));
        emulator.Faults.ThrottleAbove(20);

        var apply = await tool.RunAsync(["apply", "--file", file, "--auto-approve"], new ToolHarness.Setting { Transport = new OnFirstThrottle(emulator, clock.Release) });

        Assert.True(apply.Code == 0, apply.Out + apply.Err);
        Assert.Contains("Apply: 30 applied, 0 unchanged, 0 refused, 0 skipped, 0 failed", apply.Out, StringComparison.Ordinal);
        Assert.Contains(emulator.Requests, r => r.Status == (System.Net.HttpStatusCode)429); // it was throttled, and rode it out
    }

    [Fact]
    public async Task RetryMode_IsAdaptiveByDefault_TheUsersChoiceWins_MaxAttemptsTakesEffect()
    {
        using var tool = new ToolHarness();

        var byDefault = await tool.RunAsync("doctor");
        Assert.Matches(@"(?m)^retry mode: +adaptive \(from the tool's default: bulk runs pace themselves\)$", byDefault.Out);
        var chosen = await tool.RunAsync("doctor", "--retry-mode", "standard");
        Assert.Matches(@"(?m)^retry mode: +standard \(from --retry-mode\)$", chosen.Out);

        tool.Emulator.Faults.ThrottleNext(1);
        var once = await tool.RunAsync("show", Alias, "--max-attempts", "1");
        Assert.Equal(1, once.Code);
        Assert.Contains("error: ThrottlingException: ", once.Err, StringComparison.Ordinal);
        tool.Emulator.Faults.ThrottleNext(1);
        Assert.Equal(0, (await tool.RunAsync("show", Alias)).Code); // default: retried

        await tool.AssertRefusedAsync("--max-attempts must be between 1 and 21 (was 0)", "show", Alias, "--max-attempts", "0");
        await tool.AssertRefusedAsync("Argument 'fast' not recognized. Must be one of", "show", Alias, "--retry-mode", "fast");
    }

    [Fact]
    public async Task Apply_Json_ProgressGoesToStandardError_TheResultDocumentToStandardOutput()
    {
        using var tool = new ToolHarness();

        var run = await tool.RunAsync("apply", "--file", tool.File_("lex.json", Desired()), "--auto-approve", "--output", "json");

        Assert.Equal(0, run.Code);
        Assert.Contains($"{Prod}: applied +1 ~0 -0 → revision 1", run.Err, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(run.Out);
        Assert.Equal(1, doc.RootElement.GetProperty("formatVersion").GetInt32());
        Assert.False(doc.RootElement.GetProperty("cancelled").GetBoolean());
        Assert.Equal(3, doc.RootElement.GetProperty("summary").GetProperty("applied").GetInt32());
    }

    [Theory]
    [InlineData(ExitCodes.Interrupted, "SIGINT", false)]
    [InlineData(ExitCodes.Terminated, "SIGTERM", true)]
    public async Task Apply_Interrupted_FinishesTheWriteInFlight_StartsNoOther_SaysWhatItWrote_AndAReplanShowsTheRest(int signal, string name, bool json)
    {
        var emulator = new LexPolicyEmulator();
        using var tool = new ToolHarness(emulator);
        string file = tool.File_("many.json", EndToEnd.ThrottledScaleTests.Desired("CTLC", 8));
        var interrupt = new ToolInterrupt();
        // The signal arrives while the third write is on its way.
        var transport = new OnNthWrite(emulator, 3, () => interrupt.Request(signal));

        string[] args = ["apply", "--file", file, "--auto-approve", "--concurrency", "1"];
        var run = await tool.RunAsync(json ? [.. args, "--output", "json"] : args, new ToolHarness.Setting { Interrupt = interrupt, Transport = transport });

        Assert.True(run.Code == signal, run.Out + run.Err);
        Assert.Equal(3, emulator.ResourceArns.Count); // the write in flight finished; no other was started
        Assert.Contains($"Stopped by {name}: no write was started after it and the writes in flight finished; 3 resource(s) were written, 5 not started", run.Err, StringComparison.Ordinal);
        if (json)
        {
            using var doc = JsonDocument.Parse(run.Out);
            Assert.True(doc.RootElement.GetProperty("cancelled").GetBoolean());
            Assert.Equal(
                ["applied", "applied", "applied", "notStarted", "notStarted", "notStarted", "notStarted", "notStarted"],
                doc.RootElement.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("outcome").GetString()));
        }
        else
        {
            Assert.Equal(3, run.Out.Split('\n').Count(l => l.Contains(": applied +3 ~0 -0", StringComparison.Ordinal)));
            Assert.Equal(5, run.Out.Split('\n').Count(l => l.EndsWith(": not started (cancelled): nothing was written", StringComparison.Ordinal)));
            Assert.Contains("Apply cancelled: 3 applied, 0 unchanged, 0 refused, 0 skipped, 0 failed, 5 not started (cancelled)", run.Out, StringComparison.Ordinal);
        }

        var rest = await tool.RunAsync("plan", "--file", file, "--detailed-exitcode");
        Assert.Equal(2, rest.Code);
        Assert.Contains("Plan: 15 to add, 0 to replace, 0 to remove, 9 unchanged (8 resources)", rest.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_InterruptedWhilePlanning_WritesNothing_ReportsEveryResourceNotStarted()
    {
        var emulator = new LexPolicyEmulator();
        using var tool = new ToolHarness(emulator);
        var interrupt = new ToolInterrupt();
        var transport = new OnNthRequest(emulator, 2, () => interrupt.Request(ExitCodes.Interrupted));

        var run = await tool.RunAsync(["apply", "--file", tool.File_("lex.json", Desired()), "--auto-approve", "--output", "json"], new ToolHarness.Setting { Interrupt = interrupt, Transport = transport });

        Assert.Equal(ExitCodes.Interrupted, run.Code);
        Assert.Empty(emulator.ResourceArns);
        using var doc = JsonDocument.Parse(run.Out);
        Assert.True(doc.RootElement.GetProperty("cancelled").GetBoolean());
        Assert.Equal(3, doc.RootElement.GetProperty("summary").GetProperty("notStarted").GetInt32());
    }

    /// <summary>Real time that stands still until <see cref="Release"/>; from then on it runs at real speed from where it stood.</summary>
    private sealed class HeldClock : TimeProvider
    {
        private readonly long _heldAt = TimeProvider.System.GetTimestamp();
        private readonly DateTimeOffset _heldUtc = TimeProvider.System.GetUtcNow();
        private long _releasedAt;

        public void Release() => Interlocked.CompareExchange(ref _releasedAt, TimeProvider.System.GetTimestamp(), 0);

        public override long GetTimestamp() => Volatile.Read(ref _releasedAt) is var released and not 0 ? _heldAt + (TimeProvider.System.GetTimestamp() - released) : _heldAt;

        public override DateTimeOffset GetUtcNow() => _heldUtc + GetElapsedTime(_heldAt);
    }

    /// <summary>Runs <paramref name="onThrottle"/> when the first 429 comes back.</summary>
    private sealed class OnFirstThrottle(HttpMessageHandler inner, Action onThrottle) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if ((int)response.StatusCode == 429)
            {
                onThrottle();
            }

            return response;
        }
    }

    /// <summary>Runs <paramref name="onWrite"/> as the <paramref name="n"/>th write passes, then sends it on.</summary>
    private sealed class OnNthWrite(HttpMessageHandler inner, int n, Action onWrite) : DelegatingHandler(inner)
    {
        private int _writes;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method != HttpMethod.Get && Interlocked.Increment(ref _writes) == n)
            {
                onWrite();
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Runs <paramref name="onRequest"/> as the <paramref name="n"/>th request passes.</summary>
    private sealed class OnNthRequest(HttpMessageHandler inner, int n, Action onRequest) : DelegatingHandler(inner)
    {
        private int _requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _requests) == n)
            {
                onRequest();
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
