using System.Globalization;
using System.Net;
using System.Text;
using LexV2.ResourcePolicy.TestSupport;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// <see cref="LexPolicyEmulatorServer"/> (Kestrel) as an HTTP/1.1 server, through raw sockets: keep-alive and pipelining,
/// Content-Length and chunked bodies, Expect: 100-continue, limits, malformed requests, slow clients, faults that really drop
/// the connection, and answers with the same status and headers the in-memory handler gives. Where the protocol leaves the
/// server a choice (which malformed requests to refuse and with what status, what to do at the connection limit), these
/// tests pin Kestrel's.
/// </summary>
public class ServerTests
{
    private static readonly string DescribePath = TestSigning.PolicyPath();

    private static string Get(string path, string extra = "") => $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n";

    [Fact]
    public async Task KeepAlive_AndPipelinedRequests_AreAnsweredInOrder_OnOneConnection()
    {
        await using var server = LexPolicyEmulatorServer.Start(new LexPolicyEmulator());
        await using var connection = await RawHttp.ConnectAsync(server.Endpoint);

        await connection.WriteAsync(Get(DescribePath) + Get("/nowhere") + Get(DescribePath));
        var answers = new[] { await connection.ReadAnswerAsync(), await connection.ReadAnswerAsync(), await connection.ReadAnswerAsync() };
        await connection.WriteAsync(Get(DescribePath));
        var later = await connection.ReadAnswerAsync();

        Assert.Equal([403, 403, 403, 403], answers.Append(later).Select(a => a!.Status));
        Assert.All(answers, a => Assert.Null(a!.Header("Connection")));
        Assert.Equal("MissingAuthenticationTokenException", answers[0]!.Header("x-amzn-ErrorType")!.Split(':')[0]);
    }

    [Fact]
    public async Task ChunkedBody_WithExtensionsAndTrailers_IsReassembled_AndItsSignatureVerifies()
    {
        var emulator = new LexPolicyEmulator();
        await using var server = LexPolicyEmulatorServer.Start(emulator);
        string path = TestSigning.StatementsPath();
        byte[] body = TestSigning.StatementBody("Chunked");
        var uri = new Uri(server.Endpoint, path);
        var auth = await TestSigning.AwsSdkSignAsync(HttpMethod.Post, uri, new Dictionary<string, string> { ["Host"] = uri.Authority, ["Content-Type"] = "application/json" }, body);
        var chunked = new StringBuilder();
        for (int i = 0; i < body.Length; i += 17)
        {
            string part = Encoding.UTF8.GetString(body, i, Math.Min(17, body.Length - i));
            chunked.Append(CultureInfo.InvariantCulture, $"{Encoding.UTF8.GetByteCount(part):x};ext=1\r\n{part}\r\n");
        }

        chunked.Append("0\r\nX-Trailer: t\r\n\r\n");
        string head = $"POST {path} HTTP/1.1\r\nHost: {uri.Authority}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n" + string.Concat(auth.Select(h => $"{h.Key}: {h.Value}\r\n")) + "\r\n";

        var answer = await RawHttp.SendAsync(server.Endpoint, head + chunked);

        Assert.True(answer is { Status: 200 }, answer?.Text);
        Assert.Equal(Encoding.UTF8.GetString(body), emulator.Requests.Single().Body);
    }

    [Fact]
    public async Task ExpectContinue_GetsA100BeforeTheBody_WhenTheHeadersAuthenticate()
    {
        await using var server = LexPolicyEmulatorServer.Start(new LexPolicyEmulator());
        string path = TestSigning.StatementsPath();
        byte[] body = TestSigning.StatementBody("Continue");
        var uri = new Uri(server.Endpoint, path);
        var auth = await TestSigning.AwsSdkSignAsync(HttpMethod.Post, uri, new Dictionary<string, string> { ["Host"] = uri.Authority }, body);
        await using var connection = await RawHttp.ConnectAsync(server.Endpoint);

        await connection.WriteAsync($"POST {path} HTTP/1.1\r\nHost: {uri.Authority}\r\nExpect: 100-continue\r\nContent-Length: {body.Length}\r\n" + string.Concat(auth.Select(h => $"{h.Key}: {h.Value}\r\n")) + "\r\n");
        string? interim = await connection.ReadUntilAsync("\r\n\r\n", TimeSpan.FromSeconds(30));
        await connection.WriteAsync(body);
        var answer = await connection.ReadAnswerAsync();

        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n", interim);
        Assert.Equal(200, answer!.Status);
    }

    [Fact]
    public async Task ExpectContinue_WithoutAuthentication_IsAnsweredAtOnce_WithoutAskingForTheBody()
    {
        var emulator = new LexPolicyEmulator();
        await using var server = LexPolicyEmulatorServer.Start(emulator);
        await using var connection = await RawHttp.ConnectAsync(server.Endpoint);

        await connection.WriteAsync($"POST {TestSigning.StatementsPath()} HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1048576\r\n\r\n");
        string? head = await connection.ReadUntilAsync("\r\n\r\n", TimeSpan.FromSeconds(30));

        Assert.StartsWith("HTTP/1.1 403 Forbidden\r\n", head, StringComparison.Ordinal); // no 100 Continue first: the body is never asked for
        Assert.Equal((0, true), (emulator.Requests.Single().Body.Length, emulator.Requests.Single().BodyLength == 1048576));
    }

    /// <summary>Requests Kestrel refuses before the emulator sees them: its status, and the connection closed.</summary>
    public static TheoryData<string, int> MalformedRequests => new()
    {
        { "GARBAGE\r\n\r\n", 400 },
        { "GET  /x HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
        { "GET /x HTTP/2.0\r\nHost: h\r\n\r\n", 505 },
        { "GET /x HTTP/1.1\r\n\r\n", 400 },
        { "GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400 },
        { "GET /x HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400 },
        { "GET /x HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n folded\r\n\r\n", 400 },
        { "GET /x HTTP/1.1\r\nHost: h\r\nX-A : 1\r\n\r\n", 400 },
        { "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400 },
        { "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: -5\r\n\r\n", 400 },
        { "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 400 },
        { "GET /x HTTP/1.1\r\nHost: h\r\nX-Big: " + new string('a', 40 * 1024) + "\r\n\r\n", 431 },
    };

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public async Task MalformedOrOversizedRequest_GetsItsStatus_AndTheConnectionIsClosed(string request, int status)
    {
        var emulator = new LexPolicyEmulator();
        await using var server = LexPolicyEmulatorServer.Start(emulator);
        await using var connection = await RawHttp.ConnectAsync(server.Endpoint);
        await connection.WriteAsync(request);

        var answer = await connection.ReadAnswerAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(status, answer?.Status);
        Assert.Equal("close", answer!.Header("Connection"));
        Assert.True(await connection.ClosedByServerAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(emulator.Requests); // refused by the server, never handed to the emulator
        Assert.Equal(403, (await RawHttp.SendAsync(server.Endpoint, Get("/policy/x", "Connection: close\r\n")))?.Status); // still serving
    }

    /// <summary>
    /// Requests Kestrel accepts (where the hand-written server refused them): the emulator answers them, unauthenticated, 403,
    /// without reading their body.
    /// </summary>
    public static TheoryData<string> AcceptedOddities => new()
    {
        "GET http://h/x HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: h\r\nExpect: something\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: h\r\nX-A: a\u0001b\r\n\r\n",
        "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 2097152\r\n\r\n",
    };

    [Theory]
    [MemberData(nameof(AcceptedOddities))]
    public async Task OddButParseableRequest_IsAnsweredByTheEmulator_WithoutItsBodyBeingRead(string request)
    {
        var emulator = new LexPolicyEmulator();
        await using var server = LexPolicyEmulatorServer.Start(emulator);

        var answer = await RawHttp.SendAsync(server.Endpoint, request);

        Assert.Equal(403, answer?.Status);
        Assert.Equal("MissingAuthenticationTokenException", answer!.Header("x-amzn-ErrorType")!.Split(':')[0]);
        Assert.Equal(string.Empty, emulator.Requests.Single().Body);
    }

    [Fact]
    public async Task ChunkedBodyOverTheLimit_Is413_WithoutBeingKept_AndAnUnauthenticatedOneIsNeverRead()
    {
        var emulator = new LexPolicyEmulator();
        await using var server = LexPolicyEmulatorServer.Start(emulator, new LexPolicyEmulatorServerOptions { MaxRequestBodyBytes = 64 * 1024 });
        string chunk = new('a', 16 * 1024);
        string chunked = string.Concat(Enumerable.Repeat($"4000\r\n{chunk}\r\n", 6)) + "0\r\n\r\n";
        var uri = new Uri(server.Endpoint, TestSigning.StatementsPath());
        var auth = await TestSigning.AwsSdkSignAsync(HttpMethod.Post, uri, new Dictionary<string, string> { ["Host"] = uri.Authority }, Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(chunk, 6))));
        string signed = $"POST {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nTransfer-Encoding: chunked\r\n" + string.Concat(auth.Select(h => $"{h.Key}: {h.Value}\r\n")) + "\r\n";

        var authenticated = await RawHttp.SendAsync(server.Endpoint, signed + chunked);
        Assert.Empty(emulator.Requests);
        var unauthenticated = await RawHttp.SendAsync(server.Endpoint, $"POST {DescribePath} HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked);

        Assert.Equal((413, 403), (authenticated?.Status, unauthenticated?.Status));
        Assert.Equal(string.Empty, emulator.Requests.Single().Body);
    }

    [Fact]
    public async Task SlowClients_AreClosed_ByTheHeaderAndKeepAliveTimeouts()
    {
        var options = new LexPolicyEmulatorServerOptions { RequestHeadersTimeout = TimeSpan.FromMilliseconds(500), KeepAliveTimeout = TimeSpan.FromMilliseconds(500) };
        await using var server = LexPolicyEmulatorServer.Start(new LexPolicyEmulator(), options);
        await using var slowloris = await RawHttp.ConnectAsync(server.Endpoint);
        await using var idle = await RawHttp.ConnectAsync(server.Endpoint);

        await slowloris.WriteAsync("GET /policy/x HTTP/1.1\r\nHost: h\r\n"); // and never the rest
        Task<bool> slowClosed = slowloris.ClosedByServerAsync(TimeSpan.FromSeconds(30));
        Task<bool> idleClosed = idle.ClosedByServerAsync(TimeSpan.FromSeconds(30));

        Assert.True(await slowClosed, "a client that never finishes its headers keeps its connection");
        Assert.True(await idleClosed, "an idle keep-alive connection is never closed");
        await WaitUntilAsync(() => server.ConnectionCount == 0);
    }

    /// <summary>Kestrel's choice at the limit: a connection beyond it is closed at once, unanswered; open ones are never closed to make room.</summary>
    [Fact]
    public async Task AtTheConnectionLimit_ANewConnectionIsClosed_UntilAnOpenOneEnds()
    {
        await using var server = LexPolicyEmulatorServer.Start(new LexPolicyEmulator(), new LexPolicyEmulatorServerOptions { MaxConnections = 2 });
        await using var first = await RawHttp.ConnectAsync(server.Endpoint);
        await using var second = await RawHttp.ConnectAsync(server.Endpoint);
        await first.WriteAsync(Get(DescribePath));
        await second.WriteAsync(Get(DescribePath));
        Assert.Equal((403, 403), ((await first.ReadAnswerAsync())!.Status, (await second.ReadAnswerAsync())!.Status));

        var beyond = await RawHttp.SendAsync(server.Endpoint, Get(DescribePath));
        await first.DisposeAsync();
        await WaitUntilAsync(() => server.ConnectionCount < 2);
        var afterOneEnded = await RawHttp.SendAsync(server.Endpoint, Get(DescribePath));
        await second.WriteAsync(Get(DescribePath));

        Assert.Null(beyond);
        Assert.Equal(403, afterOneEnded?.Status);
        Assert.Equal(403, (await second.ReadAnswerAsync())?.Status); // the open connection was kept
    }

    [Fact]
    public async Task DroppedConnectionFault_ResetsTheTcpConnection_WithoutAnAnswer()
    {
        var emulator = new LexPolicyEmulator();
        await using var server = LexPolicyEmulatorServer.Start(emulator);
        emulator.Faults.DropNextConnections(1);
        await using var connection = await RawHttp.ConnectAsync(server.Endpoint);

        await connection.WriteAsync(Get(DescribePath));

        Assert.Null(await connection.ReadAnswerAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, (int)emulator.Requests.Single().Status);
        Assert.Equal(403, (await RawHttp.SendAsync(server.Endpoint, Get(DescribePath)))!.Status);
    }

    [Fact]
    public async Task Head_IsAnsweredWithoutABody_AndTheConnectionStaysUsable()
    {
        await using var server = LexPolicyEmulatorServer.Start(new LexPolicyEmulator());
        await using var connection = await RawHttp.ConnectAsync(server.Endpoint);

        await connection.WriteAsync($"HEAD {DescribePath} HTTP/1.1\r\nHost: h\r\n\r\n");
        string? head = await connection.ReadUntilAsync("\r\n\r\n", TimeSpan.FromSeconds(30));
        await connection.WriteAsync(Get(DescribePath));
        var next = await connection.ReadAnswerAsync();

        Assert.StartsWith("HTTP/1.1 403 Forbidden\r\n", head, StringComparison.Ordinal);
        Assert.Contains("Content-Length: ", head, StringComparison.Ordinal);
        Assert.Equal(403, next!.Status);
    }

    [Fact]
    public async Task Answers_CarryTheHeadersTheInMemoryHandlerGives()
    {
        var emulator = new LexPolicyEmulator();
        await using var server = LexPolicyEmulatorServer.Start(emulator);
        using var inMemory = new HttpClient(emulator);
        using var expected = await inMemory.GetAsync(new Uri(server.Endpoint, DescribePath));
        string expectedBody = await expected.Content.ReadAsStringAsync();

        var answer = await RawHttp.SendAsync(server.Endpoint, Get(DescribePath));

        Assert.Equal("HTTP/1.1 403 Forbidden", answer!.StatusLine);
        Assert.Equal(expectedBody, answer.Text);
        Assert.Equal(expected.Headers.GetValues("x-amzn-ErrorType").Single(), answer.Header("x-amzn-ErrorType"));
        Assert.Equal(expected.Content.Headers.ContentType!.ToString(), answer.Header("Content-Type"));
        Assert.Equal(answer.Body.Length.ToString(CultureInfo.InvariantCulture), answer.Header("Content-Length"));
        Assert.True(Guid.TryParse(answer.Header("x-amzn-RequestId"), out _));
        Assert.True(DateTimeOffset.TryParseExact(answer.Header("Date"), "r", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date));
        Assert.InRange(date, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(
            expected.Headers.Select(h => h.Key).Concat(expected.Content.Headers.Select(h => h.Key)).Where(k => k != "Content-Length").Order(StringComparer.OrdinalIgnoreCase),
            answer.Headers.Select(h => h.Key).Where(k => k != "Content-Length").Order(StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task RandomBytes_NeverStopTheServer()
    {
        var timeout = TimeSpan.FromMilliseconds(300);
        await using var server = LexPolicyEmulatorServer.Start(new LexPolicyEmulator(), new LexPolicyEmulatorServerOptions { RequestHeadersTimeout = timeout, RequestBodyTimeout = timeout, KeepAliveTimeout = timeout });
        var random = new Random(13);
        int closed = 0;
        string[] prefixes = ["", "GET / HTTP/1.1\r\n", "POST /policy/x/ HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n"];
        await Parallel.ForEachAsync(Enumerable.Range(0, 120), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            byte[] noise = new byte[random.Next(1, 2048)];
            lock (random)
            {
                random.NextBytes(noise);
            }

            await using var connection = await RawHttp.ConnectAsync(server.Endpoint);
            await connection.WriteAsync([.. Encoding.ASCII.GetBytes(prefixes[i % prefixes.Length]), .. noise]);
            // Kestrel checks its timeouts on a heartbeat of about a second: on a loaded machine a close takes a while.
            if (await connection.ClosedByServerAsync(TimeSpan.FromSeconds(30)))
            {
                Interlocked.Increment(ref closed);
            }
        });

        Assert.Equal(120, closed); // each answered (400 and the like) and closed, or timed out: none left hanging
        Assert.False(server.Completion.IsCompleted);
        Assert.Equal(403, (await RawHttp.SendAsync(server.Endpoint, Get(DescribePath)))!.Status);
    }

    [Fact]
    public async Task Dispose_ClosesOpenConnections_AndCompletes()
    {
        var server = LexPolicyEmulatorServer.Start(new LexPolicyEmulator());
        var listener = ListeningPort.Of(server.Endpoint.Port);
        await using var connection = await RawHttp.ConnectAsync(server.Endpoint);
        await connection.WriteAsync(Get(DescribePath));
        Assert.Equal(403, (await connection.ReadAnswerAsync())!.Status);

        await server.DisposeAsync();

        Assert.True(server.Completion.IsCompletedSuccessfully);
        Assert.True(await connection.ClosedByServerAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await listener.IsClosedAsync(), "the server still listens after DisposeAsync");
    }

    [Fact]
    public void Start_OnANonLoopbackAddress_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => LexPolicyEmulatorServer.Start(new LexPolicyEmulator(), new LexPolicyEmulatorServerOptions { Address = IPAddress.Any }));
    }

    [Fact]
    public async Task Start_PrintsAnEndpointOn127001_WithThePortItBound()
    {
        await using var server = LexPolicyEmulatorServer.Start(new LexPolicyEmulator());
        Assert.Matches(@"^http://127\.0\.0\.1:\d+/$", server.Endpoint.ToString());
        Assert.NotEqual(0, server.Endpoint.Port);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }

        Assert.True(condition());
    }
}
