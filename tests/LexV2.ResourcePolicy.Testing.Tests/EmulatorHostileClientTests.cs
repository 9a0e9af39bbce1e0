using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>Hostile review (issues 13-15): the emulator attacked as a hostile client, through a real loopback socket where the defect is on the wire.</summary>
public class EmulatorHostileClientTests
{
    private const string Bot = "arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ";

    private static async Task<RawHttp.Answer?> SendSignedAsync(Uri endpoint, HttpMethod method, string path, byte[] body)
    {
        var uri = new Uri(endpoint, path);
        var auth = await TestSigning.AwsSdkSignAsync(method, uri, new Dictionary<string, string> { ["Host"] = uri.Authority, ["Content-Type"] = "application/json" }, body);
        string head = $"{method.Method} {path} HTTP/1.1\r\nHost: {uri.Authority}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n"
            + string.Concat(auth.Select(h => $"{h.Key}: {h.Value}\r\n")) + "\r\n";
        return await RawHttp.SendAsync(endpoint, head, body);
    }

    /// <summary>
    /// A JSON body with a repeated member is not a server failure: JsonNode throws ArgumentException (not JsonException) when
    /// the object is first read, which the emulator does not catch, so the served emulator answers 500 InternalServerError,
    /// which every AWS client then retries.
    /// </summary>
    [Fact]
    public async Task Served_RequestBodyWithADuplicateMember_Is400_Not500()
    {
        var emulator = new LexPolicyEmulator();
        await using var server = LexPolicyEmulatorServer.Start(emulator);
        byte[] body = Encoding.UTF8.GetBytes("""{"statementId":"A","statementId":"B","effect":"Allow","principal":[{"arn":"arn:aws:iam::123456789012:role/app"}],"action":["lex:RecognizeText"]}""");

        var answer = await SendSignedAsync(server.Endpoint, HttpMethod.Post, TestSigning.StatementsPath(), body);

        Assert.True(answer is { Status: 400 }, $"{answer?.Status} {answer?.Text}");
    }

    /// <summary>The same through the in-memory handler: the raw ArgumentException escapes SendAsync into the consumer's test.</summary>
    [Fact]
    public async Task InMemory_PolicyWithADuplicateMember_IsValidationException_NotAnArgumentException()
    {
        var emulator = new LexPolicyEmulator();
        using var client = emulator.CreateClient(o => { o.ValidateRequests = false; o.MaxRetries = 0; });
        string policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"lex:RecognizeText"}]}""";

        var e = await Record.ExceptionAsync(() => client.CreateResourcePolicyAsync(new() { ResourceArn = Bot, Policy = policy }));

        Assert.True(e is ValidationException, e?.ToString());
    }

    /// <summary>
    /// At the connection limit the server "closes an idle keep-alive connection to make room", but a connection that was just
    /// accepted and whose first request has not arrived yet also counts as idle: a fresh connection is closed under a client
    /// that is about to send on it. HTTP clients do not retry a request that failed on a brand-new connection, so consumers'
    /// load tests above MaxConnections see spurious connection failures.
    /// </summary>
    [Fact]
    public async Task AtTheConnectionLimit_AFreshConnectionThatHasNotSentYet_IsNotClosedToMakeRoom()
    {
        await using var server = LexPolicyEmulatorServer.Start(new LexPolicyEmulator(), new LexPolicyEmulatorServerOptions { MaxConnections = 1 });
        await using var first = await RawHttp.ConnectAsync(server.Endpoint);
        await WaitUntilAsync(() => server.ConnectionCount == 1);
        await Task.Delay(200); // the server is now waiting for the first request on it
        await using var second = await RawHttp.ConnectAsync(server.Endpoint); // waits in the backlog, or evicts the first
        await Task.Delay(300);

        await first.WriteAsync($"GET {TestSigning.PolicyPath()} HTTP/1.1\r\nHost: h\r\n\r\n");
        var answer = await first.ReadAnswerAsync(TimeSpan.FromSeconds(30));

        Assert.True(answer is { Status: 403 }, "the first connection was closed before its first request");
    }

    /// <summary>Clients that connect and reset at once (linger 0) must not stop the accept loop.</summary>
    [Fact]
    public async Task ConnectionsResetRightAfterConnect_NeverStopTheServer()
    {
        await using var server = LexPolicyEmulatorServer.Start(new LexPolicyEmulator(), new LexPolicyEmulatorServerOptions { MaxConnections = 4 });
        for (int i = 0; i < 300; i++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Endpoint.Port));
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }

        // Kestrel frees a reset connection's slot once it has seen the reset; on a busy machine that lags the loop above.
        await WaitUntilAsync(() => server.ConnectionCount < 4);
        var answer = await RawHttp.SendAsync(server.Endpoint, $"GET {TestSigning.PolicyPath()} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");

        Assert.Equal(403, answer?.Status);
        await WaitUntilAsync(() => server.ConnectionCount == 0);
    }

    /// <summary>DisposeAsync finishes while a request waits in the emulator's latency fault on a clock that never moves.</summary>
    [Fact]
    public async Task Dispose_Completes_WhileARequestWaitsOnAFakeClock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var emulator = new LexPolicyEmulator(new LexPolicyEmulatorOptions { TimeProvider = clock });
        emulator.Faults.Latency = TimeSpan.FromHours(1);
        var server = LexPolicyEmulatorServer.Start(emulator);
        await using var connection = await RawHttp.ConnectAsync(server.Endpoint);
        await connection.WriteAsync($"GET {TestSigning.PolicyPath()} HTTP/1.1\r\nHost: h\r\n\r\n");
        await Task.Delay(200);

        var dispose = server.DisposeAsync().AsTask();

        Assert.Same(dispose, await Task.WhenAny(dispose, Task.Delay(TimeSpan.FromSeconds(30))));
    }

    /// <summary>
    /// RFC 9112 §7.1: a chunk size is 1*HEXDIG; leading zeros are legal and must not turn a valid body into a 400. Kestrel reads
    /// up to 8 hex digits (its choice: a longer size, zeros or not, is refused with 400).
    /// </summary>
    [Theory]
    [InlineData(8, 200)]
    [InlineData(10, 400)]
    public async Task ChunkSizeWithLeadingZeros_IsRead_UpToKestrelsEightDigits(int digits, int status)
    {
        var emulator = new LexPolicyEmulator();
        await using var server = LexPolicyEmulatorServer.Start(emulator);
        string path = TestSigning.StatementsPath();
        byte[] body = TestSigning.StatementBody("Zeros");
        var uri = new Uri(server.Endpoint, path);
        var auth = await TestSigning.AwsSdkSignAsync(HttpMethod.Post, uri, new Dictionary<string, string> { ["Host"] = uri.Authority }, body);
        string head = $"POST {path} HTTP/1.1\r\nHost: {uri.Authority}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n" + string.Concat(auth.Select(h => $"{h.Key}: {h.Value}\r\n")) + "\r\n";
        string chunked = $"{body.Length.ToString("x", System.Globalization.CultureInfo.InvariantCulture).PadLeft(digits, '0')}\r\n{Encoding.UTF8.GetString(body)}\r\n0\r\n\r\n";

        var answer = await RawHttp.SendAsync(server.Endpoint, head + chunked);

        Assert.True(answer?.Status == status, $"{answer?.Status} {answer?.Text}");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition());
    }
}
