using System.Diagnostics;
using Amazon.Runtime;
using LexV2.ResourcePolicy.Tests.Wire;

namespace LexV2.ResourcePolicy.Tests.Hardening.HostileServer;

/// <summary>Issue 12 hostile review: credentials: providers that only implement the (abstract) synchronous GetCredentials.</summary>
public class CredentialReviewTests
{
    /// <summary>AWSCredentials' only abstract member is GetCredentials(); the base GetCredentialsAsync wraps it in Task.FromResult.</summary>
    /// <remarks>It blocks until <see cref="Release"/> (30 s at most), so a call site that blocks on it takes 30 s, far beyond the bounds.</remarks>
    private sealed class SyncOnlyCredentials : AWSCredentials
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _released.TrySetResult();

        public override ImmutableCredentials GetCredentials()
        {
            _released.Task.Wait(TimeSpan.FromSeconds(30));
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
        var provider = new SyncOnlyCredentials();
        var options = Review.Options(server.Endpoint, provider, maxRetries: 0);
        options.OverallTimeout = TimeSpan.FromMilliseconds(300);
        using var client = new LexPolicyClient(options);

        try
        {
            var clock = Stopwatch.StartNew();
            Task call = client.DescribeResourcePolicyAsync(Review.Describe);
            long returnedAfter = clock.ElapsedMilliseconds;
            var e = await Assert.ThrowsAsync<LexPolicyTimeoutException>(() => call);
            long endedAfter = clock.ElapsedMilliseconds;

            // Generous bounds for a loaded machine: the provider holds its thread for 30 s, so blocking on it cannot pass them.
            Assert.True(e.IsOverallTimeout);
            Assert.True(returnedAfter < 10_000, $"the call site blocked for {returnedAfter} ms");
            Assert.True(endedAfter < 15_000, $"the call ended after {endedAfter} ms with a 300 ms overall timeout");
            Assert.Empty(server.Requests);
        }
        finally
        {
            provider.Release();
        }
    }
}
