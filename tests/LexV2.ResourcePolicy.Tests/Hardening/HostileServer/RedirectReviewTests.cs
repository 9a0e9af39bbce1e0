using Amazon.Runtime;
using LexV2.ResourcePolicy.Tests.Wire;
using Microsoft.Extensions.DependencyInjection;

namespace LexV2.ResourcePolicy.Tests.Hardening.HostileServer;

/// <summary>Issue 12 hostile review: redirects: transports the library did not create.</summary>
public class RedirectReviewTests
{
    private sealed class PassThrough : DelegatingHandler;

    /// <summary>
    /// new LexPolicyClient(options, new HttpClientHandler()) is the documented way to bring a transport (a proxy, say). Nothing turns
    /// its AllowAutoRedirect off: a 307 sends X-Amz-Security-Token, X-Amz-Date and the body to the other origin (only Authorization is
    /// stripped by .NET); the client throws only afterwards. Same in DI when the primary handler wraps a SocketsHttpHandler.
    /// </summary>
    [Theory]
    [InlineData("ctor+HttpClientHandler")]
    [InlineData("ctor+SocketsHttpHandler")]
    [InlineData("di+wrapped primary")]
    public async Task RedirectToAnotherOrigin_ReachesNothing_WhateverTransportTheUserBrings(string how)
    {
        await using var elsewhere = LoopbackServer.Start((_, _) => RawResponse.Json(200, Review.Described));
        await using var server = LoopbackServer.Start((r, _) => new RawResponse(307, [new("Location", new Uri(elsewhere.Endpoint, r.Target.TrimStart('/')).ToString())]));
        var credentials = new SessionAWSCredentials(Fixtures.AccessKey, Fixtures.SecretKey, "SESSIONtoken");
        Func<Task> call;
        IAsyncDisposable? provider = null;
        HttpMessageHandler? transport = null;
        LexPolicyClient? client = null;
        switch (how)
        {
            case "ctor+HttpClientHandler":
                transport = new HttpClientHandler();
                client = new LexPolicyClient(Review.Options(server.Endpoint, credentials), transport);
                call = () => client.DescribeResourcePolicyAsync(Review.Describe);
                break;
            case "ctor+SocketsHttpHandler":
                transport = new SocketsHttpHandler();
                client = new LexPolicyClient(Review.Options(server.Endpoint, credentials), transport);
                call = () => client.DescribeResourcePolicyAsync(Review.Describe);
                break;
            default:
                var sp = Review.Di(server.Endpoint, b => b.ConfigurePrimaryHttpMessageHandler(() => new PassThrough { InnerHandler = new SocketsHttpHandler() }), credentials);
                provider = sp;
                call = () => sp.GetRequiredService<ILexPolicyClient>().DescribeResourcePolicyAsync(Review.Describe);
                break;
        }

        try
        {
            var e = await Assert.ThrowsAnyAsync<LexPolicyException>(call);
            Assert.Empty(elsewhere.Requests); // today: X-Amz-Security-Token, X-Amz-Date (and any body) arrive here
            Assert.Equal(System.Net.HttpStatusCode.TemporaryRedirect, e.StatusCode);
        }
        finally
        {
            client?.Dispose();
            transport?.Dispose();
            if (provider is not null)
            {
                await provider.DisposeAsync();
            }
        }
    }
}
