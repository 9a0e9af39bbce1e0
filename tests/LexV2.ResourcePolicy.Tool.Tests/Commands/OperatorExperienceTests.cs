using System.Text.Json;
using LexV2.ResourcePolicy.Testing;
using static LexV2.ResourcePolicy.Tool.Tests.Commands.PlanApplyCommandTests;

namespace LexV2.ResourcePolicy.Tool.Tests.Commands;

/// <summary>
/// Issue #22, point 6: caller-policy from a desired-state file within IAM's size limits; every error on standard error, one line,
/// saying what to do next; colours at a terminal only; a replacement shown member by member; two applies at once.
/// </summary>
[Trait("Issue", "22")]
public class OperatorExperienceTests
{
    [Fact]
    public async Task CallerPolicy_FromADesiredStateFile_CoversItsResources()
    {
        using var tool = new ToolHarness();

        var run = await tool.RunAsync("caller-policy", "--file", tool.File_("lex.json", Desired()));

        Assert.Equal(0, run.Code);
        var policy = PolicyDocument.Parse(run.Out);
        Assert.Equal(new[] { Alias, Bot, Prod }.Order(StringComparer.Ordinal), policy.Statement.SelectMany(s => s.Resource!).Order(StringComparer.Ordinal));
        Assert.Empty(run.Err);
        Assert.Equal(0, tool.Sent);
    }

    [Fact]
    public async Task CallerPolicy_OverIamsLimits_WarnsWithTheSize_AndSplitWritesNumberedDocumentsUnderTheLimit()
    {
        using var tool = new ToolHarness();
        string file = tool.File_("many.json", EndToEnd.ThrottledScaleTests.Desired("SIZE", 300));

        var whole = await tool.RunAsync("caller-policy", "--file", file);
        Assert.Equal(0, whole.Code);
        int size = whole.Out.Count(c => !char.IsWhiteSpace(c));
        Assert.Contains($"warning: the policy is {size:N0} characters (IAM does not count whitespace): over IAM's limit of 6,144 for a managed policy and of 10,240 for all of a role's inline policies together.", whole.Err, StringComparison.Ordinal);
        Assert.Contains("--out FILE --split", whole.Err, StringComparison.Ordinal);

        string output = Path.Combine(tool.Dir, "out", "deployer.json");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var split = await tool.RunAsync("caller-policy", "--file", file, "--out", output, "--split");
        Assert.Equal(0, split.Code);
        string[] parts = [.. Directory.GetFiles(Path.GetDirectoryName(output)!).Order(StringComparer.Ordinal)];
        Assert.True(parts.Length > 1);
        Assert.Equal(Enumerable.Range(1, parts.Length).Select(i => Path.Combine(Path.GetDirectoryName(output)!, $"deployer-{i}.json")).Order(StringComparer.Ordinal), parts);
        var covered = new List<string>();
        foreach (string part in parts)
        {
            string text = File.ReadAllText(part);
            Assert.True(text.Count(c => !char.IsWhiteSpace(c)) <= 6144, part);
            covered.AddRange(PolicyDocument.Parse(text).Statement.SelectMany(s => s.Resource!));
            Assert.Contains($"Wrote {part} (", split.Err, StringComparison.Ordinal);
        }

        Assert.Equal(300, covered.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(300, covered.Count);
        await tool.AssertRefusedAsync("--split writes numbered files beside --out", "caller-policy", "--file", file, "--split");
        await tool.AssertRefusedAsync("give the resources either as ARN arguments or with --file DESIRED.json, not both", "caller-policy", Alias, "--file", file);
    }

    [Fact]
    public async Task Errors_GoToStandardError_OneLineEach_SayingWhatToDo()
    {
        using var tool = new ToolHarness();

        string directory = Directory.CreateDirectory(Path.Combine(tool.Dir, "policies")).FullName;
        string err = await tool.AssertRefusedAsync($"error: cannot read {directory}: it is a directory; give the path of a file (or - for standard input).", "plan", "--file", directory);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        err = await tool.AssertRefusedAsync("error: --region 'us-east-1x' is not an AWS region name; give one such as us-east-1 or eu-west-2", "show", Alias, "--region", "us-east-1x");
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        await tool.AssertRefusedAsync("error: --region 'us-east-1x' is not an AWS region name", "doctor", "--region", "us-east-1x");

        // A usage error too: one line that says where the usage is, not the help text.
        var usage = await tool.RunAsync("grant", "connect", Alias);
        Assert.Equal((1, string.Empty, "error: Option '--instance-arn' is required. See 'lexpolicy grant connect --help'.\n"), usage);
    }

    [Fact]
    public async Task File_Dash_ReadsStandardInput()
    {
        using var tool = new ToolHarness();

        var plan = await tool.RunAsync(["plan", "--file", "-", "--detailed-exitcode"], new ToolHarness.Setting { Input = Desired() });
        Assert.Equal(2, plan.Code);
        Assert.Contains("Plan: 3 to add", plan.Out, StringComparison.Ordinal);

        var apply = await tool.RunAsync(["apply", "--file", "-", "--auto-approve"], new ToolHarness.Setting { Input = Desired() });
        Assert.Equal(0, apply.Code);
        Assert.Equal(3, tool.Emulator.ResourceArns.Count);

        var bad = await tool.RunAsync(["plan", "--file", "-"], new ToolHarness.Setting { Input = "{\"resources\": 1}" });
        Assert.Equal(1, bad.Code);
        Assert.Contains("error: (standard input): $.resources: wrong type of value: expected a list", bad.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlanAndApply_PerResourceFailures_OnStandardErrorAndInTheJson_NotOnStandardOutput()
    {
        var emulator = new LexPolicyEmulator();
        using var tool = new ToolHarness(emulator);
        emulator.SeedPolicy(Prod, "{\"Statement\":[{\"Effect\":\"Maybe\"}]}");
        string file = tool.File_("lex.json", Desired());

        var plan = await tool.RunAsync("plan", "--file", file, "--output", "json");
        Assert.Equal(1, plan.Code);
        Assert.Contains($"error: {Prod}: ", plan.Err, StringComparison.Ordinal);
        using (var doc = JsonDocument.Parse(plan.Out))
        {
            var failed = doc.RootElement.GetProperty("resources")[2];
            Assert.Equal(Prod, failed.GetProperty("resourceArn").GetString());
            Assert.Contains("cannot be read", failed.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        var text = await tool.RunAsync("plan", "--file", file);
        Assert.Contains($"{Prod}  (not planned: it could not be read; see the error)", text.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot be read", text.Out, StringComparison.Ordinal);

        emulator.DeclareMissingResource(Alias);
        var apply = await tool.RunAsync("apply", "--file", file, "--auto-approve");
        Assert.Equal(1, apply.Code);
        Assert.Contains($"error: {Alias}: ResourceNotFoundException: ", apply.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("FAILED", apply.Out, StringComparison.Ordinal);
        Assert.Contains("Apply: 1 applied, 0 unchanged, 0 refused, 0 skipped, 2 failed", apply.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_AtATerminal_ColoursAddRemoveAndReplace_NeverWhenPiped_NorWithNoColorOrTheFlag()
    {
        using var tool = new ToolHarness();
        string file = tool.File_("lex.json", Desired());

        var terminal = await tool.RunAsync(["plan", "--file", file], new ToolHarness.Setting { Terminal = true });
        Assert.Contains("\u001b[32m  + Readers: ", terminal.Out, StringComparison.Ordinal);
        Assert.Contains("\u001b[0m", terminal.Out, StringComparison.Ordinal);

        foreach (var plain in new[]
        {
            await tool.RunAsync(["plan", "--file", file], new ToolHarness.Setting { Terminal = false }),
            await tool.RunAsync(["plan", "--file", file], new ToolHarness.Setting { Terminal = true, Environment = new Dictionary<string, string> { ["NO_COLOR"] = "1" } }),
            await tool.RunAsync(["plan", "--file", file, "--no-color"], new ToolHarness.Setting { Terminal = true }),
        })
        {
            Assert.Contains("  + Readers: ", plain.Out, StringComparison.Ordinal);
            Assert.DoesNotContain('\u001b', plain.Out);
        }

        Assert.Equal(0, (await tool.RunAsync("apply", "--file", file, "--auto-approve")).Code);
        using (var client = tool.Emulator.CreateClient())
        {
            await client.EnsureStatementAsync(LexGrant.IamPrincipal(LexResourceArn.Parse(Bot), "arn:aws:iam::123456789012:role/intruder", "Intruder"));
            await client.EnsureStatementAsync(LexGrant.IamPrincipal(LexResourceArn.Parse(Bot), "arn:aws:iam::123456789012:role/writers", "Readers", ["lex:DescribeBot"]));
        }

        var drift = await tool.RunAsync(["plan", "--file", tool.File_("prune.json", Desired(prune: true))], new ToolHarness.Setting { Terminal = true });
        Assert.Contains("\u001b[33m  ~ Readers\u001b[0m\n", drift.Out, StringComparison.Ordinal);
        Assert.Contains("\u001b[33m      ~ principal: arn:aws:iam::123456789012:role/writers → arn:aws:iam::123456789012:role/readers\u001b[0m\n", drift.Out, StringComparison.Ordinal);
        Assert.Contains("\u001b[33m      ~ action: lex:DescribeBot → lex:DescribeBot, lex:ListBotAliases\u001b[0m\n", drift.Out, StringComparison.Ordinal);
        Assert.Contains("\u001b[31m  - Intruder: Allow arn:aws:iam::123456789012:role/intruder ", drift.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_AReplacement_ShowsOnlyTheChangedMembers_ConditionsKeyByKey()
    {
        using var tool = new ToolHarness();
        string file = tool.File_("lex.json", Desired());
        Assert.Equal(0, (await tool.RunAsync("apply", "--file", file, "--auto-approve")).Code);
        string changed = Desired()
            .Replace("\"ArnEquals\": { \"aws:SourceArn\": \"arn:aws:connect:us-east-1:123456789012:instance/abc\" }", "\"ArnLike\": { \"aws:SourceArn\": \"arn:aws:connect:us-east-1:123456789012:instance/*\" }", StringComparison.Ordinal)
            .Replace("\"effect\": \"Allow\", \"principal\": [ { \"service\": \"lambda.amazonaws.com\" } ]", "\"effect\": \"Deny\", \"principal\": [ { \"service\": \"lambda.amazonaws.com\" } ]", StringComparison.Ordinal);

        var plan = await tool.RunAsync("plan", "--file", tool.File_("changed.json", changed));

        Assert.Contains(
            "  ~ AllowConnect\n" +
            "      - condition ArnEquals aws:SourceArn: arn:aws:connect:us-east-1:123456789012:instance/abc\n" +
            "      + condition ArnLike aws:SourceArn: arn:aws:connect:us-east-1:123456789012:instance/*\n" +
            "  0 unchanged\n",
            plan.Out,
            StringComparison.Ordinal);
        Assert.Contains("  ~ AllowLambda\n      ~ effect: Allow → Deny\n  0 unchanged", plan.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoAppliesAtOnce_EachWriteIsRevisionChecked_TheOthersWritesShowAsMoved_NothingIsLost()
    {
        var emulator = new LexPolicyEmulator();
        emulator.Faults.Latency = TimeSpan.FromMilliseconds(20);
        using var tool = new ToolHarness(emulator);
        string first = tool.File_("first.json", Desired());
        string second = tool.File_("second.json", Desired()
            .Replace("\"Readers\"", "\"Auditors\"", StringComparison.Ordinal)
            .Replace("\"AllowConnect\"", "\"AllowConnect2\"", StringComparison.Ordinal)
            .Replace("\"AllowLambda\"", "\"AllowLambda2\"", StringComparison.Ordinal));

        var runs = await Task.WhenAll(
            tool.RunAsync("apply", "--file", first, "--auto-approve", "--concurrency", "1"),
            tool.RunAsync("apply", "--file", second, "--auto-approve", "--concurrency", "1"));

        Assert.All(runs, r => Assert.True(r.Code == 0, r.Out + r.Err));
        foreach (string arn in new[] { Bot, Alias, Prod })
        {
            Assert.Equal(2, PolicyDocument.Parse(emulator.GetPolicy(arn)!.Policy).Statement.Count);
        }

        Assert.Equal(0, (await tool.RunAsync("plan", "--file", first, "--detailed-exitcode")).Code);
        Assert.Equal(0, (await tool.RunAsync("plan", "--file", second, "--detailed-exitcode")).Code);
    }
}
