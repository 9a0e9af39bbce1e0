using Microsoft.Extensions.Logging;
using System.Net;
using LexV2.ResourcePolicy.Resilience;
using RichardSzalay.MockHttp;

namespace LexV2.ResourcePolicy.Tests.Resilience;

public class RetryTests
{
    private static readonly DescribeResourcePolicyRequest Describe = new() { ResourceArn = Fixtures.AliasArn };

    private static HttpResponseMessage Status(int status, string? retryAfter = null, string body = "{}")
    {
        var r = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body) };
        if (retryAfter is not null)
        {
            r.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        return r;
    }

    [Fact]
    public async Task TwoThrottlesThenSuccess_SucceedsAfterThreeFreshlySignedAttempts_WaitingRetryAfter()
    {
        using var m = new MockClient();
        var attempts = new List<(DateTimeOffset At, string Date, string Auth)>();
        int n = 0;
        m.Http.When("*").With(r => { attempts.Add((m.Time.GetUtcNow(), r.Headers.GetValues("X-Amz-Date").Single(), r.Headers.GetValues("Authorization").Single())); return true; })
            .Respond(_ => ++n <= 2 ? Status(429, retryAfter: "2") : Status(200, body: """{"revisionId":"1"}"""));

        var response = await m.Time.DriveAsync(m.Client.DescribeResourcePolicyAsync(Describe), TimeSpan.FromMilliseconds(250));

        Assert.Equal("1", response.RevisionId);
        Assert.Equal(3, attempts.Count);
        // The fake clock moves in 250 ms steps, and only while the client waits on it (MockClient's clock), so a wait is observed to
        // the step however busy the machine is: at least Retry-After, and at most one step more.
        Assert.InRange(attempts[1].At - attempts[0].At, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.25));
        Assert.InRange(attempts[2].At - attempts[1].At, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.25));
        Assert.Equal(3, attempts.Select(a => a.Date).Distinct().Count());
        Assert.Equal(3, attempts.Select(a => a.Auth).Distinct().Count());
    }

    [Fact]
    public async Task ThrottledForever_EndsInThrottlingExceptionAfterConfiguredAttempts()
    {
        using var m = new MockClient(o => o.MaxRetries = 2);
        int n = 0;
        m.Http.When("*").Respond(_ => { n++; return Status(429, retryAfter: "1", body: """{"__type":"ThrottlingException","message":"Rate exceeded"}"""); });

        var e = await Assert.ThrowsAsync<ThrottlingException>(() => m.Time.DriveAsync(m.Client.DescribeResourcePolicyAsync(Describe), TimeSpan.FromMilliseconds(250)));

        Assert.Equal(3, n);
        Assert.Equal(3, e.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(1), e.RetryAfter);
    }

    [Fact]
    public async Task RetryAfter_IsCappedByMaxRetryAfter_AndHttpDateIsHonoured()
    {
        using var m = new MockClient(o => o.MaxRetryAfter = TimeSpan.FromSeconds(3));
        var at = new List<DateTimeOffset>();
        int n = 0;
        m.Http.When("*").With(_ => { at.Add(m.Time.GetUtcNow()); return true; }).Respond(_ => ++n switch
        {
            1 => Status(429, retryAfter: "3600"),
            2 => Status(503, retryAfter: (Fixtures.Now + TimeSpan.FromSeconds(5)).ToString("R")),
            _ => Status(200),
        });

        await m.Time.DriveAsync(m.Client.DescribeResourcePolicyAsync(Describe), TimeSpan.FromMilliseconds(250));

        // Observed to the 250 ms step (the clock moves only while the client waits on it).
        Assert.InRange(at[1] - at[0], TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3.25));
        Assert.InRange(at[2], Fixtures.Now + TimeSpan.FromSeconds(5), Fixtures.Now + TimeSpan.FromSeconds(5.25));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task ServerErrorThenSuccess_Succeeds(int status)
    {
        using var m = new MockClient();
        int n = 0;
        m.Http.When("*").Respond(_ => ++n == 1 ? Status(status) : Status(200, body: """{"revisionId":"9"}"""));

        var response = await m.Time.DriveAsync(m.Client.DescribeResourcePolicyAsync(Describe), TimeSpan.FromMilliseconds(50));

        Assert.Equal("9", response.RevisionId);
        Assert.Equal(2, n);
    }

    [Fact]
    public async Task ConnectionResetThenSuccess_SucceedsAndResendsTheBodyIntact()
    {
        using var m = new MockClient();
        var bodies = new List<string>();
        int n = 0;
        m.Http.When("*").With(r => { bodies.Add(r.Content!.ReadAsStringAsync().Result); return true; }).Respond(_ =>
        {
            if (++n == 1)
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection reset by peer", new IOException("reset"));
            }

            return Status(200, body: """{"revisionId":"2"}""");
        });

        var response = await m.Time.DriveAsync(m.Client.CreateResourcePolicyStatementAsync(Fixtures.ConnectGrant()), TimeSpan.FromMilliseconds(50));

        Assert.Equal("2", response.RevisionId);
        Assert.Equal(2, bodies.Count);
        Assert.Equal(bodies[0], bodies[1]);
        Assert.Contains("ConnectAccess", bodies[0]);
    }

    [Theory]
    [InlineData(400, "ValidationException")]
    [InlineData(402, "ServiceQuotaExceededException")]
    [InlineData(403, "AccessDeniedException")]
    [InlineData(404, "ResourceNotFoundException")]
    [InlineData(409, "ConflictException")]
    [InlineData(412, "PreconditionFailedException")]
    public async Task ClientErrors_AreNotRetried(int status, string code)
    {
        using var m = new MockClient();
        int n = 0;
        m.Http.When("*").Respond(_ => { n++; return Status(status, body: $$"""{"__type":"{{code}}"}"""); });

        var e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => m.Client.DescribeResourcePolicyAsync(Describe));

        Assert.Equal(1, n);
        Assert.Equal(1, e.Attempts);
    }

    [Fact]
    public async Task CancellationDuringBackoff_ReturnsPromptly()
    {
        using var m = new MockClient();
        int n = 0;
        m.Http.When("*").Respond(_ => { n++; return Status(429, retryAfter: "10"); });
        using var cts = new CancellationTokenSource();

        Task call = m.Client.DescribeResourcePolicyAsync(Describe, cts.Token);
        for (int i = 0; i < 200 && n == 0; i++)
        {
            await Task.Delay(5);
        }

        await Task.Delay(20);
        Assert.False(call.IsCompleted);
        cts.Cancel();
        var completed = await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(5)));

        Assert.Same(call, completed);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(1, n);
    }

    [Fact]
    public async Task RetryBudget_RunsOutUnderSustainedOutage_AndThenCallsAreNotRetried()
    {
        // Budget 12: two retries at 5 tokens, then no more.
        using var m = new MockClient(o => { o.RetryBudget = 12; o.MaxRetries = 3; });
        int n = 0;
        m.Http.When("*").Respond(_ => { n++; return Status(503); });

        var first = await Assert.ThrowsAsync<LexPolicyException>(() => m.Time.DriveAsync(m.Client.DescribeResourcePolicyAsync(Describe), TimeSpan.FromMilliseconds(50)));
        var second = await Assert.ThrowsAsync<LexPolicyException>(() => m.Time.DriveAsync(m.Client.DescribeResourcePolicyAsync(Describe), TimeSpan.FromMilliseconds(50)));

        Assert.Equal(3, first.Attempts);
        Assert.Equal(1, second.Attempts);
        Assert.Equal(4, n);
    }

    [Fact]
    public async Task ClockSkew_IsCorrectedOnce_AndLaterRequestsCarryCorrectedDate()
    {
        using var m = new MockClient();
        var serverNow = Fixtures.Now + TimeSpan.FromMinutes(20);
        var dates = new List<string>();
        int n = 0;
        m.Http.When("*").With(r => { dates.Add(r.Headers.GetValues("X-Amz-Date").Single()); return true; }).Respond(_ =>
        {
            if (++n == 1)
            {
                var r = Status(403, body: """{"__type":"InvalidSignatureException","message":"Signature expired: 20261125T123600Z is now earlier than 20261125T125100Z (20261125T125600Z - 5 min.)"}""");
                r.Headers.Date = serverNow;
                return r;
            }

            return Status(200);
        });

        await m.Client.DescribeResourcePolicyAsync(Describe);
        await m.Client.DescribeResourcePolicyAsync(Describe);

        Assert.Equal(["20261125T123600Z", "20261125T125600Z", "20261125T125600Z"], dates);
    }

    [Fact]
    public async Task ClockSkew_IsRetriedOnlyOnce()
    {
        using var m = new MockClient();
        int n = 0;
        m.Http.When("*").Respond(_ =>
        {
            n++;
            var r = Status(400, body: """{"__type":"RequestTimeTooSkewed","message":"skewed"}""");
            r.Headers.Date = Fixtures.Now + TimeSpan.FromHours(1);
            return r;
        });

        var e = await Assert.ThrowsAsync<LexPolicyException>(() => m.Client.DescribeResourcePolicyAsync(Describe));

        Assert.Equal(2, n);
        Assert.Equal("RequestTimeTooSkewed", e.ErrorCode);
    }

    [Fact]
    public async Task AttemptTimeout_IsRetried_AndSurfacesAsTimeoutException()
    {
        using var m = new MockClient(o => { o.AttemptTimeout = TimeSpan.FromSeconds(1); o.MaxRetries = 1; });
        int n = 0;
        m.Http.When("*").Respond(async () =>
        {
            n++;
            using (m.Time.StalledUntilTimeout()) // until the client gives up on the transport
            {
                await Task.Delay(Timeout.Infinite, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            }

            return Status(200);
        });

        var e = await Assert.ThrowsAsync<LexPolicyTimeoutException>(() => m.Time.DriveAsync(m.Client.DescribeResourcePolicyAsync(Describe), TimeSpan.FromMilliseconds(100)));

        Assert.False(e.IsOverallTimeout);
        Assert.Equal(2, n);
        Assert.Equal(2, e.Attempts);
        Assert.Contains("AttemptTimeout", e.Message);
    }

    /// <summary>Headers arrive, then the body never does (until cancelled); the client waits for its attempt timeout meanwhile.</summary>
    private sealed class StalledStream(TrackingClock time) : MemoryStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            using (time.StalledUntilTimeout())
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return 0;
        }
    }

    [Fact]
    public async Task StalledSuccessBody_IsCutByTheAttemptTimeout_AndRetried()
    {
        using var m = new MockClient(o => { o.AttemptTimeout = TimeSpan.FromSeconds(2); o.MaxRetries = 1; });
        int n = 0;
        m.Http.When("*").Respond(_ => ++n == 1
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new StalledStream(m.Time)) }
            : Status(200, body: """{"revisionId":"5"}"""));

        var response = await m.Time.DriveAsync(m.Client.DescribeResourcePolicyAsync(Describe), TimeSpan.FromMilliseconds(250));

        Assert.Equal("5", response.RevisionId);
        Assert.Equal(2, n);
    }

    [Fact]
    public async Task OverallTimeout_StopsRetrying_AndSaysSo()
    {
        using var m = new MockClient(o => { o.OverallTimeout = TimeSpan.FromSeconds(5); o.MaxRetries = 10; });
        m.Http.When("*").Respond(_ => Status(429, retryAfter: "2"));

        var e = await Assert.ThrowsAsync<LexPolicyTimeoutException>(() => m.Time.DriveAsync(m.Client.DescribeResourcePolicyAsync(Describe), TimeSpan.FromMilliseconds(250)));

        Assert.True(e.IsOverallTimeout);
        Assert.Contains("OverallTimeout", e.Message);
    }

    [Fact]
    public async Task EachRetry_LogsOneEventWithOperationAttemptCodeAndDelay()
    {
        var collector = new Microsoft.Extensions.Logging.Testing.FakeLogCollector();
        using var loggers = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(new Microsoft.Extensions.Logging.Testing.FakeLoggerProvider(collector)));
        using var m = new MockClient(loggerFactory: loggers);
        int n = 0;
        m.Http.When("*").Respond(_ => ++n <= 2 ? Status(429, retryAfter: "1", body: """{"__type":"ThrottlingException"}""") : Status(200));

        await m.Time.DriveAsync(m.Client.DescribeResourcePolicyAsync(Describe), TimeSpan.FromMilliseconds(250));

        var retries = collector.GetSnapshot().Where(r => r.Id.Name == "Retrying").ToList();
        Assert.Equal(2, retries.Count);
        Assert.All(retries, r => Assert.Equal(2, r.Id.Id));
        Assert.Equal("DescribeResourcePolicy attempt 1 failed (429 ThrottlingException); retrying in 1000 ms", retries[0].Message);
        Assert.Equal("DescribeResourcePolicy attempt 2 failed (429 ThrottlingException); retrying in 1000 ms", retries[1].Message);
    }

    [Fact]
    public async Task ZeroRetries_DisablesRetrying()
    {
        using var m = new MockClient(o => o.MaxRetries = 0);
        int n = 0;
        m.Http.When("*").Respond(_ => { n++; return Status(500); });

        await Assert.ThrowsAsync<InternalServerException>(() => m.Client.DescribeResourcePolicyAsync(Describe));

        Assert.Equal(1, n);
    }

    [Theory]
    [InlineData(1, 0.0, 100)]
    [InlineData(1, 1.0, 200)]
    [InlineData(3, 0.0, 400)]
    [InlineData(20, 0.0, 10_000)]
    [InlineData(20, 1.0, 20_000)]
    public void Backoff_IsExponentialCappedAndNeverZero(int retry, double random, double expectedMs)
    {
        var d = RetryHandler.Backoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(20), retry, random);
        Assert.Equal(expectedMs, d.TotalMilliseconds, 3);
    }
}
