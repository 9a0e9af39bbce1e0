using System.Diagnostics;
using Amazon.Runtime;
using LexV2.ResourcePolicy.Tests.Wire;

namespace LexV2.ResourcePolicy.Tests.Hardening.HostileServer;

/// <summary>Issue 12 hostile review: credentials: providers that only implement the (abstract) synchronous GetCredentials.</summary>
public class CredentialReviewTests
{
    /// <summary>AWSCredentials' only abstract member is GetCredentials(); the base GetCredentialsAsync wraps it in Task.FromResult.</summary>
    private sealed class SyncOnlyCredentials(TimeSpan delay) : AWSCredentials
    {
        public override ImmutableCredentials GetCredentials()
        {
            Thread.Sleep(delay);
            return new ImmutableCredentials(Fixtures.AccessKey, Fixtures.SecretKey, null);
        }
    }

    /// <summary>
    /// The whole path down to GetCredentialsAsync is synchronous, so a slow synchronous provider blocks the thread that calls
    /// DescribeResourcePolicyAsync (no Task is returned until it finishes: Task.WhenAll over N calls runs them one by one) and
    /// WaitAsync(token) sees an already-completed task: the 300 ms overall timeout is not honoured (measured: 3 s).
    /// </summary>
    [Fact]
    public async Task SlowSynchronousProvider_DoesNotBlockTheCallSite_AndTheOverallTimeoutHolds()
    {
        await using var server = LoopbackServer.Start((_, _) => RawResponse.Json(200, Review.Described));
        var options = Review.Options(server.Endpoint, new SyncOnlyCredentials(TimeSpan.FromSeconds(3)), maxRetries: 0);
        options.OverallTimeout = TimeSpan.FromMilliseconds(300);
        using var client = new LexPolicyClient(options);

        var clock = Stopwatch.StartNew();
        Task call = client.DescribeResourcePolicyAsync(Review.Describe);
        long returnedAfter = clock.ElapsedMilliseconds;
        var e = await Assert.ThrowsAsync<LexPolicyTimeoutException>(() => call);
        long endedAfter = clock.ElapsedMilliseconds;

        Assert.True(e.IsOverallTimeout);
        Assert.True(returnedAfter < 1000, $"the call site blocked for {returnedAfter} ms");
        Assert.True(endedAfter < 2000, $"the call ended after {endedAfter} ms with a 300 ms overall timeout");
        Assert.Empty(server.Requests);
    }
}
