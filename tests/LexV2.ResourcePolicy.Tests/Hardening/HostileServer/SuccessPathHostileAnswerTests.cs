using Amazon.Runtime;
using LexV2.ResourcePolicy.Signing;
using LexV2.ResourcePolicy.Tests.Wire;

namespace LexV2.ResourcePolicy.Tests.Hardening.HostileServer;

/// <summary>
/// Review 3 (after the issue-16 hot-path work): server text that reaches a <see cref="LexPolicyException"/> on the SUCCESS path
/// (a 200 whose body cannot be read or parsed) is not run through the redactor the error path uses, and input the wire encoder
/// silently rewrites. Each test fails on main.
/// </summary>
public class SuccessPathHostileAnswerTests
{
    // An STS-shaped session token: the server can echo it because it is sent in X-Amz-Security-Token.
    private const string Token = "FwoGZXIvYXdzEXAMPLETOKENabcdefghijklmnopqrstuvwxyz0123456789";

    private static string SignatureOf(RawRequest r) => r.Header("Authorization")!.Split("Signature=")[^1];

    private static LexPolicyClient SessionClient(Uri endpoint) =>
        new(Review.Options(endpoint, new SessionAWSCredentials(Fixtures.AccessKey, Fixtures.SecretKey, Token), maxRetries: 0));

    private static void AssertClean(LexPolicyException e, string signature)
    {
        string all = e + "\n" + e.Message + "\n" + e.RequestId + "\n" + e.ResponseExcerpt;
        Assert.DoesNotContain(Token, all, StringComparison.Ordinal);
        Assert.DoesNotContain(signature, all, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\u202E', all);
    }

    /// <summary>
    /// A 200 with an unreadable body: <c>RequestIdOf</c> (rewritten raw for #16) keeps x-amzn-RequestId as sent, so an echoing
    /// server puts the session token, the signature and a bidi override into <see cref="LexPolicyException.RequestId"/>. The error
    /// path (<c>ErrorResponse.Parse</c>) redacts and sanitizes the same header.
    /// </summary>
    [Fact]
    public async Task SuccessPath_RequestIdHeader_IsRedactedAndSanitized()
    {
        await using var server = LoopbackServer.Start((r, _) =>
            RawResponse.Json(200, "{\"policy\":", ("x-amzn-RequestId", r.Header("X-Amz-Security-Token") + "\u202E" + SignatureOf(r))));
        using var client = SessionClient(server.Endpoint);

        var e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => client.DescribeResourcePolicyAsync(Review.Describe));

        Assert.Equal("InvalidResponse", e.ErrorCode);
        AssertClean(e, SignatureOf(server.Requests[0]));
    }

    /// <summary>
    /// A chunked body whose chunk-size line is the echoed token: .NET's transport error quotes the line as a hex dump of its
    /// bytes ('46-77-6F-…'), a form no redaction recognises; such a quoting message is not kept, and the call still ends typed.
    /// </summary>
    [Fact]
    public async Task MalformedChunk_EchoingTheToken_IsNotHexDumpedIntoTheException()
    {
        await using var server = LoopbackServer.Start((r, _) => new RawResponse(200)
        {
            Raw = System.Text.Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + r.Header("X-Amz-Security-Token") + "\r\n{}\r\n0\r\n\r\n"),
        });
        using var client = SessionClient(server.Endpoint);

        var e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => client.DescribeResourcePolicyAsync(Review.Describe));

        string hex = Convert.ToHexString(System.Text.Encoding.ASCII.GetBytes(Token[1..9])); // "F" is taken as a chunk size
        string dashed = string.Join("-", Enumerable.Range(0, 8).Select(i => hex.Substring(i * 2, 2)));
        Assert.DoesNotContain(dashed, e.ToString(), StringComparison.OrdinalIgnoreCase);
        AssertClean(e, SignatureOf(server.Requests[0]));
    }

    /// <summary>
    /// A 200 whose JSON does not parse: the client copies <c>JsonException.Message</c>, whose <c>Path: $.{name}</c> is a property
    /// name the server chose, into the exception message: an echoed token (and U+202E) lands in Message and ToString().
    /// </summary>
    [Fact]
    public async Task SuccessPath_JsonErrorPath_CarriesNoServerChosenSecret()
    {
        await using var server = LoopbackServer.Start((r, _) =>
            RawResponse.Json(200, "{\"" + r.Header("X-Amz-Security-Token") + SignatureOf(r) + "\u202E\":}"));
        using var client = SessionClient(server.Endpoint);

        var e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => client.DescribeResourcePolicyAsync(Review.Describe));

        AssertClean(e, SignatureOf(server.Requests[0]));
    }

    /// <summary>
    /// A 200 whose body does not decode: <c>ResponseBody.ReadPooledAsync</c> quotes the server's Content-Encoding values in an
    /// IOException, the retry handler redacts only HttpRequestException, and the client copies e.Message into its own message.
    /// </summary>
    [Fact]
    public async Task SuccessPath_UndecodableBody_DoesNotQuoteEchoedHeaders()
    {
        await using var server = LoopbackServer.Start((r, _) => new RawResponse(200,
            [new("Content-Type", "application/json"), new("Content-Encoding", r.Header("X-Amz-Security-Token") + "-" + SignatureOf(r) + ", gzip")],
            "this is not gzip"));
        using var client = SessionClient(server.Endpoint);

        var e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => client.DescribeResourcePolicyAsync(Review.Describe));

        AssertClean(e, SignatureOf(server.Requests[0]));
    }

    /// <summary>
    /// <c>Patterns.IsRegion</c> reproduces .NET's <c>$</c> (a final '\n' matches), so the handler's constructor accepts
    /// "us-east-1\n"; since #16 the RegionEndpoint is looked up on first use, so construction no longer fails at all (it threw
    /// AmazonClientException before) and every send fails instead with SigningFailed, naming neither the setting nor the rule.
    /// The constructor documents ArgumentException for a malformed region.
    /// </summary>
    [Theory]
    [InlineData("us-east-1\n")]
    [InlineData("eu-west-1\n")]
    public void SigningHandler_RejectsARegionWithATrailingLineFeed(string region)
    {
        var e = Assert.Throws<ArgumentException>(() => new AwsSigV4Handler(Fixtures.Credentials, region));
        Assert.Equal("region", e.ParamName);
    }

    /// <summary>
    /// A lone surrogate in a member the validator passes (a principal ARN's <c>.*</c>, a condition value, a policy) is silently
    /// written as U+FFFD by the wire encoder: the service receives (and stores) a different ARN than the caller asked for, and
    /// EnsureStatementAsync can never find it equal again. Bad input must fail before anything is sent, naming the member.
    /// </summary>
    [Fact]
    public async Task LoneSurrogate_IsRefusedNamingTheMember_NotRewrittenOnTheWire()
    {
        await using var server = LoopbackServer.Start((_, _) => RawResponse.Json(200, "{\"revisionId\":\"1\",\"statementId\":\"ConnectAccess\"}"));
        using var client = new LexPolicyClient(Review.Options(server.Endpoint));
        var request = Fixtures.ConnectGrant() with { Principal = [Principal.ForArn("arn:aws:iam::123456789012:role/ops\uD800")], Condition = null };

        var e = await Assert.ThrowsAsync<RequestValidationException>(() => client.CreateResourcePolicyStatementAsync(request));

        Assert.Contains(e.Violations, v => v.MemberPath == "Principal[0].Arn");
        Assert.Empty(server.Requests);
    }

    private sealed class CancelsSynchronously : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException("unreachable");
        }
    }

    /// <summary>
    /// Nit: the signer's fast path (#16) turns an inner handler's synchronous OperationCanceledException into a FAULTED task
    /// (Task.FromException); the async method it replaced gave a CANCELED one, as every .NET handler does.
    /// </summary>
    [Fact]
    public void SignerFastPath_KeepsACancellationCanceled()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        using var invoker = new HttpMessageInvoker(new AwsSigV4Handler(Fixtures.Credentials, "us-east-1") { InnerHandler = new CancelsSynchronously() });

        Task<HttpResponseMessage> sent = invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:9/"), cts.Token);

        Assert.True(sent.IsCanceled, $"status {sent.Status}");
    }
}
