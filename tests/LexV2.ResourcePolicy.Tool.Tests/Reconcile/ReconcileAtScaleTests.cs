using System.Text.Json.Nodes;
using LexV2.ResourcePolicy.Reconcile;
using Microsoft.Extensions.Time.Testing;
using static LexV2.ResourcePolicy.Tool.Tests.Reconcile.PolicyReconcilerTests;

namespace LexV2.ResourcePolicy.Tool.Tests.Reconcile;

/// <summary>
/// Issue #22 in the engine: throttling the client's retries did not absorb, cancellation in the middle of an apply, the lint
/// findings and the integrity of a saved plan.
/// </summary>
[Trait("Issue", "22")]
public class ReconcileAtScaleTests
{
    private static DesiredState Many(int count, string prefix = "BULK") => new()
    {
        Resources = [.. Enumerable.Range(0, count).Select(i =>
        {
            string id = (prefix + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture))[..10];
            var alias = BotArn.Parse($"arn:aws:lex:us-east-1:123456789012:bot/{id}").Alias("TSTALIASID");
            return Resource(alias, false, Role(alias, "A"), Role(alias, "B"));
        })],
    };

    /// <summary>Drives a fake clock forward while <paramref name="task"/> runs (the reconciler's waits go through it).</summary>
    private static async Task<T> Drive<T>(FakeTimeProvider time, Task<T> task)
    {
        while (!task.IsCompleted)
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.WhenAny(task, Task.Delay(5));
        }

        return await task;
    }

    [Fact]
    public async Task Apply_CallsStillThrottledAfterTheClientsRetries_AreRetriedAfterAWait_WithFewerCallsInFlight_ThatGrowBack()
    {
        var time = new FakeTimeProvider();
        var fake = new FakeLexPolicyClient();
        int inFlight = 0, throttled = 0;
        var starts = new List<(int InFlight, bool Throttled)>();
        var wave = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fake.BeforeAsync = async (_, _, _) =>
        {
            bool throttle;
            lock (starts)
            {
                throttle = throttled < 8; // the first wave of 8 calls is throttled, together; then the service recovers
                throttled += throttle ? 1 : 0;
                starts.Add((++inFlight, throttle));
                if (throttled == 8)
                {
                    wave.TrySetResult();
                }
            }

            try
            {
                await (throttle ? wave.Task : Task.Delay(5, CancellationToken.None));
                if (throttle)
                {
                    throw new ThrottlingException("Rate exceeded (after the client's own retries)");
                }
            }
            finally
            {
                lock (starts)
                {
                    inFlight--;
                }
            }
        };
        var reconciler = new PolicyReconciler(fake, new ReconcileOptions { MaxConcurrency = 8, TimeProvider = time });

        var plan = await Drive(time, reconciler.PlanAsync(Many(24)));
        var result = await Drive(time, reconciler.ApplyAsync(plan));

        Assert.All(plan.Resources, r => Assert.Null(r.Error));
        Assert.All(result.Resources, r => Assert.Equal(ApplyOutcome.Applied, r.Outcome));
        Assert.Equal(8 + (24 * 3), starts.Count); // the 8 throttled reads were retried, nothing failed
        Assert.Equal(8, starts.Take(8).Max(s => s.InFlight));
        // One burst of throttles halves the limit once (8 -> 4); it grows back by one per `limit` successes.
        Assert.True(starts.Skip(8).Take(8).Max(s => s.InFlight) <= 5, string.Join(",", starts.Select(s => s.InFlight)));
        Assert.True(starts.Skip(48).Max(s => s.InFlight) >= 6, string.Join(",", starts.Select(s => s.InFlight)));
    }

    [Fact]
    public async Task Apply_ThrottledBeyondTheReconcilersRetries_FailsThatResourceOnly_SayingWhatWasTried()
    {
        var time = new FakeTimeProvider();
        var fake = new FakeLexPolicyClient();
        var desired = Many(3);
        string stubborn = desired.Resources[1].ResourceArn;
        fake.Before = (op, arn) =>
        {
            if (op == "Create" && arn == stubborn)
            {
                throw new ThrottlingException("Rate exceeded");
            }
        };
        var reconciler = new PolicyReconciler(fake, new ReconcileOptions { MaxThrottleRetries = 2, TimeProvider = time });

        var result = await Drive(time, reconciler.ReconcileAsync(desired));

        Assert.Equal([ApplyOutcome.Applied, ApplyOutcome.Failed, ApplyOutcome.Applied], result.Resources.Select(r => r.Outcome));
        Assert.IsType<ThrottlingException>(result.Resources[1].Error);
        Assert.Contains("The reconciler also retried it 2 time(s), each time with fewer calls in flight", result.Resources[1].Message, StringComparison.Ordinal);
        Assert.Equal(3, fake.Calls.Count(c => c == "Create " + stubborn));
    }

    [Fact]
    public async Task Plan_AndApply_AServiceThatThrottlesEveryCall_EndAfterOneResourcesRetries_NotOneRoundPerResource()
    {
        // A hostile or overwhelmed endpoint: 429 for every call, forever. Each resource alone would take the client's retries and
        // the reconciler's 8 more (~70 s); over 300 resources that is an hour and a half of throttled calls before the run ends.
        var time = new FakeTimeProvider();
        var fake = new FakeLexPolicyClient();
        var desired = Many(40, "STAL");
        var reconciler = new PolicyReconciler(fake, new ReconcileOptions { MaxConcurrency = 4, TimeProvider = time });
        var plan = await reconciler.PlanAsync(desired);
        fake.Before = (_, _) => throw new ThrottlingException("Rate exceeded");
        int before = fake.Calls.Count;

        var replan = await Drive(time, reconciler.PlanAsync(desired));
        int planCalls = fake.Calls.Count - before;
        var result = await Drive(time, reconciler.ApplyAsync(plan));
        int applyCalls = fake.Calls.Count - before - planCalls;

        // At most the resources in flight when the service proved it accepts nothing go through their retries (4 x 9 calls).
        Assert.True(planCalls <= 4 * 9, $"{planCalls} reads");
        Assert.True(applyCalls <= 4 * 9, $"{applyCalls} reads and writes");
        Assert.All(replan.Resources, r => Assert.IsType<ThrottlingException>(r.Error));
        Assert.All(result.Resources, r => Assert.Equal(ApplyOutcome.Failed, r.Outcome));
        Assert.False(result.Succeeded);
        Assert.False(result.Cancelled);
        Assert.All(result.Resources, r => Assert.IsType<ThrottlingException>(r.Error));
        var notTried = result.Resources[^1];
        Assert.Contains("the service throttled every call of this run for ", notTried.Message, StringComparison.Ordinal);
        Assert.Contains("so no more resources were started; nothing was written for this one. Try again later, with less concurrency.", notTried.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(fake.Calls.Skip(before), c => c.Contains(desired.Resources[^1].ResourceArn, StringComparison.Ordinal));
    }

    public static TheoryData<string> Unanswered => ["timeout", "connection"];

    [Theory]
    [MemberData(nameof(Unanswered))]
    public async Task Plan_AndApply_AnEndpointThatAnswersNothing_EndAfterTheCallsInFlight_NotOneTimeoutPerResource(string how)
    {
        // An endpoint that never answers (each call takes the client's overall timeout, 2 minutes) or refuses every connection:
        // 300 resources four at a time would take 75 rounds of it, two and a half hours for a plan that prints nothing meanwhile.
        var fake = new FakeLexPolicyClient();
        var desired = Many(40, "DEAD");
        var reconciler = new PolicyReconciler(fake, new ReconcileOptions { MaxConcurrency = 4 });
        var plan = await reconciler.PlanAsync(desired);
        fake.Before = (_, _) => throw (how == "timeout"
            ? new LexPolicyTimeoutException("DescribeResourcePolicy did not complete within the overall timeout of 120 s (4 attempt(s)).", isOverallTimeout: true)
            : new LexPolicyException("DescribeResourcePolicy could not get an answer from 127.0.0.1 after 4 attempt(s): Connection refused", default, "RequestFailed", null, new HttpRequestException("Connection refused")));
        int before = fake.Calls.Count;

        var replan = await reconciler.PlanAsync(desired);
        int planCalls = fake.Calls.Count - before;
        var result = await reconciler.ApplyAsync(plan);
        int applyCalls = fake.Calls.Count - before - planCalls;

        Assert.True(planCalls <= 4, $"{planCalls} reads");
        Assert.True(applyCalls <= 4, $"{applyCalls} reads");
        Assert.All(replan.Resources, r => Assert.IsAssignableFrom<LexPolicyException>(r.Error));
        Assert.All(result.Resources, r => Assert.Equal(ApplyOutcome.Failed, r.Outcome));
        Assert.False(result.Cancelled);
        string notTried = result.Resources[^1].Message!;
        Assert.StartsWith("Not attempted: the service answered no call of this run (", notTried, StringComparison.Ordinal);
        Assert.EndsWith("), so no more resources were started; nothing was written for this one. Check the endpoint and the network, and try again.", notTried);
        Assert.Equal(how == "timeout" ? "OverallTimeout" : "RequestFailed", ((LexPolicyException)result.Resources[^1].Error!).ErrorCode);
    }

    [Fact]
    public async Task Apply_Cancelled_StartsNoNewWrite_LetsTheWritesInFlightFinish_AndReportsEveryResource()
    {
        var fake = new FakeLexPolicyClient();
        var desired = Many(10);
        var reconciler = new PolicyReconciler(fake, new ReconcileOptions { MaxConcurrency = 2 });
        var plan = await reconciler.PlanAsync(desired);
        var release = new TaskCompletionSource();
        int writes = 0;
        var twoInFlight = new TaskCompletionSource();
        fake.BeforeAsync = async (op, _, _) =>
        {
            if (op == "Create")
            {
                if (Interlocked.Increment(ref writes) == 2)
                {
                    twoInFlight.TrySetResult();
                }

                await release.Task; // the write is on the wire: cancelling the run must not cut it off
            }
        };
        using var cancel = new CancellationTokenSource();
        var progress = new List<ResourceApplyResult>();

        var apply = reconciler.ApplyAsync(plan, new Collect(progress), cancel.Token);
        await twoInFlight.Task.WaitAsync(TimeSpan.FromSeconds(30));
        cancel.Cancel();
        release.SetResult();
        var e = await Assert.ThrowsAsync<ReconcileCancelledException>(() => apply);

        Assert.True(e.Result.Cancelled);
        Assert.Equal(2, writes);
        Assert.Equal(2, e.Result.Count(ApplyOutcome.Applied));
        Assert.Equal(8, e.Result.Count(ApplyOutcome.NotStarted));
        Assert.Equal(desired.Resources.Select(r => r.ResourceArn), e.Result.Resources.Select(r => r.ResourceArn));
        Assert.Equal(10, progress.Count);
        Assert.Equal("2 applied, 0 unchanged, 0 refused, 0 skipped, 0 failed, 8 not started (cancelled)", e.Result.ToString());
        Assert.IsAssignableFrom<OperationCanceledException>(e);

        // What was written is whole, and a new plan shows exactly the rest.
        fake.BeforeAsync = null;
        var rest = await reconciler.PlanAsync(desired);
        Assert.Equal(
            e.Result.Resources.Where(r => r.Outcome == ApplyOutcome.NotStarted).Select(r => r.ResourceArn),
            rest.Resources.Where(r => r.HasChanges).Select(r => r.ResourceArn));
        Assert.All(rest.Resources.Where(r => !r.HasChanges), r => Assert.Equal(2, r.Unchanged.Count));
    }

    [Fact]
    public async Task Apply_Cancelled_AWriteThatOutlastsTheGracePeriod_IsAbandoned_AndReportedAsUnknown()
    {
        var time = new FakeTimeProvider();
        var fake = new FakeLexPolicyClient();
        var reconciler = new PolicyReconciler(fake, new ReconcileOptions { MaxConcurrency = 1, CancellationGracePeriod = TimeSpan.FromSeconds(5), TimeProvider = time });
        var plan = await reconciler.PlanAsync(Many(2));
        var inFlight = new TaskCompletionSource();
        fake.BeforeAsync = async (op, _, ct) =>
        {
            if (op == "Create")
            {
                inFlight.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct); // a write that never answers: only the grace period ends it
            }
        };
        using var cancel = new CancellationTokenSource();

        var apply = reconciler.ApplyAsync(plan, null, cancel.Token);
        await inFlight.Task.WaitAsync(TimeSpan.FromSeconds(30));
        cancel.Cancel();
        time.Advance(TimeSpan.FromSeconds(4));
        await Task.Delay(50);
        Assert.False(apply.IsCompleted); // still within the grace period
        time.Advance(TimeSpan.FromSeconds(2));
        var e = await Assert.ThrowsAsync<ReconcileCancelledException>(() => apply.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal([ApplyOutcome.Failed, ApplyOutcome.NotStarted], e.Result.Resources.Select(r => r.Outcome));
        Assert.Contains("did not finish within 5 s: whether it was written is unknown; plan again to see", e.Result.Resources[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_CarriesTheLintersFindingsAsWarnings_WithTheirJsonPaths()
    {
        var fake = new FakeLexPolicyClient();
        var typo = Role(Alias, "A") with { Action = ["lex:StartConversaion"] };
        var onBot = Role(Bot, "B") with { Action = ["lex:RecognizeText"] };

        var plan = await new PolicyReconciler(fake).PlanAsync(new DesiredState { Resources = [Resource(Alias, false, typo), Resource(Bot, false, onBot)] });

        Assert.Equal(["$.resources[0].statements[0].action[0]", "$.resources[1].statements[0].action[0]"], plan.Warnings.Select(w => w.Path));
        Assert.Contains("did you mean 'lex:StartConversation'?", plan.Warnings[0].Message, StringComparison.Ordinal);
        Assert.All(plan.Warnings, w => Assert.True(w.IsLintFinding));
        Assert.Equal(2, ReconcilePlan.Parse(WithTarget(plan).ToJson()).Warnings.Count);
    }

    [Fact]
    public async Task SavedPlan_Sha256_IsOverTheCanonicalContent_ReformattingKeepsIt_AnyEditIsRefused()
    {
        var fake = new FakeLexPolicyClient();
        var plan = WithTarget(await new PolicyReconciler(fake).PlanAsync(Many(2)));
        string json = plan.ToJson();
        var node = JsonNode.Parse(json)!.AsObject();

        // What the README documents, computed independently: the file without sha256, members sorted, no whitespace.
        Assert.Equal(plan.Sha256, node["sha256"]!.GetValue<string>());
        Assert.Equal(plan.Sha256, PlanFiles.Sha256(node));
        Assert.Matches("^[0-9a-f]{64}$", plan.Sha256);

        // Reformatted (no indentation, members in another order): the same content, the same hash.
        var reordered = new JsonObject(node.Reverse().Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        Assert.Equal(plan.Sha256, ReconcilePlan.Parse(reordered.ToJsonString()).Sha256);

        // An edit after review: a broader action.
        string edited = json.Replace("\"lex:RecognizeText\"", "\"lex:*\"", StringComparison.Ordinal);
        Assert.NotEqual(json, edited);
        var e = Assert.Throws<PlanIntegrityException>(() => ReconcilePlan.Parse(edited, "plan.json"));
        Assert.Equal(plan.Sha256, e.RecordedSha256);
        Assert.NotEqual(plan.Sha256, e.ActualSha256);
        Assert.StartsWith("The plan plan.json was changed after it was made: its content has SHA-256 ", e.Message, StringComparison.Ordinal);

        node.Remove("sha256");
        Assert.Null(Assert.Throws<PlanIntegrityException>(() => ReconcilePlan.Parse(node.ToJsonString())).RecordedSha256);
    }

    [Fact]
    public void PlanTarget_DifferencesFrom_NamesTheRegionAndBothEndpoints_WithoutCredentialsInUrls()
    {
        string[] arns = [Alias, "arn:aws:lex:eu-west-1:123456789012:bot/ABCDEFGHIJ"];
        var planned = PlanTarget.For(arns, region => new Uri($"https://models-v2-lex.{region}.amazonaws.com/"));
        var local = PlanTarget.For(arns, region => region == "eu-west-1" ? new Uri("http://user:secret@127.0.0.1:9000/") : new Uri($"https://models-v2-lex.{region}.amazonaws.com/"));

        Assert.Equal(["eu-west-1", "us-east-1"], planned.Endpoints.Keys);
        Assert.Equal(["123456789012"], planned.AccountIds);
        Assert.Empty(planned.DifferencesFrom(planned));
        var difference = Assert.Single(planned.DifferencesFrom(local));
        Assert.Equal("eu-west-1: the plan was made against https://models-v2-lex.eu-west-1.amazonaws.com/, but this apply would send to http://127.0.0.1:9000/", difference);
        Assert.DoesNotContain("secret", local.Endpoints["eu-west-1"].ToString(), StringComparison.Ordinal);
    }

    /// <summary>A plan as the tool saves it: with its target.</summary>
    private static ReconcilePlan WithTarget(ReconcilePlan plan) =>
        new(plan.Resources, plan.CreatedAt)
        {
            Warnings = plan.Warnings,
            Target = PlanTarget.For(plan.Resources.Select(r => r.ResourceArn), region => new Uri($"https://models-v2-lex.{region}.amazonaws.com/")),
        };

    private sealed class Collect(List<ResourceApplyResult> into) : IProgress<ResourceApplyResult>
    {
        public void Report(ResourceApplyResult value)
        {
            lock (into)
            {
                into.Add(value);
            }
        }
    }
}
