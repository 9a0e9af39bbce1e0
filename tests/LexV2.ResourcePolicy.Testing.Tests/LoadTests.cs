using System.Diagnostics;
using Amazon.Runtime;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// 10,000 calls at concurrency 64 through one client to the served emulator over loopback HTTP (real sockets, real SigV4
/// verification): zero failures, bounded connections and memory, latency percentiles reported.
/// Run alone: dotnet test tests/LexV2.ResourcePolicy.Testing.Tests --filter Category=Load --logger "console;verbosity=detailed"
/// </summary>
[Trait("Category", "Load")]
[Collection(nameof(LoadTests))]
public class LoadTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Calls = 10_000;
    private const int Concurrency = 64;

    [Fact]
    public async Task TenThousandCalls_AtConcurrency64_OverLoopback_AllSucceed()
    {
        var served = await ServedEmulator.StartAsync(TimeSpan.FromMinutes(5));
        Uri endpoint = served.Endpoint;

        using var client = new LexPolicyClient(new LexPolicyClientOptions
        {
            ServiceUrl = endpoint,
            Region = "us-east-1",
            Credentials = new BasicAWSCredentials(LexPolicyEmulatorOptions.ExampleAccessKey, LexPolicyEmulatorOptions.ExampleSecretKey),
            MaxRetries = 0,
        });

        GC.Collect();
        GC.WaitForPendingFinalizers();
        long memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        var latencies = new double[Calls];
        int next = -1, failures = 0;
        var total = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async worker =>
        {
            string alias = $"arn:aws:lex:us-east-1:123456789012:bot-alias/LOADBOT{worker:000}/TSTALIASID";
            int round = 0;
            while (true)
            {
                int i = Interlocked.Increment(ref next);
                if (i >= Calls)
                {
                    return;
                }

                long started = Stopwatch.GetTimestamp();
                try
                {
                    switch (i % 3)
                    {
                        case 0:
                            await client.CreateResourcePolicyStatementAsync(new()
                            {
                                ResourceArn = alias, StatementId = $"S{round}", Effect = Effect.Allow,
                                Principal = [Principal.ForArn("arn:aws:iam::123456789012:role/app")], Action = ["lex:RecognizeText"],
                            });
                            break;
                        case 1:
                            await client.DescribeResourcePolicyAsync(new() { ResourceArn = alias });
                            break;
                        default:
                            await client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = alias, StatementId = $"S{round++}" });
                            break;
                    }
                }
                catch (LexPolicyException e) when (e is ResourceNotFoundException or ConflictException)
                {
                    // Interleaving across workers can make a describe/delete miss: a correct answer, not a failure.
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref failures);
                    output.WriteLine($"call {i} failed: {e.GetType().Name}: {e.Message}");
                }

                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }));

        total.Stop();
        int connections = CountEstablished(endpoint.Port);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long memoryGrowth = GC.GetTotalMemory(forceFullCollection: true) - memoryBefore;
        await served.DisposeAsync();

        Array.Sort(latencies);
        double p50 = latencies[Calls / 2], p99 = latencies[(int)(Calls * 0.99)];
        output.WriteLine($"{Calls} calls, concurrency {Concurrency}: {failures} failures, {total.Elapsed.TotalSeconds:0.00} s ({Calls / total.Elapsed.TotalSeconds:0} calls/s), p50 {p50:0.00} ms, p99 {p99:0.00} ms, max {latencies[^1]:0.00} ms, {connections} loopback connections open, managed memory growth {memoryGrowth / 1024.0 / 1024.0:0.0} MiB");

        Assert.Equal(0, failures);
        Assert.InRange(connections, 1, Concurrency * 2); // pooled: about one per concurrent call, not one per request (10,000)
        Assert.True(memoryGrowth < 64L * 1024 * 1024, $"managed memory grew {memoryGrowth} bytes");
    }

    /// <summary>Established TCP connections from clients to the port, from /proc/net/tcp and tcp6 (.NET sockets are dual-mode); -1 when unavailable.</summary>
    private static int CountEstablished(int port)
    {
        string[] tables = [.. new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists)];
        if (tables.Length == 0)
        {
            return -1;
        }

        string hexPort = ":" + port.ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
        return tables.SelectMany(t => File.ReadLines(t).Skip(1))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Count(f => f.Length > 3 && f[2].EndsWith(hexPort, StringComparison.Ordinal) && f[3] == "01");
    }
}

/// <summary>The load test runs alone, so its latency and memory figures are its own.</summary>
[CollectionDefinition(nameof(LoadTests), DisableParallelization = true)]
public sealed class LoadTestsRunAlone;
