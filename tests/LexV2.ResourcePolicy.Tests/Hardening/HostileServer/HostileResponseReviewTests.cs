using LexV2.ResourcePolicy.Tests.Wire;
using Microsoft.Extensions.DependencyInjection;

namespace LexV2.ResourcePolicy.Tests.Hardening.HostileServer;

/// <summary>Issue 12 hostile review: hostile answers and inner handlers that end a call with an untyped exception.</summary>
public class HostileResponseReviewTests
{
    /// <summary>
    /// The client's transport decompresses answers. A body labelled gzip/deflate/br that is not makes the decoder throw
    /// InvalidDataException (gzip, deflate) or InvalidOperationException (br); neither is caught by the body readers (they catch
    /// IOException/HttpRequestException), so the raw exception escapes the call, success and error answers alike.
    /// </summary>
    [Theory]
    [InlineData(200, "gzip")]
    [InlineData(200, "deflate")]
    [InlineData(200, "br")]
    [InlineData(400, "gzip")]
    [InlineData(503, "br")]
    public async Task BodyThatDoesNotDecompress_EndsInALexPolicyException(int status, string encoding)
    {
        await using var server = LoopbackServer.Start((_, _) => new RawResponse(status, [new("Content-Type", "application/json"), new("Content-Encoding", encoding)], "this body is not compressed at all"));
        using var client = new LexPolicyClient(Review.Options(server.Endpoint, maxRetries: 1));

        var e = await Record.ExceptionAsync(() => client.DescribeResourcePolicyAsync(Review.Describe));

        Assert.IsAssignableFrom<LexPolicyException>(e);
    }

    /// <summary>
    /// AddStandardResilienceHandler on the client's builder is a documented kind of user handler. When its circuit opens, Polly's
    /// BrokenCircuitException (an ExecutionRejectedException) escapes the client untyped; a TimeoutRejectedException from its
    /// attempt timeout is reported as this client's own per-attempt timeout.
    /// </summary>
    [Fact]
    public async Task InnerResilienceRejection_EndsInALexPolicyException()
    {
        await using var server = LoopbackServer.Start((_, _) => RawResponse.Json(503, "{}"));
        await using var provider = Review.Di(server.Endpoint, b => b.AddStandardResilienceHandler(o =>
        {
            o.Retry.MaxRetryAttempts = 1;
            o.Retry.Delay = TimeSpan.FromMilliseconds(1);
            o.CircuitBreaker.MinimumThroughput = 2;
            o.CircuitBreaker.FailureRatio = 0.1;
        }), maxRetries: 0);
        var client = provider.GetRequiredService<ILexPolicyClient>();

        Exception? last = null;
        for (int i = 0; i < 4; i++)
        {
            last = await Record.ExceptionAsync(() => client.DescribeResourcePolicyAsync(Review.Describe));
        }

        Assert.IsAssignableFrom<LexPolicyException>(last);
    }
}
