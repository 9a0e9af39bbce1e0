using System.Diagnostics;
using Amazon.Runtime;
using LexV2.ResourcePolicy.Tests.Wire;

namespace LexV2.ResourcePolicy.Tests.Hardening.HostileServer;

/// <summary>Issue 12 hostile review: credentials: providers that only implement the (abstract) synchronous GetCredentials.</summary>
public class CredentialReviewTests
{
    /// <summary>
    /// AWSCredentials' only abstract member is GetCredentials(); the base GetCredentialsAsync wraps it in Task.FromResult. This one
    /// blocks its thread until the test releases it.
    /// </summary>
    private sealed class SyncOnlyCredentials(Task release) : AWSCredentials
    {
        public override ImmutableCredentials GetCredentials()
        {
            release.Wait();
            return new ImmutableCredentials(Fixtures.AccessKey, Fixtures.SecretKey, null);
        }
    }

    /// <summary>
    /// The whole path down to GetCredentialsAsync is synchronous, so a slow synchronous provider blocks the thread that calls
    /// DescribeResourcePolicyAsync (no Task is returned until it finishes: Task.WhenAll over N calls runs them one by one) and
    /// WaitAsync(token) sees an already-completed task: the 300 ms overall timeout is not honoured (measured: 3 s with a provider
    /// that took 3 s). The provider here blocks until the test ends, so a call site that waits for it never returns and a call
    /// that outlives the overall timeout never ends: the bounds below are generous for a loaded machine and still cannot be met.
    /// </summary>
    [Fact]
    public async Task SlowSynchronousProvider_DoesNotBlockTheCallSite_AndTheOverallTimeoutHolds()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = LoopbackServer.Start((_, _) => RawResponse.Json(200, Review.Described));
        var options = Review.Options(server.Endpoint, new SyncOnlyCredentials(release.Task), maxRetries: 0);
        options.OverallTimeout = TimeSpan.FromMilliseconds(300);
        using var client = new LexPolicyClient(options);
        try
        {
            // Called on a thread of its own, so that a call site blocked on the provider fails the test instead of hanging it.
            var clock = Stopwatch.StartNew();
            Task<Task> calling = Task.Factory.StartNew<Task>(
                () => client.DescribeResourcePolicyAsync(Review.Describe), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            bool returned = await Task.WhenAny(calling, Task.Delay(TimeSpan.FromSeconds(10))) == calling;
            Assert.True(returned, $"the call site was still blocked on the provider after {clock.ElapsedMilliseconds} ms");
            Task call = await calling;
            bool ended = await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(15))) == call;
            Assert.True(ended, $"the call had not ended after {clock.ElapsedMilliseconds} ms, with a 300 ms overall timeout");

            var e = await Assert.ThrowsAsync<LexPolicyTimeoutException>(() => call);
            Assert.True(e.IsOverallTimeout);
            Assert.Empty(server.Requests);
        }
        finally
        {
            release.TrySetResult();
        }
    }
}
