using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RichardSzalay.MockHttp;

namespace LexV2.ResourcePolicy.Tests.Diagnostics;

[Collection("Telemetry")] // listeners are process-wide: keep these tests from overlapping
public class TelemetryTests
{
    // A resource no other test uses: listeners see every span in the process.
    private const string Arn = "arn:aws:lex:us-east-1:123456789012:bot-alias/TELEMETRY1/TSTALIASID";

    private static HttpResponseMessage Answer(int status, string body, string requestId)
    {
        var r = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body) };
        r.Headers.TryAddWithoutValidation("x-amzn-RequestId", requestId);
        return r;
    }

    [Fact]
    public async Task EachOperation_HasOneSpan_WithOperationArnStatusAttemptsAndRequestId()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "LexV2.ResourcePolicy",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var m = new MockClient(o => { o.BaseRetryDelay = TimeSpan.FromMilliseconds(1); o.MaxRetryDelay = TimeSpan.FromMilliseconds(1); });
        int n = 0;
        m.Http.When("*").Respond(_ => ++n switch
        {
            1 => Answer(503, "", "r1"),
            2 => Answer(200, """{"revisionId":"1"}""", "r2"),
            _ => Answer(404, """{"__type":"ResourceNotFoundException"}""", "r3"),
        });

        var first = m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = Arn });
        while (!first.IsCompleted)
        {
            m.Time.Advance(TimeSpan.FromMilliseconds(5));
            await Task.Delay(1);
        }

        await first;
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => m.Client.DeleteResourcePolicyAsync(new() { ResourceArn = Arn }));

        var ours = spans.Where(a => a.GetTagItem("aws.lex.resource_arn") as string == Arn).ToList();
        Assert.Equal(2, ours.Count);
        Assert.Equal("DescribeResourcePolicy", ours[0].OperationName);
        Assert.Equal(ActivityKind.Client, ours[0].Kind);
        Assert.Equal(200, ours[0].GetTagItem("http.response.status_code"));
        Assert.Equal(2, ours[0].GetTagItem("lexv2.attempts"));
        Assert.Equal("r2", ours[0].GetTagItem("aws.request_id"));
        Assert.Equal("DeleteResourcePolicy", ours[1].OperationName);
        Assert.Equal(ActivityStatusCode.Error, ours[1].Status);
        Assert.Equal("ResourceNotFoundException", ours[1].GetTagItem("error.type"));
    }

    [Fact]
    public async Task Metrics_CountCallsRetriesErrors_AndRecordDuration()
    {
        var seen = new ConcurrentQueue<(string Instrument, double Value, string? Operation)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "LexV2.ResourcePolicy")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => seen.Enqueue((i.Name, v, Operation(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => seen.Enqueue((i.Name, v, Operation(tags))));
        listener.Start();
        using var m = new MockClient(o => { o.BaseRetryDelay = TimeSpan.FromMilliseconds(1); o.MaxRetryDelay = TimeSpan.FromMilliseconds(1); o.MaxRetries = 1; });
        m.Http.When("*").Respond(_ => Answer(500, """{"__type":"InternalServerException"}""", "x"));

        var call = m.Client.UpdateResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn, Policy = Fixtures.Policy });
        while (!call.IsCompleted)
        {
            m.Time.Advance(TimeSpan.FromMilliseconds(5));
            await Task.Delay(1);
        }

        await Assert.ThrowsAsync<InternalServerException>(() => call);
        var mine = seen.Where(s => s.Operation == "UpdateResourcePolicy").ToList();
        Assert.Contains(mine, s => s.Instrument == "lexv2.resourcepolicy.calls" && s.Value == 1);
        Assert.Contains(mine, s => s.Instrument == "lexv2.resourcepolicy.retries" && s.Value == 1);
        Assert.Contains(mine, s => s.Instrument == "lexv2.resourcepolicy.errors" && s.Value == 1);
        Assert.Contains(mine, s => s.Instrument == "lexv2.resourcepolicy.duration" && s.Value >= 0);

        static string? Operation(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var t in tags)
            {
                if (t.Key == "operation")
                {
                    return t.Value as string;
                }
            }

            return null;
        }
    }

    /// <summary>Collects the spans and the error-counter measurements of one resource while it lives.</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly ActivityListener _spans;
        private readonly MeterListener _meters = new();

        public Recorder(string arn)
        {
            _spans = new ActivityListener
            {
                ShouldListenTo = s => s.Name == "LexV2.ResourcePolicy",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a =>
                {
                    if (a.GetTagItem("aws.lex.resource_arn") as string == arn)
                    {
                        Spans.Enqueue(a);
                    }
                },
            };
            ActivitySource.AddActivityListener(_spans);
            _meters.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "LexV2.ResourcePolicy")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _meters.SetMeasurementEventCallback<long>((i, v, tags, _) =>
            {
                // Listeners are process-wide: keep the measurements made inside a span of this resource (the helper's).
                if (Activity.Current?.GetTagItem("aws.lex.resource_arn") as string != arn)
                {
                    return;
                }

                string? operation = null, status = null;
                foreach (var t in tags)
                {
                    (operation, status) = t.Key switch
                    {
                        "operation" => (t.Value as string, status),
                        "http.response.status_code" or "error.type" or "reason" => (operation, Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture)),
                        _ => (operation, status),
                    };
                }

                Measurements.Enqueue((i.Name, operation, status));
            });
            _meters.Start();
        }

        public ConcurrentQueue<Activity> Spans { get; } = new();

        public ConcurrentQueue<(string Instrument, string? Operation, string? Tag)> Measurements { get; } = new();

        public List<Activity> Calls => [.. Spans.Where(s => s.Kind == ActivityKind.Client)];

        public Activity Helper => Assert.Single(Spans, s => s.Kind == ActivityKind.Internal);

        public void Dispose()
        {
            _spans.Dispose();
            _meters.Dispose();
        }
    }

    private const string HelperArn = "arn:aws:lex:us-east-1:123456789012:bot-alias/TELEMETRY2/TSTALIASID";

    /// <summary>A DescribeResourcePolicy answer whose policy holds one statement per sid.</summary>
    private static string PolicyWith(params string[] sids)
    {
        string statements = string.Join(",", sids.Select(sid =>
            $$"""{"Sid":"{{sid}}","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/{{sid}}"},"Action":"lex:DescribeBot","Resource":"{{HelperArn}}"}"""));
        string policy = $$"""{"Version":"2012-10-17","Statement":[{{statements}}]}""";
        return $$"""{"revisionId":"{{sids.Length + 4}}","policy":{{System.Text.Json.JsonSerializer.Serialize(policy)}}}""";
    }

    private static readonly CreateResourcePolicyStatementRequest HelperGrant = LexGrant.IamPrincipal(BotAliasArn.Parse(HelperArn), "arn:aws:iam::123456789012:role/App", "App", ["lex:RecognizeText"]);

    [Fact]
    public async Task EnsureStatement_HandledAnswersAreNotErrors_AndTheCallHasItsOwnSpanWithItsOutcome()
    {
        using var recorder = new Recorder(HelperArn);
        using var m = new MockClient();
        int reads = 0;
        m.Http.When(HttpMethod.Get, "*").Respond(_ => ++reads == 1
            ? Answer(404, """{"__type":"ResourceNotFoundException"}""", "first-grant")    // no policy yet: the expected 404
            : Answer(200, PolicyWith("Other"), "read"));
        int writes = 0;
        m.Http.When(HttpMethod.Post, "*").Respond(_ => ++writes == 1
            ? Answer(409, """{"__type":"ConflictException"}""", "concurrent-writer")      // another writer was first: handled
            : Answer(200, """{"revisionId":"6"}""", "added"));

        var result = await m.Client.EnsureStatementAsync(HelperGrant);

        Assert.Equal((StatementChange.Added, 2), (result.Change, result.Rounds));
        Activity helper = recorder.Helper;
        Assert.Equal("lex.ensure_statement", helper.OperationName);
        Assert.Equal("Added", helper.GetTagItem("lex.statement_change"));
        Assert.Equal(ActivityStatusCode.Unset, helper.Status);
        var calls = recorder.Calls;
        Assert.Equal(["DescribeResourcePolicy", "CreateResourcePolicyStatement", "DescribeResourcePolicy", "CreateResourcePolicyStatement"], calls.Select(c => c.OperationName));
        Assert.All(calls, c => Assert.Equal(helper.SpanId, c.ParentSpanId));
        Assert.All(calls, c => Assert.NotEqual(ActivityStatusCode.Error, c.Status));
        Assert.All(calls, c => Assert.Null(c.GetTagItem("error.type")));
        Assert.Equal([404, 409, 200, 200], calls.Select(c => (int)c.GetTagItem("http.response.status_code")!));
        Assert.DoesNotContain(recorder.Measurements, x => x.Instrument == "lexv2.resourcepolicy.errors");
        Assert.Equal(4, recorder.Measurements.Count(x => x.Instrument == "lexv2.resourcepolicy.calls"));
    }

    [Fact]
    public async Task RemoveStatement_HandledAnswersAreNotErrors_AndTheCallHasItsOwnSpanWithItsOutcome()
    {
        using var recorder = new Recorder(HelperArn);
        using var m = new MockClient();
        int reads = 0;
        m.Http.When(HttpMethod.Get, "*").Respond(_ => ++reads <= 2
            ? Answer(200, PolicyWith("App"), "read")
            : Answer(404, """{"__type":"ResourceNotFoundException"}""", "gone"));   // the last statement took the policy with it
        int deletes = 0;
        m.Http.When(HttpMethod.Delete, "*").Respond(_ => ++deletes == 1
            ? Answer(412, """{"__type":"PreconditionFailedException"}""", "moved")        // the revision moved: handled
            : new HttpResponseMessage(HttpStatusCode.NoContent));

        var result = await m.Client.RemoveStatementAsync(HelperArn, "App");

        Assert.Equal((StatementChange.Removed, (string?)null, 2), (result.Change, result.RevisionId, result.Rounds));
        Activity helper = recorder.Helper;
        Assert.Equal("lex.remove_statement", helper.OperationName);
        Assert.Equal("Removed", helper.GetTagItem("lex.statement_change"));
        Assert.All(recorder.Calls, c => Assert.Equal(helper.SpanId, c.ParentSpanId));
        Assert.All(recorder.Calls, c => Assert.NotEqual(ActivityStatusCode.Error, c.Status));
        Assert.Equal([200, 412, 200, 204, 404], recorder.Calls.Select(c => (int)c.GetTagItem("http.response.status_code")!));
        Assert.DoesNotContain(recorder.Measurements, x => x.Instrument == "lexv2.resourcepolicy.errors");
    }

    [Fact]
    public async Task EnsureStatement_UnchangedPolicy_IsTaggedNone()
    {
        using var recorder = new Recorder(HelperArn);
        using var m = new MockClient();
        m.Http.When(HttpMethod.Get, "*").Respond(_ => Answer(200, PolicyWith("Other"), "read"));
        m.Http.When(HttpMethod.Post, "*").Respond(_ => Answer(200, """{"revisionId":"6"}""", "added"));
        await m.Client.EnsureStatementAsync(HelperGrant with { StatementId = "Other", Principal = [Principal.ForArn("arn:aws:iam::123456789012:role/Other")], Action = ["lex:DescribeBot"] });

        Assert.Equal("None", recorder.Helper.GetTagItem("lex.statement_change"));
    }

    [Fact]
    public async Task AnswersTheHelpersDoNotHandle_StayErrors_InSpansMetricsAndLogs()
    {
        // A 404 from the write (the bot does not exist) is not the expected 404 of a first read; and the 409 of the last round
        // is not handled by another round: both are errors, and so is the helper's span.
        var collector = new FakeLogCollector();
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(collector)));
        using var recorder = new Recorder(HelperArn);
        using var m = new MockClient(loggerFactory: loggers);
        m.Http.When(HttpMethod.Get, "*").Respond(_ => Answer(404, """{"__type":"ResourceNotFoundException"}""", "first-grant"));
        m.Http.When(HttpMethod.Post, "*").Respond(_ => Answer(404, """{"__type":"ResourceNotFoundException","message":"bot not found"}""", "no-bot"));

        await Assert.ThrowsAsync<ResourceNotFoundException>(() => m.Client.EnsureStatementAsync(HelperGrant));

        Assert.Equal([ActivityStatusCode.Unset, ActivityStatusCode.Error], recorder.Calls.Select(c => c.Status));
        Assert.Equal(ActivityStatusCode.Error, recorder.Helper.Status);
        Assert.Equal("ResourceNotFoundException", recorder.Helper.GetTagItem("error.type"));
        Assert.Null(recorder.Helper.GetTagItem("lex.statement_change"));
        Assert.Equal(("lexv2.resourcepolicy.errors", "CreateResourcePolicyStatement", "ResourceNotFoundException"), Assert.Single(recorder.Measurements, x => x.Instrument == "lexv2.resourcepolicy.errors"));
        var failed = collector.GetSnapshot().Where(r => r.Id.Name == "RequestFailed").ToList();
        Assert.Equal([LogLevel.Debug, LogLevel.Warning], failed.Select(r => r.Level));
    }

    /// <summary>
    /// A status the helpers handle, but an error they do not: a 404 from a gateway or a wrong endpoint
    /// (<c>UnknownOperationException</c>), a 409 or 412 with another code. The helper lets it through to the caller, so it is a
    /// failure in spans, metrics and logs, whatever its status.
    /// </summary>
    [Theory]
    [InlineData("GET", 404, "UnknownOperationException")]
    [InlineData("POST", 409, "ResourceInUseException")]
    [InlineData("POST", 412, "AccessDeniedException")]
    public async Task EnsureStatement_AnAnswerItLetsThrough_IsAnError_EvenWithAStatusItHandlesForOtherErrors(string method, int status, string code)
    {
        var collector = new FakeLogCollector();
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(collector)));
        using var recorder = new Recorder(HelperArn);
        using var m = new MockClient(loggerFactory: loggers);
        string failure = $$"""{"__type":"{{code}}","message":"not what the helper handles"}""";
        m.Http.When(HttpMethod.Get, "*").Respond(_ => method == "GET" ? Answer(status, failure, "failed") : Answer(200, PolicyWith("Other"), "read"));
        m.Http.When(HttpMethod.Post, "*").Respond(_ => Answer(status, failure, "failed"));

        var e = await Assert.ThrowsAsync<LexPolicyException>(() => m.Client.EnsureStatementAsync(HelperGrant));

        Assert.Equal(code, e.ErrorCode);
        Activity failed = recorder.Calls[^1];
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal(code, failed.GetTagItem("error.type"));
        Assert.Single(recorder.Measurements, x => x.Instrument == "lexv2.resourcepolicy.errors");
        Assert.Equal(LogLevel.Warning, Assert.Single(collector.GetSnapshot(), r => r.Id.Name == "RequestFailed").Level);
    }

    /// <summary>
    /// The error codes of answers are the server's text: a gateway or a hostile endpoint can send a new one with every answer.
    /// The errors counter keeps a bounded set of <c>error.type</c> values (each is a time series an exporter keeps), the codes
    /// the client knows, else <c>_OTHER</c>, as OpenTelemetry's conventions ask; the span and the exception keep the code.
    /// </summary>
    [Fact]
    public async Task ErrorsCounter_ErrorTypesStayBounded_WhenAnswersCarryCodesTheClientDoesNotKnow()
    {
        const string arn = "arn:aws:lex:us-east-1:123456789012:bot-alias/TELEMETRY3/TSTALIASID";
        using var recorder = new Recorder(arn);
        using var m = new MockClient();
        int n = 0;
        m.Http.When("*").Respond(_ => ++n <= 20
            ? Answer(400, $$"""{"__type":"Invented{{n}}Exception"}""", "r" + n)
            : Answer(403, """{"__type":"AccessDeniedException"}""", "denied"));
        using (new Activity("test").SetTag("aws.lex.resource_arn", arn).Start()) // the recorder keeps what is measured inside it
        {
            for (int i = 0; i < 21; i++)
            {
                var e = await Assert.ThrowsAsync<LexPolicyException>(() => m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = arn }));
                Assert.Equal(i < 20 ? $"Invented{i + 1}Exception" : "AccessDeniedException", e.ErrorCode);
            }
        }

        var types = recorder.Measurements.Where(x => x.Instrument == "lexv2.resourcepolicy.errors").Select(x => x.Tag).ToList();
        Assert.Equal(21, types.Count);
        Assert.Equal(["AccessDeniedException", "_OTHER"], types.Distinct().Order(StringComparer.Ordinal));
        Assert.Equal("Invented1Exception", recorder.Calls[0].GetTagItem("error.type"));
    }

    /// <summary>The retries counter's <c>reason</c>: a code the client knows, else the status, never a server's own code.</summary>
    [Fact]
    public async Task RetriesCounter_ReasonsStayBounded_WhenRetriedAnswersCarryCodesTheClientDoesNotKnow()
    {
        const string arn = "arn:aws:lex:us-east-1:123456789012:bot-alias/TELEMETRY4/TSTALIASID";
        using var recorder = new Recorder(arn);
        using var m = new MockClient(o => (o.BaseRetryDelay, o.MaxRetryDelay) = (TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1)));
        int n = 0;
        m.Http.When("*").Respond(_ => ++n switch
        {
            1 => Answer(503, """{"__type":"Invented1Exception"}""", "r1"),
            2 => Answer(500, """{"__type":"Invented2Exception"}""", "r2"),
            3 => Answer(429, """{"__type":"ThrottlingException"}""", "r3"),
            _ => Answer(200, """{"revisionId":"1"}""", "r4"),
        });
        using (new Activity("test").SetTag("aws.lex.resource_arn", arn).Start())
        {
            var call = m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = arn });
            while (!call.IsCompleted)
            {
                m.Time.Advance(TimeSpan.FromMilliseconds(5));
                await Task.Delay(1);
            }

            await call;
        }

        var reasons = recorder.Measurements.Where(x => x.Instrument == "lexv2.resourcepolicy.retries").Select(x => x.Tag);
        Assert.Equal(["503", "500", "ThrottlingException"], reasons);
    }

    [Fact]
    public async Task EnsureStatement_TheLastRoundsConflict_IsAnError_TheEarlierOnesAreNot()
    {
        using var recorder = new Recorder(HelperArn);
        using var m = new MockClient();
        m.Http.When(HttpMethod.Get, "*").Respond(_ => Answer(200, PolicyWith("Other"), "read"));
        m.Http.When(HttpMethod.Post, "*").Respond(_ => Answer(409, """{"__type":"ConflictException"}""", "concurrent-writer"));

        var e = await Assert.ThrowsAsync<ConflictException>(() => m.Client.EnsureStatementAsync(HelperGrant));

        var writes = recorder.Calls.Where(c => c.OperationName == "CreateResourcePolicyStatement").ToList();
        Assert.Equal(LexPolicyClientExtensions.MaxRounds, writes.Count);
        Assert.All(writes.SkipLast(1), c => Assert.Equal(ActivityStatusCode.Unset, c.Status));
        Assert.Equal(ActivityStatusCode.Error, writes[^1].Status);
        Assert.Single(recorder.Measurements, x => x.Instrument == "lexv2.resourcepolicy.errors");
        Assert.Equal(ActivityStatusCode.Error, recorder.Helper.Status);
        Assert.IsType<ConflictException>(e.InnerException);
    }

    [Fact]
    public async Task CredentialsUnavailable_IsLoggedAsAWarning_WithTheReason_AndNoSecret()
    {
        const string secret = "secretKEY\nNEVERlogged";
        var collector = new FakeLogCollector();
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector)));
        using var m = new MockClient(o => o.Credentials = new BasicAWSCredentials("AKIDEXAMPLE", secret), loggers);

        var e = await Assert.ThrowsAsync<LexPolicyException>(() => m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn }));

        Assert.Equal("CredentialsUnavailable", e.ErrorCode);
        var record = Assert.Single(collector.GetSnapshot(), r => r.Id.Name == "CredentialsUnavailable");
        Assert.Equal(LogLevel.Warning, record.Level);
        Assert.Contains("DescribeResourcePolicy", record.Message, StringComparison.Ordinal);
        Assert.Contains("secret access key contains a character outside visible ASCII", record.Message, StringComparison.Ordinal);
        Assert.All(collector.GetSnapshot(), r => Assert.DoesNotContain("NEVERlogged", r.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void PackageVersionConstant_IsTheAssemblysVersion()
    {
        // Written into the build (no reflection at start-up); the User-Agent and the telemetry's version must stay the package's.
        string expected = System.Reflection.CustomAttributeExtensions
            .GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(typeof(LexPolicyClient).Assembly)!.InformationalVersion.Split('+')[0];
        Assert.Equal(LexClientRuntime.PackageVersion, expected);
        Assert.Equal(expected, LexV2.ResourcePolicy.Diagnostics.LexTelemetry.Source.Version);
    }
}
