using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LexV2.ResourcePolicy.Tool.Tests.Reconcile;
using static LexV2.ResourcePolicy.Tool.Tests.Commands.PlanApplyCommandTests;

namespace LexV2.ResourcePolicy.Tool.Tests.Commands;

/// <summary>
/// Issue #22, point 5: apply exactly the reviewed plan. A saved plan records its target and a SHA-256 of its canonical content;
/// apply refuses (exit 5, nothing sent) a plan edited after review, a plan whose hash is not the reviewed one, and a plan made
/// against another endpoint.
/// </summary>
[Trait("Issue", "22")]
public partial class ReviewedPlanTests
{
    private static async Task<(string Path, string Sha256)> SavePlanAsync(ToolHarness tool, params string[] extra)
    {
        string path = Path.Combine(tool.Dir, "plan.json");
        var run = await tool.RunAsync(["plan", "--file", tool.File_("lex.json", Desired()), "--out", path, .. extra]);
        Assert.True(run.Code == 0, run.Err);
        var printed = HashLine().Match(run.Err);
        Assert.True(printed.Success, run.Err);
        return (path, printed.Groups[1].Value);
    }

    [Fact]
    public async Task PlanOut_PrintsTheHash_TheFileRecordsTargetAndToolVersion_ApplyWithTheHashApplies()
    {
        using var tool = new ToolHarness();
        var (path, sha) = await SavePlanAsync(tool);

        var file = PlanFiles.Read(path);
        Assert.Equal(sha, file["sha256"]!.GetValue<string>());
        Assert.Equal(sha, PlanFiles.Sha256(file));
        Assert.Equal("https://models-v2-lex.us-east-1.amazonaws.com/", file["target"]!["endpoints"]!["us-east-1"]!.GetValue<string>());
        Assert.Equal("123456789012", file["target"]!["accountIds"]![0]!.GetValue<string>());
        Assert.StartsWith("lexpolicy ", file["generator"]!.GetValue<string>(), StringComparison.Ordinal);

        var apply = await tool.RunAsync("apply", path, "--expect-sha256", sha.ToUpperInvariant());
        Assert.True(apply.Code == 0, apply.Err);
        Assert.Equal(3, tool.Emulator.ResourceArns.Count);
    }

    public static TheoryData<string, string> Edits => new()
    {
        { "a broader action", "\"lex:RecognizeText\",\n" },
        { "a destructive action", "\"lex:DeleteBot\"" },
        { "another principal", "arn:aws:iam::123456789012:role/attacker" },
    };

    [Theory]
    [MemberData(nameof(Edits))]
    public async Task SavedPlan_EditedAfterReview_IsRefused_Exit5_NothingSent(string what, string edit)
    {
        using var tool = new ToolHarness();
        var (path, _) = await SavePlanAsync(tool);
        string text = File.ReadAllText(path);
        string edited = what switch
        {
            "a broader action" => text.Replace("\"lex:RecognizeText\",\n", "\"lex:*\",\n", StringComparison.Ordinal),
            "a destructive action" => text.Replace("\"lex:ListBotAliases\"", edit, StringComparison.Ordinal),
            _ => text.Replace("arn:aws:iam::123456789012:role/readers", edit, StringComparison.Ordinal),
        };
        Assert.NotEqual(text, edited);
        File.WriteAllText(path, edited);
        int sent = tool.Sent;

        var apply = await tool.RunAsync("apply", path);

        Assert.True(apply.Code == ExitCodes.PlanRefused, $"{what}: exit {apply.Code}: {apply.Err}");
        Assert.Contains($"error: The plan {path} was changed after it was made: its content has SHA-256 ", apply.Err, StringComparison.Ordinal);
        Assert.Contains("Make and review a new plan. Nothing was sent.", apply.Err, StringComparison.Ordinal);
        Assert.Equal(sent, tool.Sent);
    }

    [Fact]
    public async Task SavedPlan_EditedAndRehashed_IsRefusedByTheReviewedHash_Exit5_NothingSent()
    {
        using var tool = new ToolHarness();
        var (path, reviewed) = await SavePlanAsync(tool);
        var file = PlanFiles.Read(path);
        file["resources"]![0]!["changes"]![0]!["statement"]!["action"] = new JsonArray("lex:*");
        File.WriteAllText(path, PlanFiles.Seal(file)); // anyone can recompute an unkeyed hash
        int sent = tool.Sent;

        var apply = await tool.RunAsync("apply", path, "--expect-sha256", reviewed);

        Assert.Equal(ExitCodes.PlanRefused, apply.Code);
        Assert.Contains($"error: {path} has SHA-256 {PlanFiles.Sha256(file)}, not the reviewed {reviewed} (--expect-sha256): it is not the plan that was reviewed. Nothing was sent", apply.Err, StringComparison.Ordinal);
        Assert.Equal(sent, tool.Sent);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("   ", "is empty")]
    [InlineData("sha256:{0}", "is not a SHA-256")]
    [InlineData("{0}0", "is not a SHA-256")]
    [InlineData("{1}", "is not a SHA-256")]
    public async Task ExpectSha256_NotAHash_IsRefusedAsSuch_BeforeThePlanIsRead_NothingSent(string given, string rule)
    {
        // A CI variable that did not carry over is empty; a digest copied with its "sha256:" prefix is not the hash. Neither is a
        // plan that was edited: re-planning would not help, the invocation needs fixing.
        using var tool = new ToolHarness();
        var (path, sha) = await SavePlanAsync(tool);
        string value = string.Format(System.Globalization.CultureInfo.InvariantCulture, given, sha, new string('z', 64));

        string err = await tool.AssertRefusedAsync($"error: --expect-sha256 '{value}' {rule}", "apply", path, "--expect-sha256", value);

        Assert.Contains("give the 64 hexadecimal digits 'lexpolicy plan --out' printed (SHA-256 ...)", err, StringComparison.Ordinal);
        Assert.DoesNotContain("not the plan that was reviewed", err, StringComparison.Ordinal);
        Assert.Empty(tool.Emulator.ResourceArns);
    }

    [Fact]
    public async Task PlanOut_OntoTheDesiredStateFileItself_IsRefused_BeforeAnythingIsSent_TheFileIsKept()
    {
        // A slip of the hand (--out lex.json for --out plan.json) replaced the reviewed desired state with a plan.
        using var tool = new ToolHarness();
        string desired = tool.File_("lex.json", Desired());
        string sameFile = Path.Combine(tool.Dir, ".", "lex.json");

        await tool.AssertRefusedAsync($"error: --out {sameFile} is the desired-state file (--file) itself: saving the plan there would replace it. Choose another path, e.g. plan.json.", "plan", "--file", desired, "--out", sameFile);

        Assert.Equal(Desired(), File.ReadAllText(desired));
    }

    [Fact]
    public async Task SavedPlan_MadeAgainstOneEndpoint_AppliedAgainstAnother_Exit5_NothingSent()
    {
        using var tool = new ToolHarness();
        var (path, sha) = await SavePlanAsync(tool, "--endpoint-url", "http://127.0.0.1:4566");
        int sent = tool.Sent;

        var apply = await tool.RunAsync("apply", path, "--expect-sha256", sha);

        Assert.Equal(ExitCodes.PlanRefused, apply.Code);
        Assert.Contains($"error: {path}: us-east-1: the plan was made against http://127.0.0.1:4566/, but this apply would send to https://models-v2-lex.us-east-1.amazonaws.com/.", apply.Err, StringComparison.Ordinal);
        Assert.Contains("was made for another target, so it is not applied here. Nothing was sent", apply.Err, StringComparison.Ordinal);
        Assert.Equal(sent, tool.Sent);
        Assert.Equal(0, (await tool.RunAsync("apply", path, "--expect-sha256", sha, "--endpoint-url", "http://127.0.0.1:4566/")).Code);
    }

    [Fact]
    public async Task ApplyPlan_GivenADesiredStateFile_SaysToUseApplyFile_AndExpectSha256NeedsAPlan()
    {
        using var tool = new ToolHarness();
        string desired = tool.File_("lex.json", Desired());

        await tool.AssertRefusedAsync($"error: {desired} is a desired-state file, not a saved plan: use 'lexpolicy apply --file {desired} --auto-approve'", "apply", desired);
        await tool.AssertRefusedAsync("--expect-sha256 checks a saved plan", "apply", "--file", desired, "--auto-approve", "--expect-sha256", new string('a', 64));
        var (path, _) = await SavePlanAsync(tool);
        await tool.AssertRefusedAsync($"error: {path} is a saved plan, not a desired-state file: apply it with 'lexpolicy apply {path}'", "plan", "--file", path);
    }

    [GeneratedRegex(@"Saved the plan to .+ \(SHA-256 ([0-9a-f]{64})\); apply exactly it with: lexpolicy apply .+ --expect-sha256 \1")]
    private static partial Regex HashLine();
}
