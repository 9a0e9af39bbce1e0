using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
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
