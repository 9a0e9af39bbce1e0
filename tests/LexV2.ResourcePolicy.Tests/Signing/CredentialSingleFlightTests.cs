using System.Diagnostics;
using Amazon.Runtime;
using LexV2.ResourcePolicy.Signing;
using LexV2.ResourcePolicy.Tests.Resilience;
using LexV2.ResourcePolicy.Tests.Wire;

namespace LexV2.ResourcePolicy.Tests.Signing;

/// <summary>
/// One credential resolution at a time, shared: concurrent calls join the provider run in flight, a call's timeout or
/// cancellation ends only its own wait, the shared run's failure is always observed, and the next call after a run completes
/// asks the provider again. Real time over a loopback socket (thread-pool starvation is what a blocking provider causes);
/// runs with the other pacing tests, alone.
/// </summary>
[Collection(nameof(PacingTests))]
public class CredentialSingleFlightTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private sealed class ProviderFailedOnPurposeException() : Exception("The test's provider failed on purpose.");

    /// <summary>A provider that counts its runs and how many overlap; failing, or succeeding.</summary>
    private abstract class ProbeCredentials : AWSCredentials
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _running;
        private int _maxRunning;
        private int _runs;

        public bool Fail { get; set; } = true;

        public int Runs => Volatile.Read(ref _runs);

        public int Running => Volatile.Read(ref _running);

        public int MaxRunning => Volatile.Read(ref _maxRunning);

        /// <summary>
        /// For the providers whose runs last until the test says: complete once <see cref="Release"/> is called, so that the runs
        /// in flight end (however long the machine takes over the test meanwhile) and later ones pass straight through.
        /// </summary>
        protected Task Released => _released.Task;

        public void Release() => _released.TrySetResult();

        protected void Enter()
        {
            Interlocked.Increment(ref _runs);
            int now = Interlocked.Increment(ref _running);
            for (int max = _maxRunning; now > max && Interlocked.CompareExchange(ref _maxRunning, now, max) != max; max = _maxRunning)
            {
            }
        }

        protected ImmutableCredentials Exit()
        {
            Interlocked.Decrement(ref _running);
            return Fail ? throw new ProviderFailedOnPurposeException() : new ImmutableCredentials(Fixtures.AccessKey, Fixtures.SecretKey, null);
        }
    }

    /// <summary>
    /// Implements only the synchronous GetCredentials (the base GetCredentialsAsync wraps it): each run blocks a thread until the
    /// test releases it (a network call without a timeout, for as long as the test needs).
    /// </summary>
    private sealed class BlockingCredentials : ProbeCredentials
    {
        public override ImmutableCredentials GetCredentials()
        {
            Enter();
            Released.Wait();
            return Exit();
        }
    }

    /// <summary>An asynchronous provider whose runs wait, holding no thread, until the test releases them.</summary>
    private sealed class AsyncCredentials : ProbeCredentials
    {
        public override ImmutableCredentials GetCredentials() => GetCredentialsAsync().GetAwaiter().GetResult();

        public override async Task<ImmutableCredentials> GetCredentialsAsync()
        {
            Enter();
            await Released;
            return Exit();
        }
    }

    /// <summary>An asynchronous provider that waits on the client's clock.</summary>
    private sealed class ClockCredentials(TimeProvider time) : ProbeCredentials
    {
        public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(3);

        public override ImmutableCredentials GetCredentials() => GetCredentialsAsync().GetAwaiter().GetResult();

        public override async Task<ImmutableCredentials> GetCredentialsAsync()
        {
            Enter();
            await Task.Delay(Delay, time);
            return Exit();
        }
    }

    /// <summary>
    /// Counts the unobserved task exceptions that carry the test provider's failure, from creation to disposal; <see cref="SettleAsync"/>
    /// waits for the provider's runs to end and makes the runtime look for unobserved exceptions.
    /// </summary>
    private sealed class UnobservedFailures : IDisposable
    {
        private int _count;

        public UnobservedFailures() => TaskScheduler.UnobservedTaskException += OnUnobserved;

        public async Task<int> SettleAsync(ProbeCredentials provider)
        {
            var settle = Stopwatch.StartNew();
            while (provider.Running > 0 && settle.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(20);
            }

            await Task.Delay(200);
            for (int i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            return Volatile.Read(ref _count);
        }

        public void Dispose() => TaskScheduler.UnobservedTaskException -= OnUnobserved;

        private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            if (e.Exception.Flatten().InnerExceptions.Any(x => x is ProviderFailedOnPurposeException || x.InnerException is ProviderFailedOnPurposeException))
            {
                Interlocked.Increment(ref _count);
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SlowFailingProvider_256CallsAt64AtATime_EndOnTime_OneRunAtATime_NothingUnobserved(bool blocking)
    {
        ProbeCredentials provider = blocking ? new BlockingCredentials() : new AsyncCredentials();
        using var failures = new UnobservedFailures();
        await using var server = LoopbackServer.Start((_, _) => RawResponse.Json(200, """{"resourceArn":"arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID12345/ALIASID123","policy":"{}","revisionId":"1"}"""));
        var attemptTimeout = TimeSpan.FromMilliseconds(200);

        // The client as LexPolicyClient(options) builds it, with a handle on its credential source for the follow-up below.
        var runtime = new LexClientRuntime(new LexPolicyClientOptions
        {
            ServiceUrl = server.Endpoint,
            Credentials = provider,
            MaxRetries = 0,
            AttemptTimeout = attemptTimeout,
        });
        using var http = new HttpClient(runtime.CreateChain(LexPolicyClient.CreateTransport()));
        using var client = new LexPolicyClient(http, runtime);
        var describe = new DescribeResourcePolicyRequest { ResourceArn = Fixtures.AliasArn };
        await WarmUpAsync(server.Endpoint, attemptTimeout, describe);

        var durations = new List<double>();
        var unexpected = new List<string>();
        var batch = Stopwatch.StartNew();
        Task calls = Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < 4; i++)
            {
                var call = Stopwatch.StartNew();
                try
                {
                    await client.DescribeResourcePolicyAsync(describe);
                    lock (durations)
                    {
                        unexpected.Add("a call succeeded");
                    }
                }
                catch (LexPolicyTimeoutException)
                {
                }
                catch (Exception e)
                {
                    lock (durations)
                    {
                        unexpected.Add(e.GetType().Name + ": " + e.Message);
                    }
                }

                lock (durations)
                {
                    durations.Add(call.Elapsed.TotalMilliseconds);
                }
            }
        })));

        // The provider's run lasts until the batch has ended: a call that waits for the run (or for a thread it holds) never ends.
        bool ended;
        try
        {
            ended = await Task.WhenAny(calls, Task.Delay(TimeSpan.FromSeconds(30))) == calls;
            batch.Stop();

            // The run goes on a little after the last caller gave up, then fails with nobody waiting. Not at once: a caller's
            // wait (WaitAsync) takes itself off the run only after the caller has resumed, and a wait still attached observes the
            // failure in the source's place (a source that leaves it unobserved then passed here, measured).
            await Task.Delay(200);
        }
        finally
        {
            provider.Release();
        }

        Assert.True(ended, $"the calls had not all ended after {batch.Elapsed.TotalSeconds:0} s while the provider's run went on");
        await calls;

        // Let the provider's run finish failing, then make the runtime look for unobserved task exceptions.
        int unobserved = await failures.SettleAsync(provider);

        durations.Sort();
        double late(double p) => durations[(int)Math.Min(durations.Count - 1, p * durations.Count)] - attemptTimeout.TotalMilliseconds;
        output.WriteLine($"{(blocking ? "blocking" : "async")} provider (a run that lasts until the batch ends, then fails): 256 calls, 64 at a time, {attemptTimeout.TotalMilliseconds} ms attempt timeout: batch {batch.Elapsed.TotalSeconds:0.00} s; provider runs {provider.Runs}, at most {provider.MaxRunning} at once; calls ended after the timeout by: median {late(0.5):0} ms, p95 {late(0.95):0} ms, max {late(1):0} ms; unobserved task exceptions {unobserved}");

        Assert.Empty(unexpected);
        Assert.Equal(256, durations.Count);
        Assert.Equal(1, provider.Runs);
        Assert.Equal(0, unobserved);
        // Generous bounds for a loaded machine (a real clock; WaitingCallers_EndOnTheClientsClock checks "on time" exactly). A call
        // that waits for the run does not end at all (above); these catch calls held up by the threads a provider blocks (the
        // defect: calls tens of seconds late, batches of 66 s).
        Assert.True(late(0.5) <= 1000, $"the median call ended {late(0.5):0} ms after its 200 ms timeout");
        Assert.True(late(1) <= 5000, $"a call ended {late(1):0} ms after its 200 ms timeout");
        Assert.True(batch.Elapsed < TimeSpan.FromSeconds(20), $"the batch took {batch.Elapsed.TotalSeconds:0.0} s (four rounds of 200 ms timeouts)");

        // Once the run completed, the next request for keys asks the provider again (the provider's own caching decides
        // freshness): asked of the client's own credential source, as its signer does on every attempt, so that no 200 ms
        // round trip on a busy machine stands between the test and what it checks.
        provider.Fail = false;
        int before = provider.Runs;
        for (int i = 0; i < 3; i++)
        {
            var keys = await runtime.Credentials.GetAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(Fixtures.AccessKey, keys.AccessKey);
        }

        Assert.Equal(before + 3, provider.Runs);
        Assert.Equal(1, provider.MaxRunning);
    }

    /// <summary>
    /// One call that times out waiting for a provider of the same kind, on a client of its own, so the batch's first round measures
    /// the mechanism rather than the JIT compiling the call path.
    /// </summary>
    private static async Task WarmUpAsync(Uri endpoint, TimeSpan attemptTimeout, DescribeResourcePolicyRequest describe)
    {
        var provider = new AsyncCredentials { Fail = false };
        using var warm = new LexPolicyClient(new LexPolicyClientOptions
        {
            ServiceUrl = endpoint,
            Credentials = provider,
            MaxRetries = 0,
            AttemptTimeout = attemptTimeout,
        });
        try
        {
            await Assert.ThrowsAsync<LexPolicyTimeoutException>(() => warm.DescribeResourcePolicyAsync(describe).WaitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            provider.Release();
        }
    }

    /// <summary>
    /// The same on the client's (fake) clock, so "on time" can be exact: 64 calls wait for one run of a provider that takes 3 s
    /// and fails; at 199 ms none has ended, at 201 ms all have, each with its own timeout, while the run goes on; its failure at
    /// 3 s is observed though nobody waits any more; the next call starts a new run.
    /// </summary>
    [Fact]
    public async Task WaitingCallers_EndOnTheClientsClock_WhileTheSharedRunGoesOn()
    {
        var time = new TrackingClock(Fixtures.Now);
        var provider = new ClockCredentials(time) { Delay = TimeSpan.FromSeconds(3) };
        await using var server = LoopbackServer.Start((_, _) => RawResponse.Json(200, """{"resourceArn":"arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID12345/ALIASID123","policy":"{}","revisionId":"1"}"""));
        using var client = new LexPolicyClient(
            new LexPolicyClientOptions { ServiceUrl = server.Endpoint, Credentials = provider, MaxRetries = 0, AttemptTimeout = TimeSpan.FromMilliseconds(200) },
            LexPolicyClient.CreateTransport(),
            null,
            time);
        var describe = new DescribeResourcePolicyRequest { ResourceArn = Fixtures.AliasArn };

        var calls = Enumerable.Range(0, 64).Select(_ => Task.Run(() => client.DescribeResourcePolicyAsync(describe))).ToList();

        // Every call has armed its 200 ms attempt timeout, and the shared run its 3 s wait: the clock can move (a timer armed
        // after an advance would start from the later time, and its call would never time out).
        await time.WaitForPendingAsync(TimeSpan.FromMilliseconds(200), calls.Count);
        await time.WaitForPendingAsync(provider.Delay);

        time.Advance(TimeSpan.FromMilliseconds(199));
        await Task.Delay(200);
        Assert.All(calls, c => Assert.False(c.IsCompleted));

        time.Advance(TimeSpan.FromMilliseconds(2));
        Task ending = Task.WhenAll(calls);
        Assert.True(await Task.WhenAny(ending, Task.Delay(TimeSpan.FromSeconds(30))) == ending, $"{calls.Count(c => !c.IsCompleted)} calls had not ended 30 s after their timeout");
        foreach (var call in calls)
        {
            await Assert.ThrowsAsync<LexPolicyTimeoutException>(() => call);
        }

        Assert.Equal(1, provider.Runs);
        Assert.Equal(1, provider.Running);

        using (var failures = new UnobservedFailures())
        {
            time.Advance(TimeSpan.FromSeconds(3)); // the run fails, with nobody waiting
            Assert.Equal(0, await failures.SettleAsync(provider));
        }

        provider.Fail = false;
        provider.Delay = TimeSpan.Zero;
        await client.DescribeResourcePolicyAsync(describe);
        Assert.Equal(2, provider.Runs);
        Assert.Empty(server.Requests.Skip(1));
    }

    /// <summary>
    /// Two callers share one run; the one that gives up leaves while the run is still going (the provider waits on a clock that
    /// only the test moves, so a busy machine cannot blur the order), the other gets the keys when the run ends.
    /// </summary>
    [Fact]
    public async Task ACallerThatGivesUp_EndsOnlyItsOwnWait()
    {
        var time = new TrackingClock(Fixtures.Now);
        var provider = new ClockCredentials(time) { Fail = false, Delay = TimeSpan.FromMilliseconds(500) };
        var source = new CredentialSource(provider, time: time);
        using var cts = new CancellationTokenSource();

        var leaving = source.GetAsync(cts.Token).AsTask();
        var staying = source.GetAsync(CancellationToken.None).AsTask();
        await time.WaitForPendingAsync(provider.Delay); // the run waits on the clock: advancing later cannot miss it

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(staying.IsCompleted, "the caller that stayed was released with the one that left");
        Assert.Equal(1, provider.Running);

        time.Advance(provider.Delay);
        var keys = await staying.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Fixtures.AccessKey, keys.AccessKey);
        Assert.Equal(1, provider.Runs);
    }

    /// <summary>A provider whose n-th run (from 1) is what the script says.</summary>
    private sealed class ScriptedRuns(Func<int, Task<ImmutableCredentials>> run) : AWSCredentials
    {
        private int _runs;

        public int Runs => Volatile.Read(ref _runs);

        public override ImmutableCredentials GetCredentials() => GetCredentialsAsync().GetAwaiter().GetResult();

        public override Task<ImmutableCredentials> GetCredentialsAsync() => run(Interlocked.Increment(ref _runs));
    }

    /// <summary>
    /// Hostile review: a run that never ends. Joining it forever would stall every later call of the client for good (each
    /// times out, none starts a new run); after <see cref="CredentialSource.AbandonAfter"/> on the client's clock, the next call
    /// starts a new run instead.
    /// </summary>
    [Fact]
    public async Task AHungRun_IsAbandonedAfterAMinute_SoTheClientRecovers()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Fixtures.Now);
        var never = new TaskCompletionSource<ImmutableCredentials>();
        var provider = new ScriptedRuns(n => n == 1 ? never.Task : Task.FromResult(new ImmutableCredentials(Fixtures.AccessKey, Fixtures.SecretKey, null)));
        var source = new CredentialSource(provider, time: time);

        for (int i = 0; i < 2; i++)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => source.GetAsync(cts.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
            time.Advance(TimeSpan.FromSeconds(20));
        }

        Assert.Equal(1, provider.Runs); // within the minute, later calls join the run in flight

        time.Advance(CredentialSource.AbandonAfter);
        var keys = await source.GetAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Fixtures.AccessKey, keys.AccessKey);
        Assert.Equal(2, provider.Runs);
    }

    /// <summary>
    /// Hostile review (issue 19): a provider that blocks its thread for good (a network call without a timeout). Each minute
    /// a call presumed the run in flight hung and started another, which blocked a thread of its own for good too: one thread
    /// more per minute, without end. At most <see cref="CredentialSource.MaxRunsAtOnce"/> runs are alive at once; while that
    /// many are, a call that finds the newest hung too fails at once, saying so; when the runs return, calls recover.
    /// </summary>
    [Fact]
    public async Task RunsThatNeverReturn_HoldABoundedNumberOfThreads_AndThenCallsFailFast()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Fixtures.Now);
        var provider = new BlockingCredentials { Fail = false };
        var source = new CredentialSource(provider, time: time);
        try
        {
            for (int minute = 0; minute < 10; minute++)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
                // From the thread pool: a source that ran the provider on the caller's thread would block it for good.
                var e = await Record.ExceptionAsync(() => Task.Run(() => source.GetAsync(cts.Token).AsTask()).WaitAsync(TimeSpan.FromSeconds(30)));
                Assert.True(e is OperationCanceledException or LexPolicyException { ErrorCode: CredentialSource.ErrorCode }, e?.ToString() ?? "no exception");
                time.Advance(CredentialSource.AbandonAfter);
            }

            // Each run blocks a thread of its own, which a busy machine may be slow to start.
            var starting = Stopwatch.StartNew();
            while (provider.Running < CredentialSource.MaxRunsAtOnce && starting.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(10);
            }

            Assert.Equal(CredentialSource.MaxRunsAtOnce, provider.Runs);
            Assert.Equal(CredentialSource.MaxRunsAtOnce, provider.Running);

            var clock = Stopwatch.StartNew();
            var failure = await Assert.ThrowsAsync<LexPolicyException>(() => source.GetAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the call failed after {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.Equal(CredentialSource.ErrorCode, failure.ErrorCode);
            Assert.Contains("has not returned", failure.Message, StringComparison.Ordinal);
            Assert.Equal(CredentialSource.MaxRunsAtOnce, provider.Runs);
        }
        finally
        {
            provider.Release();
        }

        var settle = Stopwatch.StartNew();
        while (provider.Running > 0 && settle.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10);
        }

        var keys = await source.GetAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Fixtures.AccessKey, keys.AccessKey);
    }

    /// <summary>Hostile review: a provider whose GetCredentialsAsync returns no task fails the call; it does not wedge the next ones.</summary>
    [Fact]
    public async Task AProviderReturningNoTask_FailsEachCall_WithoutWedgingTheNext()
    {
        var source = new CredentialSource(new NoTaskCredentials());

        for (int i = 0; i < 2; i++)
        {
            var e = await Assert.ThrowsAsync<LexPolicyException>(() => source.GetAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(CredentialSource.ErrorCode, e.ErrorCode);
        }
    }

    private sealed class NoTaskCredentials : AWSCredentials
    {
        public override ImmutableCredentials GetCredentials() => throw new InvalidOperationException("not used");

        public override Task<ImmutableCredentials> GetCredentialsAsync() => null!;
    }
}
