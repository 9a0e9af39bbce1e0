using System.Diagnostics;
using System.Globalization;
using LexV2.ResourcePolicy.Tests.Wire;

namespace LexV2.ResourcePolicy.Tests.Resilience;

/// <summary>
/// Wall-clock tests that measure pacing: they run alone, so the other suites' load does not distort the rates. In this assembly
/// xUnit runs the collection after every parallel one; across the machine, <see cref="MachineWide"/> keeps the pacing tests of
/// other test processes (this assembly's run on the other target framework, a second CI run) from running at the same time.
/// </summary>
[CollectionDefinition(nameof(PacingTests), DisableParallelization = true)]
public sealed class PacingTests : ICollectionFixture<PacingTests.MachineWide>
{
    /// <summary>
    /// An exclusive lock on a file in the temporary directory, held while the collection runs (the operating system releases it
    /// if the process dies). Waits up to 10 minutes for another process's pacing tests; after that the tests run anyway.
    /// </summary>
    public sealed class MachineWide : IAsyncLifetime
    {
        private static readonly string LockPath = Path.Combine(Path.GetTempPath(), "LexV2.ResourcePolicy.Tests.pacing.lock");
        private FileStream? _held;

        public async Task InitializeAsync()
        {
            var waited = Stopwatch.StartNew();
            while (_held is null && waited.Elapsed < TimeSpan.FromMinutes(10))
            {
                try
                {
                    _held = new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                }
                catch (IOException)
                {
                    await Task.Delay(200);
                }
            }
        }

        public Task DisposeAsync()
        {
            _held?.Dispose();
            return Task.CompletedTask;
        }
    }
}

/// <summary>
/// Adaptive mode after an outage, over a real loopback socket: a server answers 429 <c>ThrottlingException</c> to everything for
/// the first 1.5 s after the first request, then accepts everything. A burst of concurrent calls of one adaptive client must go
/// as soon as the service recovers (the limiter re-times the callers already waiting whenever the rate changes), the way
/// botocore's adaptive mode does against the same server. Each test prints the client's completion times and send rate per
/// second next to botocore's, measured with <c>python3 eng/adaptive-reference.py --calls N</c> (botocore 1.43.11).
/// </summary>
[Collection(nameof(PacingTests))]
public class AdaptiveRecoveryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const double ThrottleSeconds = 1.5;

    /// <summary>The fill rate taken as "recovered": the time from the end of the throttling until the bucket fills this fast is printed.</summary>
    private const double RecoveredRate = 10;

    /// <summary>botocore 1.43.11, <c>python3 eng/adaptive-reference.py --calls 24</c>, three runs (seconds since the first request).</summary>
    private const string Botocore24 = """
        botocore 1.43.11 (python3 eng/adaptive-reference.py --calls 24), three runs:
          done between 1.95 and 6.25 s | 1.89 and 5.02 s | 1.90 and 6.13 s
          sent per second:      8 5 0 1 4 12 6 | 10 1 1 5 16 1 | 9 10 0 1 5 14 3
          fill rate at each second's end: 0.5 0.5 0.5 0.5 7.1 22.0 22.0 | 0.5 1.1 3.9 7.2 21.4 31.3 | 0.5 0.5 0.5 3.1 7.8 22.1 22.1
          fill rate 10/s reached 3.9 | 2.5 | 3.9 s after the throttling stopped
        """;

    /// <summary>botocore 1.43.11, <c>python3 eng/adaptive-reference.py --calls 70</c>, three runs.</summary>
    private const string Botocore70 = """
        botocore 1.43.11 (python3 eng/adaptive-reference.py --calls 70), three runs:
          done between 1.80 and 6.98 s | 1.74 and 7.22 s | 1.58 and 7.10 s
          sent per second:      12 31 6 1 10 15 31 | 28 43 0 1 5 15 34 10 | 34 27 0 1 7 18 38 5
          fill rate at each second's end: 0.5 0.5 0.6 1.9 8.9 22.5 43.5 | 0.5 0.5 0.5 2.1 9.1 22.8 43.8 53.0 | 0.5 0.5 0.5 2.3 11.3 25.8 51.6 55.8
          fill rate 10/s reached 3.7 | 3.6 | 3.4 s after the throttling stopped
        """;

    private sealed record Burst(IReadOnlyList<double> Done, IReadOnlyList<string> Failed, IReadOnlyList<int> SentPerSecond, IReadOnlyList<int> ThrottledPerSecond, IReadOnlyList<double?> FillRate, double? Recovered);

    private static async Task<Burst> RunAsync(int calls)
    {
        var clock = Stopwatch.StartNew();
        var gate = new object();
        double? first = null;
        var arrivals = new List<(double At, bool Throttled)>();
        double Since() => clock.Elapsed.TotalSeconds - (first ?? clock.Elapsed.TotalSeconds);

        await using var server = LoopbackServer.Start((_, _) =>
        {
            bool throttled;
            lock (gate)
            {
                first ??= clock.Elapsed.TotalSeconds;
                double at = Since();
                throttled = at < ThrottleSeconds;
                arrivals.Add((at, throttled));
            }

            return throttled
                ? RawResponse.Json(429, """{"message":"Rate exceeded"}""", ("x-amzn-ErrorType", "ThrottlingException"))
                : RawResponse.Json(200, """{"resourceArn":"arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID12345/ALIASID123","policy":"{}","revisionId":"1"}""");
        });
        // The client as LexPolicyClient(options) builds it, with a handle on its limiter to sample the fill rate.
        var runtime = new LexClientRuntime(new LexPolicyClientOptions
        {
            ServiceUrl = server.Endpoint,
            Credentials = Fixtures.Credentials,
            RetryMode = LexRetryMode.Adaptive,
        });
        using var client = new LexPolicyClient(new HttpClient(runtime.CreateChain(LexPolicyClient.CreateTransport())), runtime);
        var limiter = runtime.Limiter!;

        var done = new List<double>();
        var failed = new List<string>();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, calls).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            try
            {
                await client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn });
                lock (gate)
                {
                    done.Add(Since());
                }
            }
            catch (LexPolicyException e)
            {
                lock (gate)
                {
                    failed.Add($"{Since():0.00} s: {e.GetType().Name} after {e.Attempts} attempt(s): {e.Message}");
                }
            }
        })).ToList();
        start.SetResult();
        var all = Task.WhenAll(tasks);
        var samples = new List<(double At, double? Rate)>();
        while (!all.IsCompleted)
        {
            await Task.WhenAny(all, Task.Delay(100));
            lock (gate)
            {
                if (first is not null)
                {
                    samples.Add((Since(), limiter.Enabled ? limiter.FillRate : null));
                }
            }
        }

        await all;

        int seconds = (int)arrivals.Max(a => a.At) + 1;
        return new Burst(
            [.. done.Order()],
            failed,
            [.. Enumerable.Range(0, seconds).Select(s => arrivals.Count(a => a.At >= s && a.At < s + 1))],
            [.. Enumerable.Range(0, seconds).Select(s => arrivals.Count(a => a.At >= s && a.At < s + 1 && a.Throttled))],
            [.. Enumerable.Range(0, seconds).Select(s => samples.LastOrDefault(r => r.At < s + 1).Rate)],
            samples.FirstOrDefault(r => r.At > ThrottleSeconds && r.Rate >= RecoveredRate) is { Rate: not null } r ? r.At - ThrottleSeconds : null);
    }

    private void Print(int calls, Burst run, string botocore)
    {
        static string Join<T>(IEnumerable<T> values) => string.Join(' ', values.Select(v => string.Format(CultureInfo.InvariantCulture, "{0:0.##}", v)));
        output.WriteLine($"LexPolicyClient adaptive, {calls} concurrent calls, throttled for the first {ThrottleSeconds} s:");
        output.WriteLine($"  succeeded {run.Done.Count}, failed {run.Failed.Count}; done between {(run.Done.Count > 0 ? run.Done[0] : 0):0.00} and {(run.Done.Count > 0 ? run.Done[^1] : 0):0.00} s");
        output.WriteLine($"  done at: {Join(run.Done)}");
        foreach (string f in run.Failed)
        {
            output.WriteLine($"  failed at {f}");
        }

        output.WriteLine($"  sent per second:      {Join(run.SentPerSecond)}");
        output.WriteLine($"  throttled per second: {Join(run.ThrottledPerSecond)}");
        output.WriteLine($"  fill rate at each second's end: {string.Join(' ', run.FillRate.Select(r => r is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "-"))}");
        output.WriteLine($"  fill rate {RecoveredRate}/s reached {(run.Recovered is { } r ? $"{r:0.0} s" : "never")} after the throttling stopped");
        output.WriteLine(botocore);
    }

    [Theory]
    [InlineData(24, 8.0)]
    [InlineData(70, 10.0)]
    public async Task ABurstAfterAThrottledStart_AllSucceedSoonAfterTheServiceRecovers(int calls, double withinSeconds)
    {
        var run = await RunAsync(calls);
        Print(calls, run, calls == 24 ? Botocore24 : Botocore70);

        Assert.Empty(run.Failed);
        Assert.Equal(calls, run.Done.Count);
        Assert.True(run.Done[^1] <= withinSeconds, $"the last of {calls} calls finished {run.Done[^1]:0.00} s after the first request (target: {withinSeconds} s)");
    }
}
