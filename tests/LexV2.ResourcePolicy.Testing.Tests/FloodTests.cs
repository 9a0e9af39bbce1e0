using System.Diagnostics;
using System.Net;
using Amazon.Runtime;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// Memory is bounded: 1,000 unauthenticated 1 MiB requests flood the served emulator (the sample's serve mode in its own
/// process, so its resident memory is read from /proc) while a well-behaved client keeps being served.
/// </summary>
[Trait("Category", "Load")]
[Collection(nameof(LoadTests))]
public class FloodTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>
    /// The bound on the server process's peak resident memory: the runtime (35–45 MiB resident after start), plus what the
    /// flood can hold at once — its 8 connections × (36 KiB head buffer + a body buffer of up to 1 MiB, 2 MiB while one grows)
    /// — plus the request log (16 MiB at most, bodies of unauthenticated requests never kept). That is under 80 MiB; the bound
    /// leaves room for the garbage collector's timing. Without the bounds the same flood took it past 4 GiB.
    /// </summary>
    public const long PeakRssBoundMiB = 128;

    private const int Requests = 1_000;
    private const int Concurrency = 8;
    private const int BodyBytes = 1024 * 1024;

    [SkippableFact]
    public async Task ThousandUnauthenticated1MiBRequests_KeepServerMemoryBounded_WhileAWellBehavedClientIsServed()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the server's resident memory is read from /proc/PID/status, which only Linux has");

        await using var server = await ServeProcess.StartAsync();
        long startRss = server.StatusKiB("VmRSS");
        using var client = new LexPolicyClient(new LexPolicyClientOptions
        {
            ServiceUrl = server.Endpoint, Region = "us-east-1", MaxRetries = 0,
            Credentials = new BasicAWSCredentials(LexPolicyEmulatorOptions.ExampleAccessKey, LexPolicyEmulatorOptions.ExampleSecretKey),
        });

        byte[] body = new byte[BodyBytes];
        Random.Shared.NextBytes(body);
        var statuses = new int[Requests];
        int next = -1, served = 0, wellBehavedFailures = 0;
        var flooding = new CancellationTokenSource();
        var watch = Stopwatch.StartNew();

        Task wellBehaved = Task.Run(async () =>
        {
            const string alias = "arn:aws:lex:us-east-1:123456789012:bot-alias/FLOODTEST1/TSTALIASID";
            for (int round = 0; !flooding.IsCancellationRequested; round++)
            {
                try
                {
                    await client.CreateResourcePolicyStatementAsync(new()
                    {
                        ResourceArn = alias, StatementId = $"S{round}", Effect = Effect.Allow,
                        Principal = [Principal.ForArn("arn:aws:iam::123456789012:role/app")], Action = ["lex:RecognizeText"],
                    });
                    await client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = alias, StatementId = $"S{round}" });
                    Interlocked.Add(ref served, 2);
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref wellBehavedFailures);
                    output.WriteLine($"well-behaved call failed: {e.GetType().Name}: {e.Message}");
                }
            }
        });

        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async worker =>
        {
            using var http = new HttpClient();
            for (int i = Interlocked.Increment(ref next); i < Requests; i = Interlocked.Increment(ref next))
            {
                var uri = new Uri(server.Endpoint, "/policy/" + Uri.EscapeDataString("arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ") + "/");
                using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
                if (i % 2 == 1)
                {
                    // Half claim the example key with a signature that cannot verify: the body must be read (and hashed) to know.
                    request.Headers.TryAddWithoutValidation("X-Amz-Date", DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture));
                    request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={LexPolicyEmulatorOptions.ExampleAccessKey}/{DateTime.UtcNow:yyyyMMdd}/us-east-1/lex/aws4_request, SignedHeaders=host;x-amz-date, Signature={new string('0', 64)}");
                }

                try
                {
                    using var response = await http.SendAsync(request);
                    statuses[i] = (int)response.StatusCode;
                }
                catch (HttpRequestException)
                {
                    statuses[i] = -1;
                }
            }
        }));

        long floodMs = watch.ElapsedMilliseconds;
        await flooding.CancelAsync();
        await wellBehaved;
        long peakRss = server.StatusKiB("VmHWM"), endRss = server.StatusKiB("VmRSS");
        output.WriteLine($"{Requests} unauthenticated {BodyBytes / 1024} KiB requests at concurrency {Concurrency} in {floodMs} ms: " +
            $"{statuses.Count(s => s == 403)} answered 403, {statuses.Count(s => s == -1)} connection errors; well-behaved client: {served} calls served, {wellBehavedFailures} failed; " +
            $"server RSS at start {startRss / 1024} MiB, peak {peakRss / 1024} MiB, at end {endRss / 1024} MiB (bound {PeakRssBoundMiB} MiB)");

        Assert.All(statuses, s => Assert.Equal(403, s));
        Assert.Equal(0, wellBehavedFailures);
        Assert.True(served > 0, "the well-behaved client was not served during the flood");
        Assert.True(peakRss / 1024 < PeakRssBoundMiB, $"peak resident memory {peakRss / 1024} MiB is over the {PeakRssBoundMiB} MiB bound");
    }

    /// <summary>
    /// HTTP/2 multiplexes: each connection carries up to 100 requests at once. 8 connections × 100 streams each declare a
    /// 1 MiB body, send all of it but its last byte, and stall. The server holds at most as many bodies at once as it serves
    /// connections (128, what HTTP/1.1 allows), so its memory is the runtime (45 MiB), those 128 MiB, and each connection's
    /// flow-control window (1 MiB) that Kestrel buffers; under 256 MiB with room for the garbage collector. Without the bound
    /// every stream held its own body: 800 MiB for these 8 connections, and 12 GiB at the connection limit.
    /// </summary>
    [SkippableFact]
    public async Task Http2Streams_StallingLargeBodies_HoldNoMoreBodiesThanConnectionsWould()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the server's resident memory is read from /proc/PID/status, which only Linux has");
        const int Connections = 8, StreamsPerConnection = 100;
        const long BoundMiB = 256;

        await using var server = await ServeProcess.StartAsync();
        var stall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlers = Enumerable.Range(0, Connections).Select(_ => new SocketsHttpHandler()).ToList();
        var clients = handlers.Select(h => new HttpClient(h) { Timeout = Timeout.InfiniteTimeSpan }).ToList();
        using var cancel = new CancellationTokenSource();
        string date = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var uri = new Uri(server.Endpoint, "/policy/" + Uri.EscapeDataString("arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ") + "/");
        var sends = clients.SelectMany(client => Enumerable.Range(0, StreamsPerConnection).Select(async _ =>
        {
            // The example key with a signature that cannot verify: the headers pass, so the body must be read to know.
            using var request = new HttpRequestMessage(HttpMethod.Post, uri)
            {
                Version = System.Net.HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new StallingContent(BodyBytes, stall.Task),
            };
            request.Headers.TryAddWithoutValidation("X-Amz-Date", date);
            request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={LexPolicyEmulatorOptions.ExampleAccessKey}/{date[..8]}/us-east-1/lex/aws4_request, SignedHeaders=host;x-amz-date, Signature={new string('0', 64)}");
            try
            {
                using var response = await client.SendAsync(request, cancel.Token);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                // Cancelled at the end, or reset by the server.
            }
        })).ToList();

        // The bodies arrive in a few seconds; the peak is read once the resident memory has stopped growing for 2 s.
        long peak = 0;
        var watch = Stopwatch.StartNew();
        for (long last = -1, stable = 0; watch.Elapsed < TimeSpan.FromSeconds(60) && stable < 8; await Task.Delay(250))
        {
            peak = server.StatusKiB("VmHWM");
            stable = peak == last ? stable + 1 : 0;
            last = peak;
        }

        await cancel.CancelAsync();
        stall.TrySetResult();
        await Task.WhenAll(sends);
        clients.ForEach(c => c.Dispose());
        output.WriteLine($"{Connections} HTTP/2 connections × {StreamsPerConnection} streams stalling {BodyBytes / 1024} KiB bodies: server peak RSS {peak / 1024} MiB (bound {BoundMiB} MiB)");

        Assert.True(peak / 1024 < BoundMiB, $"peak resident memory {peak / 1024} MiB is over the {BoundMiB} MiB bound");
    }

    /// <summary>A body of <c>bytes</c> bytes of which all but the last are sent at once; the last only when <c>release</c> completes.</summary>
    private sealed class StallingContent(int bytes, Task release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(new byte[bytes - 1]);
            await stream.FlushAsync();
            await release;
            await stream.WriteAsync(new byte[1]);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = bytes;
            return true;
        }
    }
}
