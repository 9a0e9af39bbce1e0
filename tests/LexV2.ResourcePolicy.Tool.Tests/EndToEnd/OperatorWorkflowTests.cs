using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LexV2.ResourcePolicy.Tool.Tests.Reconcile;
using Xunit.Abstractions;
using static LexV2.ResourcePolicy.Tool.Tests.EndToEnd.ThrottledScaleTests;

namespace LexV2.ResourcePolicy.Tool.Tests.EndToEnd;

/// <summary>
/// Issue #22, points 2 to 5 (and point 6's doctor), through the installed tool as a CI job runs it: output piped, signals from
/// the outside, files passed between steps. Each test uses its own bots, so they share <c>lexpolicy serve</c>.
/// </summary>
[Collection(InstalledToolGroup.Name)]
[Trait("Category", "EndToEnd")]
[Trait("Issue", "22")]
public class OperatorWorkflowTests(InstalledTool tool, ITestOutputHelper log)
{
    /// <summary>
    /// How the run is kept from finishing before the signal, whatever the machine's speed: the first three writes go through
    /// (slowly, as at a throttled service), from the fourth on the proxy holds each write in flight (the tool has sent it)
    /// until the signal has been sent. A signal the tool handles late could let it start writes after the release; each takes
    /// the write latency, so the 24 resources leave it seconds before it could have written them all.
    /// </summary>
    private const int SignalResources = 24;

    [Theory]
    [InlineData("INT", 130, false)]
    [InlineData("TERM", 143, true)]
    public async Task Apply_Piped_StreamsAsItGoes_ASignalStopsItCleanly_SayingWhatItWrote_AndAReplanShowsExactlyTheRest(string signal, int exit, bool json)
    {
        await using var proxy = await ThrottlingProxy.StartAsync(tool.Serve);
        proxy.WriteLatency = TimeSpan.FromMilliseconds(400); // writes take a while, as at a throttled service
        proxy.HoldWritesAfter(3);
        string prefix = "SIG" + signal[0];
        string file = tool.File_($"signal-{signal}.json", Desired(prefix, SignalResources));
        string[] args = ["apply", "--file", file, "--auto-approve", "--concurrency", "2", "--endpoint-url", proxy.Endpoint.ToString()];

        var run = await tool.RunAsync(log, json ? [.. args, "--output", "json"] : args, during: async running =>
        {
            if (!json)
            {
                // Lines arrive while the run goes on, through a pipe. (With --output json progress goes to standard error.)
                await running.WaitForLinesAsync(2, TimeSpan.FromSeconds(60));
            }

            // A write is in flight (held at the proxy) when the signal comes: it must finish, and be reported as written.
            await running.WaitUntilAsync(() => proxy.HeldWrites > 0, () => "no write reached the proxy after the third", TimeSpan.FromSeconds(60));
            running.Signal(signal);
            proxy.ReleaseWrites();
        });

        Assert.True(run.Code == exit, run.ToString());
        Assert.Contains($"Stopped by SIG{signal}: no write was started after it and the writes in flight finished;", run.Err, StringComparison.Ordinal);
        string[] applied;
        if (json)
        {
            using var doc = JsonDocument.Parse(run.Out);
            Assert.True(doc.RootElement.GetProperty("cancelled").GetBoolean());
            var outcomes = doc.RootElement.GetProperty("resources").EnumerateArray().Select(r => (Arn: r.GetProperty("resourceArn").GetString()!, Outcome: r.GetProperty("outcome").GetString())).ToList();
            Assert.Equal(SignalResources, outcomes.Count);
            Assert.All(outcomes, o => Assert.Contains(o.Outcome, new[] { "applied", "notStarted" }));
            applied = [.. outcomes.Where(o => o.Outcome == "applied").Select(o => o.Arn)];
        }
        else
        {
            // Two lines came through the pipe before the signal, while every write after the third was held: a tool that
            // printed only at the end would have shown none, and the wait above would have failed.
            applied = [.. run.Out.Split('\n').Where(l => l.Contains(": applied +3 ~0 -0", StringComparison.Ordinal)).Select(l => l[..l.IndexOf(": applied", StringComparison.Ordinal)])];
            Assert.Equal(SignalResources - applied.Length, run.Out.Split('\n').Count(l => l.EndsWith(": not started (cancelled): nothing was written", StringComparison.Ordinal)));
            Assert.Contains($"Apply cancelled: {applied.Length} applied, 0 unchanged, 0 refused, 0 skipped, 0 failed, {SignalResources - applied.Length} not started (cancelled)", run.Out, StringComparison.Ordinal);
        }

        // The three writes let through and the one held at the signal (at least) were written; the signal stopped the rest.
        Assert.InRange(applied.Length, 4, SignalResources - 1);
        Assert.Equal(applied.Length, proxy.Requests.Count(r => r.Method != "GET")); // each written resource: one whole write

        var rest = await tool.RunAsync(log, ["plan", "--file", file, "--output", "json", "--endpoint-url", tool.Serve.ToString()]);
        Assert.Equal(0, rest.Code);
        using var plan = JsonDocument.Parse(rest.Out);
        var left = plan.RootElement.GetProperty("resources").EnumerateArray().Where(r => r.GetProperty("changes").GetArrayLength() > 0).Select(r => r.GetProperty("resourceArn").GetString()).ToList();
        Assert.Equal(SignalResources - applied.Length, left.Count);
        Assert.Empty(left.Intersect(applied));
    }

    [Fact]
    public async Task PlanAndApply_LintFindings_AreWarnings()
    {
        string file = tool.File_("typo.json", Desired("LINT", 1).Replace("lex:RecognizeText", "lex:StartConversaion", StringComparison.Ordinal));

        var plan = await tool.RunAsync(log, ["plan", "--file", file, "--endpoint-url", tool.Serve.ToString()]);
        var apply = await tool.RunAsync(log, ["apply", "--file", file, "--auto-approve", "--endpoint-url", tool.Serve.ToString()]);
        var strict = await tool.RunAsync(log, ["plan", "--file", file, "--strict", "--endpoint-url", tool.Serve.ToString()]);

        Assert.Equal((0, 0, 1), (plan.Code, apply.Code, strict.Code));
        foreach (var run in new[] { plan, apply })
        {
            Assert.Contains($"warning: {file}: $.resources[0].statements[0].action[0]: UnknownAction: 'lex:StartConversaion' is not a Lex V2 action; did you mean 'lex:StartConversation'?", run.Err, StringComparison.Ordinal);
        }

        Assert.Contains($"error: {file}: $.resources[0].statements[0].action[0]: UnknownAction: ", strict.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Regions_ComeFromTheArns_MismatchesAndSharedEndpointsAreRefusedBeforeSending()
    {
        await using var proxy = await ThrottlingProxy.StartAsync(tool.Serve);
        string endpoint = proxy.Endpoint.ToString();
        string west = tool.File_("west.json", Desired("WEST", 2, region: _ => "eu-west-1"));
        string both = tool.File_("both.json", Desired("BOTH", 2, region: i => i == 0 ? "us-east-1" : "eu-west-1"));

        // No --region: the ARNs' region, signed for it, although AWS_REGION says us-east-1.
        var apply = await tool.RunAsync(log, ["apply", "--file", west, "--auto-approve", "--endpoint-url", endpoint]);
        Assert.True(apply.Code == 0, apply.ToString());
        Assert.NotEmpty(proxy.Requests);
        Assert.All(proxy.Requests, r => Assert.Equal("eu-west-1", r.SignedRegion));

        proxy.ClearLog();
        var mismatch = await tool.RunAsync(log, ["plan", "--file", west, "--region", "us-east-1", "--endpoint-url", endpoint]);
        Assert.Equal(1, mismatch.Code);
        Assert.Equal(2, Regex.Count(mismatch.Err, @"is in eu-west-1, but --region is us-east-1"));

        var shared = await tool.RunAsync(log, ["plan", "--file", both, "--endpoint-url", endpoint]);
        Assert.Equal(1, shared.Code);
        Assert.Contains("sends every call to one endpoint, but the resources are in 2 regions (eu-west-1, us-east-1)", shared.Err, StringComparison.Ordinal);

        var configured = await tool.RunAsync(log, ["plan", "--file", both], new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = endpoint });
        Assert.Equal(1, configured.Code);
        Assert.Contains("an endpoint is configured by AWS_ENDPOINT_URL", configured.Err, StringComparison.Ordinal);
        Assert.Empty(proxy.Requests);
    }

    [Fact]
    public async Task ReviewedPlan_HashPrinted_EditsRehashesAndOtherTargetsRefusedWithExit5_TheReviewedOneApplies()
    {
        await using var proxy = await ThrottlingProxy.StartAsync(tool.Serve);
        string endpoint = proxy.Endpoint.ToString();
        string desired = tool.File_("reviewed.json", Desired("REVD", 2));
        string plan = Path.Combine(tool.Temp, "reviewed.plan.json");

        var made = await tool.RunAsync(log, ["plan", "--file", desired, "--out", plan, "--endpoint-url", endpoint]);
        Assert.Equal(0, made.Code);
        string sha = Regex.Match(made.Err, @"\(SHA-256 ([0-9a-f]{64})\)").Groups[1].Value;
        Assert.Equal(sha, PlanFiles.Read(plan)["sha256"]!.GetValue<string>());
        string original = File.ReadAllText(plan);
        proxy.ClearLog();

        File.WriteAllText(plan, original.Replace("arn:aws:iam::123456789012:role/reader-1", "arn:aws:iam::123456789012:role/attacker", StringComparison.Ordinal));
        var edited = await tool.RunAsync(log, ["apply", plan, "--endpoint-url", endpoint]);
        Assert.Equal(5, edited.Code);
        Assert.Contains("was changed after it was made", edited.Err, StringComparison.Ordinal);

        var file = JsonNode.Parse(original)!.AsObject();
        file["resources"]![0]!["changes"]![0]!["statement"]!["action"] = new JsonArray("lex:*");
        File.WriteAllText(plan, PlanFiles.Seal(file));
        var rehashed = await tool.RunAsync(log, ["apply", plan, "--expect-sha256", sha, "--endpoint-url", endpoint]);
        Assert.Equal(5, rehashed.Code);
        Assert.Contains($"not the reviewed {sha} (--expect-sha256)", rehashed.Err, StringComparison.Ordinal);

        File.WriteAllText(plan, original);
        var elsewhere = await tool.RunAsync(log, ["apply", plan, "--expect-sha256", sha, "--endpoint-url", tool.Serve.ToString()]);
        Assert.Equal(5, elsewhere.Code);
        Assert.Contains($"us-east-1: the plan was made against {endpoint}, but this apply would send to {tool.Serve}", elsewhere.Err, StringComparison.Ordinal);
        Assert.Empty(proxy.Requests);

        var reviewed = await tool.RunAsync(log, ["apply", plan, "--expect-sha256", sha, "--endpoint-url", endpoint]);
        Assert.True(reviewed.Code == 0, reviewed.ToString());
        Assert.Contains("Apply: 2 applied", reviewed.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_NamesAwsRegionAsTheRegionsSource_WithAnEndpointUrl()
    {
        var doctor = await tool.RunAsync(log, ["doctor", "--endpoint-url", tool.Serve.ToString()]);

        Assert.Equal(0, doctor.Code);
        Assert.Matches(@"(?m)^region: +us-east-1 \(from AWS_REGION\)$", doctor.Out);
    }
}
