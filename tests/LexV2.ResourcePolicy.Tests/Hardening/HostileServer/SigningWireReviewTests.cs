using System.Net;
using LexV2.ResourcePolicy.Signing;
using LexV2.ResourcePolicy.Tests.Wire;
using Microsoft.Extensions.DependencyInjection;

namespace LexV2.ResourcePolicy.Tests.Hardening.HostileServer;

/// <summary>Issue 12 hostile review: signing: headers the transport rewrites after the signer, and headers split across the two collections.</summary>
public class SigningWireReviewTests
{
    /// <summary>
    /// The client's own transport decompresses (AutomaticDecompression = All), so SocketsHttpHandler appends "gzip, deflate, br" to
    /// any Accept-Encoding the request carries, after the signer has signed the caller's value: 403 on every call.
    /// </summary>
    [Theory]
    [InlineData("DefaultRequestHeaders")]
    [InlineData("UserHandler")]
    public async Task AcceptEncodingSetByTheApp_IsNotRewrittenAfterSigning(string where)
    {
        await using var server = LoopbackServer.Start(RequestPathWireTests.Verified((_, _) => RawResponse.Json(200, Review.Described)));
        await using var provider = Review.Di(server.Endpoint, b =>
        {
            if (where == "DefaultRequestHeaders")
            {
                b.ConfigureHttpClient(c => c.DefaultRequestHeaders.TryAddWithoutValidation("Accept-Encoding", "gzip"));
            }
            else
            {
                b.AddHttpMessageHandler(() => new Review.Tap(r => r.Headers.TryAddWithoutValidation("Accept-Encoding", "identity")));
            }
        }, maxRetries: 0);

        var response = await provider.GetRequiredService<ILexPolicyClient>().DescribeResourcePolicyAsync(Review.Describe);

        Assert.Equal("1", response.RevisionId);
    }

    /// <summary>
    /// Cookies: the transport keeps a cookie jar (UseCookies defaults to true), so a Set-Cookie from the endpoint (a load balancer's
    /// AWSALB, or a hostile server) is replayed on every later call, and appended after signing to a Cookie header the app set:
    /// every call after the first gets 403.
    /// </summary>
    [Fact]
    public async Task CookiesSetByTheServer_AreNeitherReplayedNorBreakTheSignature()
    {
        await using var server = LoopbackServer.Start(RequestPathWireTests.Verified((_, _) => RawResponse.Json(200, Review.Described, ("Set-Cookie", "AWSALB=sticky; Path=/"))));
        await using var provider = Review.Di(server.Endpoint, b => b.AddHttpMessageHandler(() => new Review.Tap(r => r.Headers.TryAddWithoutValidation("Cookie", "mine=1"))), maxRetries: 0);
        var client = provider.GetRequiredService<ILexPolicyClient>();

        await client.DescribeResourcePolicyAsync(Review.Describe);
        await client.DescribeResourcePolicyAsync(Review.Describe); // 403 today: "Cookie: mine=1; AWSALB=sticky" on the wire, "mine=1" signed

        Assert.All(server.Requests, r => Assert.Equal(["mine=1"], r.Lines("Cookie")));
    }

    /// <summary>
    /// The same custom header name in the request headers and the content headers goes on the wire as two lines (canonical value
    /// "req,content"); the adapter writes both into one case-insensitive dictionary, the second overwriting the first.
    /// </summary>
    [Fact]
    public async Task SameHeaderInRequestAndContentHeaders_IsSignedAsBothLines()
    {
        await using var server = LoopbackServer.Start(RequestPathWireTests.Verified((_, _) => RawResponse.Json(200, "{}")));
        using var http = new HttpClient(new AwsSigV4Handler(Fixtures.Credentials, "us-east-1") { InnerHandler = new SocketsHttpHandler() });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.Endpoint, "p")) { Content = new StringContent("{}") };
        request.Headers.TryAddWithoutValidation("X-Dup", "req");
        request.Content.Headers.TryAddWithoutValidation("x-dup", "content");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
