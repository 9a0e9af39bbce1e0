using System.Diagnostics;
using System.Net;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// Adaptive retry mode against the emulator throttling above a fixed rate: the same 300 calls at concurrency 16 in standard and
/// in adaptive mode. Adaptive mode's client-side limiter learns the rate, so it gets far fewer throttling answers, and every
/// call still completes. Real time: the quota is a rate. Runs alone, so the other suites' load does not distort the rate.
/// <para>
/// The comparison means something only while standard mode sends faster than the quota. The quota is set low for that: 50 a
/// second, where the in-memory emulator answers thousands a second (2,500 to 5,000 at a load average of 10 on the CI machine's
/// two cores), so standard mode outruns it even on a machine tens of times slower; 300 calls keep adaptive mode at the quota
/// for about five seconds.
/// </para>
/// </summary>
[Collection(nameof(LoadTests))]
[Trait("Category", "Load")]
public class AdaptiveRetryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Calls = 300;
    private const int Concurrency = 16;
    private const double QuotaPerSecond = 50;

    private sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public int Throttled;
        public int Sent;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Sent);
            var response = await base.SendAsync(request, cancellationToken);
            if ((int)response.StatusCode == 429)
            {
                Interlocked.Increment(ref Throttled);
            }

            return response;
        }
    }

    private sealed record Run(LexRetryMode Mode, int Succeeded, int Failed, int Throttled, int Sent, TimeSpan Elapsed);

    private static async Task<Run> RunAsync(LexRetryMode mode)
    {
        var emulator = new LexPolicyEmulator();
        const string arn = "arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID";
        emulator.SeedPolicy(arn, $$"""{"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"Allow","Principal":{"Service":"connect.amazonaws.com"},"Action":"lex:RecognizeText","Resource":"{{arn}}"}]}""");
        emulator.Faults.ThrottleAbove(QuotaPerSecond);
        var counting = new CountingHandler(emulator);
        using var client = new LexPolicyClient(
            new LexPolicyClientOptions
            {
                Region = "us-east-1",
                Credentials = new Amazon.Runtime.BasicAWSCredentials(LexPolicyEmulatorOptions.ExampleAccessKey, LexPolicyEmulatorOptions.ExampleSecretKey),
                RetryMode = mode,
                BaseRetryDelay = TimeSpan.FromMilliseconds(50),
                MaxRetryDelay = TimeSpan.FromSeconds(1),
            },
            counting);

        int next = -1, succeeded = 0, failed = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) < Calls)
            {
                try
                {
                    await client.DescribeResourcePolicyAsync(new() { ResourceArn = arn });
                    Interlocked.Increment(ref succeeded);
                }
                catch (ThrottlingException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })));
        return new Run(mode, succeeded, failed, counting.Throttled, counting.Sent, watch.Elapsed);
    }

    [Fact]
    public async Task AdaptiveMode_GetsFarFewerThrottles_ThanStandardMode_AndStillFinishes()
    {
        var standard = await RunAsync(LexRetryMode.Standard);
        var adaptive = await RunAsync(LexRetryMode.Adaptive);

        foreach (var run in new[] { standard, adaptive })
        {
            output.WriteLine($"{run.Mode}: {Calls} calls at concurrency {Concurrency} against a {QuotaPerSecond}/s quota: {run.Succeeded} succeeded, {run.Failed} failed after retries, {run.Throttled} throttling answers in {run.Sent} attempts, {run.Elapsed.TotalSeconds:0.0} s");
        }

        Assert.Equal(Calls, adaptive.Succeeded);
        Assert.True(adaptive.Throttled * 3 < standard.Throttled, $"adaptive {adaptive.Throttled} vs standard {standard.Throttled} throttling answers");
    }
}
