using System.Diagnostics;
using System.Net;
using Amazon.Runtime;
using LexV2.ResourcePolicy.Signing;
using Microsoft.Extensions.DependencyInjection;

namespace LexV2.ResourcePolicy.Tests.Wire;

/// <summary>
/// The request path as it goes over a real loopback socket: what each attempt carries, how it is signed, where it may go.
/// The server checks every signature on the received bytes with <see cref="WireSignature"/> (an independent derivation) and
/// answers 403 when it does not verify, as AWS does.
/// </summary>
public class RequestPathWireTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private readonly Xunit.Abstractions.ITestOutputHelper _output = output;

    private const string Described = """{"resourceArn":"arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID12345/ALIASID123","policy":"{}","revisionId":"1"}""";
    private static readonly DescribeResourcePolicyRequest Describe = new() { ResourceArn = Fixtures.AliasArn };

    internal static RawResponse Forbidden(string why) =>
        RawResponse.Json(403, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["message"] = why }), ("x-amzn-ErrorType", "InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/"));

    /// <summary>Verifies the signature of every request (403 otherwise), then answers with <paramref name="then"/>.</summary>
    internal static Func<RawRequest, int, RawResponse> Verified(Func<RawRequest, int, RawResponse> then, string region = "us-east-1", string secret = Fixtures.SecretKey, string service = "lex") =>
        (r, i) => WireSignature.Problem(r, secret, region, service) is { } problem ? Forbidden(problem) : then(r, i);

    internal static void FastRetries(LexPolicyClientOptions o)
    {
        o.BaseRetryDelay = TimeSpan.FromMilliseconds(1);
        o.MaxRetryDelay = TimeSpan.FromMilliseconds(2);
    }

    private static ServiceProvider DiClient(Uri endpoint, Action<IHttpClientBuilder>? configure = null, AWSCredentials? credentials = null)
    {
        var services = new ServiceCollection();
        var builder = services.AddLexPolicyClient(o =>
        {
            o.ServiceUrl = endpoint;
            o.Credentials = credentials ?? Fixtures.Credentials;
            FastRetries(o);
        });
        configure?.Invoke(builder);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task HeadersAddedByUserHandlers_AreSentOncePerAttempt_AndTheRetryAfterA503Verifies()
    {
        await using var server = LoopbackServer.Start(Verified((_, i) => i == 0 ? RawResponse.Json(503, "{}") : RawResponse.Json(200, Described)));
        await using var provider = DiClient(server.Endpoint, b => b
            .AddHttpMessageHandler(() => new AddHeaderHandler("X-Correlation-Id", "abc"))
            .AddHttpMessageHandler(() => new AddHeaderHandler("x-amz-client-context", "ctx")));

        var response = await provider.GetRequiredService<ILexPolicyClient>().DescribeResourcePolicyAsync(Describe);

        Assert.Equal("1", response.RevisionId);
        Assert.Equal(2, server.Requests.Count);
        Assert.All(server.Requests, r =>
        {
            Assert.Equal(["abc"], r.Lines("X-Correlation-Id"));
            Assert.Equal(["ctx"], r.Lines("x-amz-client-context"));
            Assert.Single(r.Lines("Authorization"));
            Assert.Single(r.Lines("X-Amz-Date"));
        });
    }

    [Fact]
    public async Task WithTracingOn_EachAttemptCarriesItsOwnTraceparent()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "System.Net.Http" or "LexV2.ResourcePolicy",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        await using var server = LoopbackServer.Start(Verified((_, i) => i == 0 ? RawResponse.Json(503, "{}") : RawResponse.Json(200, Described)));
        using var client = new LexPolicyClient(new LexPolicyClientOptions { ServiceUrl = server.Endpoint, Credentials = Fixtures.Credentials, BaseRetryDelay = TimeSpan.FromMilliseconds(1), MaxRetryDelay = TimeSpan.FromMilliseconds(2) });

        await client.DescribeResourcePolicyAsync(Describe);

        Assert.Equal(2, server.Requests.Count);
        var parents = server.Requests.Select(r => Assert.Single(r.Lines("traceparent"))).ToList();
        Assert.Equal(2, parents.Distinct().Count());
    }

    [Fact]
    public async Task MultiValueHeaders_RunsOfSpaces_AreSignedAsTheyGoOnTheWire()
    {
        await using var server = LoopbackServer.Start(Verified((_, _) => RawResponse.Json(200, "{}")));
        using var http = new HttpClient(new AwsSigV4Handler(Fixtures.Credentials, "us-east-1", "lex") { InnerHandler = new SocketsHttpHandler() });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.Endpoint, "policy/a%3Ab/statements/?expectedRevisionId=7")) { Content = new StringContent("{\"a\":1}", System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("x-amz-meta-tags", ["a", "b"]);
        request.Headers.TryAddWithoutValidation("x-amz-meta-note", "two   spaces  here");
        request.Headers.TryAddWithoutValidation("X-Custom", ["1", "2", "3"]);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(server.Requests);
        Assert.Equal(["a, b"], received.Lines("x-amz-meta-tags")); // what .NET writes: one line, ", "-joined
        Assert.Contains("x-amz-meta-tags", received.Header("Authorization"));
    }

    [Fact]
    public async Task Ipv6HostWithPort_IsSignedWithItsBrackets()
    {
        if (!LoopbackServer.IPv6LoopbackAvailable())
        {
            _output.WriteLine("Not run: this machine has no IPv6 loopback.");
            return;
        }

        await using var server = LoopbackServer.Start(Verified((_, _) => RawResponse.Json(200, Described)), IPAddress.IPv6Loopback);
        using var client = new LexPolicyClient(new LexPolicyClientOptions { ServiceUrl = server.Endpoint, Credentials = Fixtures.Credentials });

        var response = await client.DescribeResourcePolicyAsync(Describe);

        Assert.Equal("1", response.RevisionId);
        Assert.StartsWith("[::1]:", Assert.Single(server.Requests).Header("Host"), StringComparison.Ordinal);
    }

    public static TheoryData<bool> BothClients => new() { false, true };

    [Theory]
    [MemberData(nameof(BothClients))]
    public async Task RedirectToAnotherOrigin_IsNotFollowed_AndTheOtherOriginReceivesNothing(bool viaDependencyInjection)
    {
        await using var elsewhere = LoopbackServer.Start((_, _) => RawResponse.Json(200, Described));
        await using var server = LoopbackServer.Start((r, _) => new RawResponse(307, [new("Location", new Uri(elsewhere.Endpoint, r.Target.TrimStart('/')).ToString())]));
        var credentials = new SessionAWSCredentials(Fixtures.AccessKey, Fixtures.SecretKey, "SESSIONtoken");
        LexPolicyException e;
        if (viaDependencyInjection)
        {
            await using var provider = DiClient(server.Endpoint, null, credentials);
            e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => provider.GetRequiredService<ILexPolicyClient>().DescribeResourcePolicyAsync(Describe));
        }
        else
        {
            using var client = new LexPolicyClient(new LexPolicyClientOptions { ServiceUrl = server.Endpoint, Credentials = credentials });
            e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => client.DescribeResourcePolicyAsync(Describe));
        }

        Assert.Equal(HttpStatusCode.TemporaryRedirect, e.StatusCode);
        Assert.Contains(elsewhere.Endpoint.Authority, e.Message, StringComparison.Ordinal);
        Assert.Equal(1, e.Attempts);
        Assert.Empty(elsewhere.Requests);
        Assert.Equal(0, elsewhere.Connections);
    }

    [Theory]
    [InlineData("TOKEN\r\nX-Injected: 1")]
    [InlineData("TOKEN\nGET /smuggled HTTP/1.1")]
    [InlineData("TOKEN\u00e9")]
    [InlineData("TOKEN with space")]
    public async Task SessionTokenOutsideVisibleAscii_IsRefusedBeforeAnythingIsWritten(string token)
    {
        await using var server = LoopbackServer.Start((_, _) => RawResponse.Json(200, Described));
        using var client = new LexPolicyClient(new LexPolicyClientOptions { ServiceUrl = server.Endpoint, Credentials = new SessionAWSCredentials(Fixtures.AccessKey, Fixtures.SecretKey, token) });

        var e = await Assert.ThrowsAsync<LexPolicyException>(() => client.DescribeResourcePolicyAsync(Describe));

        Assert.Equal("CredentialsUnavailable", e.ErrorCode);
        Assert.Equal(0, e.Attempts);
        Assert.DoesNotContain("TOKEN", e.ToString(), StringComparison.Ordinal);
        Assert.Empty(server.Requests);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task ImplausibleServerDate_IsIgnored_AndTheClientKeepsWorking()
    {
        int calls = 0;
        await using var server = LoopbackServer.Start(Verified((_, _) => Interlocked.Increment(ref calls) == 1
            ? RawResponse.Json(403, """{"__type":"RequestTimeTooSkewed","message":"The difference between the request time and the server's time is too large."}""", ("Date", "Fri, 31 Dec 9999 23:59:59 GMT"))
            : RawResponse.Json(200, Described)));
        using var client = new LexPolicyClient(new LexPolicyClientOptions { ServiceUrl = server.Endpoint, Credentials = Fixtures.Credentials });

        var e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => client.DescribeResourcePolicyAsync(Describe));
        Assert.Equal("RequestTimeTooSkewed", e.ErrorCode);
        Assert.Equal(1, e.Attempts);

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("1", (await client.DescribeResourcePolicyAsync(Describe)).RevisionId);
        }

        string sent = server.Requests[^1].Header("X-Amz-Date")!;
        var sentAt = DateTimeOffset.ParseExact(sent, "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        Assert.InRange(sentAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Fact]
    public async Task ServerEchoingRequestHeaders_NeverPutsSignatureOrSessionTokenIntoTheException()
    {
        const string token = "FQoGZXIvYXdzEPT//////////wEaDSessionTokenValue";
        string? signature = null;
        await using var server = LoopbackServer.Start((r, _) =>
        {
            string auth = r.Header("Authorization")!;
            signature = auth[(auth.IndexOf("Signature=", StringComparison.Ordinal) + 10)..];
            string echo = $"Bad request {auth} token={r.Header("X-Amz-Security-Token")} \u202Egnissim\u2028next\u2029line\u200Bzero";
            return new RawResponse(400, [new("Content-Type", "text/plain"), new("x-amzn-RequestId", "req " + token), new("x-amzn-ErrorType", "WeirdProxyError")], echo);
        });
        using var client = new LexPolicyClient(new LexPolicyClientOptions { ServiceUrl = server.Endpoint, Credentials = new SessionAWSCredentials(Fixtures.AccessKey, Fixtures.SecretKey, token) });

        var e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => client.DescribeResourcePolicyAsync(Describe));

        Assert.NotNull(signature);
        foreach (string text in new[] { e.Message, e.ToString(), e.ResponseExcerpt ?? "", e.RequestId ?? "" })
        {
            Assert.DoesNotContain(signature, text, StringComparison.Ordinal);
            Assert.DoesNotContain(token, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Fixtures.SecretKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain('\u202E', text);
            Assert.DoesNotContain('\u2028', text);
            Assert.DoesNotContain('\u2029', text);
            Assert.DoesNotContain('\u200B', text);
        }

        Assert.Contains("Bad request", e.ResponseExcerpt, StringComparison.Ordinal);
    }

    private sealed class AddHeaderHandler(string name, string value) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation(name, value);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
