using LexV2.ResourcePolicy.Tests.Wire;
using Microsoft.Extensions.DependencyInjection;

namespace LexV2.ResourcePolicy.Tests.Hardening.HostileServer;

/// <summary>Issue 12 hostile review: low-severity findings (lead's call).</summary>
public class LowReviewTests
{
    /// <summary>
    /// A header value SocketsHttpHandler refuses to write ("Request headers must contain only ASCII characters", a deterministic
    /// client-side error) is an HttpRequestException with HttpRequestError.Unknown, so it is retried MaxRetries times, each on a new
    /// connection (measured: 4 attempts, 4 connections, 0 requests), and reported as "could not get an answer".
    /// </summary>
    [Fact]
    public async Task HeaderTheTransportRefusesToWrite_IsNotRetried()
    {
        await using var server = LoopbackServer.Start((_, _) => RawResponse.Json(200, Review.Described));
        await using var provider = Review.Di(server.Endpoint, b => b.AddHttpMessageHandler(() => new Review.Tap(r => r.Headers.TryAddWithoutValidation("X-User", "Zoë"))));

        var e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => provider.GetRequiredService<ILexPolicyClient>().DescribeResourcePolicyAsync(Review.Describe));

        Assert.True(e.Attempts <= 1, $"{e.Attempts} attempts");
        Assert.True(server.Connections <= 1, $"{server.Connections} connections");
    }

    /// <summary>
    /// A user handler that deliberately sends to another origin (a failover or forwarding handler; the signer, innermost, signs for
    /// it) is refused as "the transport followed a redirect ... Configure the primary handler with AllowAutoRedirect = false",
    /// which is untrue. Compare the answer's RequestMessage.RequestUri with the URI the signer signed, not the caller's.
    /// </summary>
    [Fact]
    public async Task UserHandlerChoosingAnotherOrigin_IsNotReportedAsARedirect()
    {
        await using var real = LoopbackServer.Start(RequestPathWireTests.Verified((_, _) => RawResponse.Json(200, Review.Described)));
        await using var provider = Review.Di(new Uri("http://127.0.0.1:9/"), b => b.AddHttpMessageHandler(() => new Review.Tap(r => r.RequestUri = new Uri(real.Endpoint, r.RequestUri!.PathAndQuery))));

        var response = await provider.GetRequiredService<ILexPolicyClient>().DescribeResourcePolicyAsync(Review.Describe);

        Assert.Equal("1", response.RevisionId);
    }
}
