using Amazon.Runtime;
using LexV2.ResourcePolicy.Tests.Wire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace LexV2.ResourcePolicy.Tests.Hardening.HostileServer;

/// <summary>
/// Issue 19, point 4: no secret in any log line at any level, the DI client (and HttpClientFactory's own logging) included. A
/// server echoes the attempt's session token, its signature and the secret access key into response header values
/// (<c>x-amzn-RequestId</c> among them) and bodies; with Trace logging on, no log record (message, structured values, scopes,
/// exception) and no exception may carry any of the three, in any of the forms an echo takes.
/// </summary>
public class LoggedSecretsTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Token = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+abc/def=";
    private const string TokenMiddle = "wEaCXVzLWVhc3QtMSJHMEUCIQD";
    private const string SecretMiddle = "tnFEMI/K7MDENG+bPxRf"; // 20 characters of Fixtures.SecretKey

    private static SessionAWSCredentials Credentials => new(Fixtures.AccessKey, Fixtures.SecretKey, Token);

    /// <summary>Answers 503 first, then 200; every answer echoes the three secrets in header values and, on errors, in the body.</summary>
    private static LoopbackServer EchoingServer(List<string> signatures) => LoopbackServer.Start((r, i) =>
    {
        string auth = r.Header("Authorization")!;
        string signature = auth[(auth.IndexOf("Signature=", StringComparison.Ordinal) + 10)..];
        lock (signatures)
        {
            signatures.Add(signature);
        }

        string token = r.Header("X-Amz-Security-Token")!;
        (string, string)[] echoes =
        [
            ("x-amzn-RequestId", "req-" + token + "-" + signature),
            ("X-Echo-Signature", signature),
            ("X-Echo-Token", Uri.EscapeDataString(token)),
            ("X-Echo-Secret", Fixtures.SecretKey),
            ("X-Echo-Authorization", auth),
        ];
        return i == 0
            ? RawResponse.Json(503, $$"""{"message":"busy {{signature}} {{Fixtures.SecretKey}}","echo":"{{token}}"}""", [("x-amzn-ErrorType", "ServiceUnavailableException"), .. echoes])
            : RawResponse.Json(200, Review.Described, echoes);
    });

    private static IEnumerable<string> Texts(FakeLogCollector collector)
    {
        foreach (var record in collector.GetSnapshot())
        {
            yield return $"[{record.Level} {record.Category}] {record.Message}";
            foreach (var (key, value) in record.StructuredState ?? [])
            {
                yield return $"  {key} = {value}";
            }

            foreach (var scope in record.Scopes)
            {
                yield return "  scope " + scope;
            }

            if (record.Exception is { } e)
            {
                yield return "  " + e;
            }
        }
    }

    private static void AssertNoSecret(IEnumerable<string> texts, List<string> signatures)
    {
        foreach (string text in texts)
        {
            Assert.DoesNotContain(TokenMiddle, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(SecretMiddle, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Uri.EscapeDataString(SecretMiddle), text, StringComparison.OrdinalIgnoreCase);
            lock (signatures)
            {
                foreach (string signature in signatures)
                {
                    Assert.DoesNotContain(signature[..24], text, StringComparison.OrdinalIgnoreCase);
                }
            }
        }
    }

    [Fact]
    public async Task DiClient_WithTraceLogging_LogsNoSecret_InAnyLine()
    {
        var signatures = new List<string>();
        await using var server = EchoingServer(signatures);
        var collector = new FakeLogCollector();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector)));
        services.AddLexPolicyClient(o =>
        {
            o.ServiceUrl = server.Endpoint;
            o.Credentials = Credentials;
            o.BaseRetryDelay = TimeSpan.FromMilliseconds(1);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(2);
        });
        await using var provider = services.BuildServiceProvider();

        var response = await provider.GetRequiredService<ILexPolicyClient>().DescribeResourcePolicyAsync(Review.Describe);

        Assert.Equal("1", response.RevisionId);
        Assert.Equal(2, server.Requests.Count);
        var lines = Texts(collector).ToList();
        lines.ForEach(output.WriteLine);
        Assert.NotEmpty(lines);
        AssertNoSecret(lines, signatures);

        // The library still logs each attempt, through its own (scrubbing) logging.
        Assert.Contains(collector.GetSnapshot(), r => r.Category == "LexV2.ResourcePolicy" && r.Level == LogLevel.Trace && r.Message.Contains("HTTP 503", StringComparison.Ordinal));
        Assert.Contains(collector.GetSnapshot(), r => r.Category == "LexV2.ResourcePolicy" && r.Level == LogLevel.Trace && r.Message.Contains("HTTP 200", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PlainClient_WithTraceLogging_LogsNoSecret()
    {
        var signatures = new List<string>();
        await using var server = EchoingServer(signatures);
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector)));
        var options = Review.Options(server.Endpoint, Credentials);
        using var client = new LexPolicyClient(options, new SocketsHttpHandler(), loggerFactory);

        await client.DescribeResourcePolicyAsync(Review.Describe);

        AssertNoSecret(Texts(collector), signatures);
    }

    /// <summary>The secret access key echoed by a server is redacted from exceptions like the token and the signature (issue 12).</summary>
    [Fact]
    public async Task EchoedSecretKey_IsRedactedFromTheException()
    {
        await using var server = LoopbackServer.Start((_, _) => new RawResponse(
            403,
            [new("Content-Type", "application/json"), new("x-amzn-ErrorType", "AccessDeniedException"), new("x-amzn-RequestId", "req-" + Fixtures.SecretKey), new("x-amzn-error-message", "key " + Fixtures.SecretKey)],
            System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["Message"] = "denied for " + Fixtures.SecretKey, ["k"] = Fixtures.SecretKey.ToUpperInvariant() })));
        using var client = new LexPolicyClient(Review.Options(server.Endpoint, Credentials, maxRetries: 0));

        var e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => client.DescribeResourcePolicyAsync(Review.Describe));

        string all = e + "\n" + e.ResponseExcerpt + "\n" + e.RequestId;
        Assert.DoesNotContain(SecretMiddle, all, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("[REDACTED]", all, StringComparison.Ordinal);
    }

    /// <summary>
    /// Hostile review (issue 19): server text is made safe by dropping the characters a reader cannot see (zero-width and other
    /// formatting characters, such as U+200B and the soft hyphen). When that happened after redaction, an echo with such a
    /// character every ten characters escaped redaction (no piece is a run of 20) and came out whole once the characters were
    /// dropped: the session token and the signature, readable in the exception's message, its request id and excerpt, and in
    /// the Trace log of the response headers. Here through a JSON error body (U+200B) and a header value (byte 0xAD, read as
    /// the soft hyphen).
    /// </summary>
    [Fact]
    public async Task EchoSplitByInvisibleCharacters_IsRedacted_FromTheExceptionAndEveryLogLine()
    {
        var signatures = new List<string>();
        await using var server = LoopbackServer.Start((r, _) =>
        {
            string auth = r.Header("Authorization")!;
            string signature = auth[(auth.IndexOf("Signature=", StringComparison.Ordinal) + 10)..];
            lock (signatures)
            {
                signatures.Add(signature);
            }

            string token = r.Header("X-Amz-Security-Token")!;
            static string Split(string s, string by) => string.Join(by, s.Chunk(10).Select(c => new string(c)));
            string body = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["message"] = "denied: " + Split(token, "\u200b") + " " + Split(signature, "\u200b"),
                ["echo"] = Split(token, "\u200b"),
            });
            string head =
                "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nx-amzn-ErrorType: AccessDeniedException\r\n" +
                $"x-amzn-RequestId: {Split(token, "\u00ad")}\r\nX-Echo: {Split(signature, "\u00ad")}\r\n" +
                $"Content-Length: {System.Text.Encoding.UTF8.GetByteCount(body)}\r\n\r\n";
            return new RawResponse(403) { Raw = [.. System.Text.Encoding.Latin1.GetBytes(head), .. System.Text.Encoding.UTF8.GetBytes(body)] };
        });
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector)));
        using var client = new LexPolicyClient(Review.Options(server.Endpoint, Credentials, maxRetries: 0), new SocketsHttpHandler(), loggerFactory);

        var e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => client.DescribeResourcePolicyAsync(Review.Describe));

        Assert.Equal("AccessDeniedException", e.ErrorCode);
        string exception = e + "\n" + e.ResponseExcerpt + "\n" + e.RequestId;
        output.WriteLine(exception);
        Assert.Contains("[REDACTED]", e.RequestId, StringComparison.Ordinal);
        AssertNoSecret([exception, .. Texts(collector)], signatures);
    }
}
