using System.Text;
using LexV2.ResourcePolicy.Tests.Wire;
using Microsoft.Extensions.DependencyInjection;

namespace LexV2.ResourcePolicy.Tests.Hardening.HostileServer;

/// <summary>Issue 12 hostile review: attacks that held up (kept as regression tests).</summary>
public class HeldUpTests
{
    private static readonly CreateResourcePolicyStatementRequest Grant = Fixtures.ConnectGrant();

    [Fact]
    public async Task UserHandlerReplacingContent_WithOne503_VerifiesOnEveryAttempt_AndSendsTheReplacementOnce()
    {
        await using var server = LoopbackServer.Start(RequestPathWireTests.Verified((_, i) => i == 0 ? RawResponse.Json(503, "{}") : RawResponse.Json(200, """{"resourceArn":"x","revisionId":"2"}""")));
        await using var provider = Review.Di(server.Endpoint, b => b.AddHttpMessageHandler(() => new Review.Tap(r =>
        {
            string body = r.Content!.ReadAsStringAsync().GetAwaiter().GetResult();
            r.Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body.Replace("{", "{ ", StringComparison.Ordinal))));
            r.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            r.Headers.TryAddWithoutValidation("X-Correlation-Id", "abc");
        })));

        var response = await provider.GetRequiredService<ILexPolicyClient>().CreateResourcePolicyStatementAsync(Grant);

        Assert.Equal("2", response.RevisionId);
        Assert.Equal(2, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal(["abc"], r.Lines("X-Correlation-Id")));
        Assert.Equal(server.Requests[0].BodyText, server.Requests[1].BodyText);
        Assert.StartsWith("{ ", server.Requests[1].BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StandardResilienceHandlerInside_WithUserHeader_RetriesVerify()
    {
        await using var server = LoopbackServer.Start(RequestPathWireTests.Verified((_, i) => i < 2 ? RawResponse.Json(503, "{}") : RawResponse.Json(200, Review.Described)));
        await using var provider = Review.Di(server.Endpoint, b => b
            .AddStandardResilienceHandler(o => { o.Retry.Delay = TimeSpan.FromMilliseconds(1); o.Retry.MaxRetryAttempts = 1; }), maxRetries: 3);
        var client = provider.GetRequiredService<ILexPolicyClient>();

        var response = await client.DescribeResourcePolicyAsync(Review.Describe);

        Assert.Equal("1", response.RevisionId);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task TwoThousand503Then200_ReuseOneConnection()
    {
        await using var server = LoopbackServer.Start((_, i) => i % 2 == 0 ? RawResponse.Json(503, """{"message":"busy"}""") : RawResponse.Json(200, Review.Described), lifetime: TimeSpan.FromSeconds(120));
        var options = Review.Options(server.Endpoint);
        options.RetryBudget = 100_000;
        using var client = new LexPolicyClient(options);

        for (int i = 0; i < 1000; i++)
        {
            await client.DescribeResourcePolicyAsync(Review.Describe);
        }

        Assert.Equal(2000, server.Requests.Count);
        Assert.Equal(1, server.Connections);
    }
}
