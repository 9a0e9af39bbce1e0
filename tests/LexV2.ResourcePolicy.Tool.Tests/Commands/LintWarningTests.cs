using System.Text.Json;
using static LexV2.ResourcePolicy.Tool.Tests.Commands.PlanApplyCommandTests;

namespace LexV2.ResourcePolicy.Tool.Tests.Commands;

/// <summary>
/// Issue #22, point 3: the linter's findings on a desired-state file are shown by plan and apply (standard error, and the JSON
/// output), not only by lint and grant; --strict still makes them errors.
/// </summary>
[Trait("Issue", "22")]
public class LintWarningTests
{
    /// <summary>A misspelled action, and an action that does not apply to a bot (only to an alias).</summary>
    private static string Flawed() => Desired()
        .Replace("\"lex:RecognizeText\", \"lex:StartConversation\"", "\"lex:RecognizeText\", \"lex:StartConversaion\"", StringComparison.Ordinal)
        .Replace("\"lex:DescribeBot\", \"lex:ListBotAliases\"", "\"lex:DescribeBot\", \"lex:RecognizeText\"", StringComparison.Ordinal);

    [Fact]
    public async Task PlanAndApply_WithoutStrict_PrintTheFindingsAsWarnings_OnStandardErrorAndInTheJson()
    {
        using var tool = new ToolHarness();
        string file = tool.File_("flawed.json", Flawed());

        var plan = await tool.RunAsync("plan", "--file", file);
        Assert.Equal(0, plan.Code);
        Assert.Contains($"warning: {file}: $.resources[1].statements[0].action[1]: UnknownAction: 'lex:StartConversaion' is not a Lex V2 action; did you mean 'lex:StartConversation'?", plan.Err, StringComparison.Ordinal);
        Assert.Contains($"warning: {file}: $.resources[0].statements[0].action[1]: ", plan.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", plan.Out, StringComparison.Ordinal);

        var json = await tool.RunAsync("plan", "--file", file, "--output", "json");
        using (var doc = JsonDocument.Parse(json.Out))
        {
            Assert.Equal(
                ["$.resources[0].statements[0].action[1]", "$.resources[1].statements[0].action[1]"],
                doc.RootElement.GetProperty("warnings").EnumerateArray().Select(w => w.GetProperty("path").GetString()).Order(StringComparer.Ordinal));
        }

        var apply = await tool.RunAsync("apply", "--file", file, "--auto-approve", "--output", "json");
        Assert.Equal(0, apply.Code);
        Assert.Contains("warning: ", apply.Err, StringComparison.Ordinal);
        using (var doc = JsonDocument.Parse(apply.Out))
        {
            Assert.Equal(2, doc.RootElement.GetProperty("warnings").GetArrayLength());
        }
    }

    [Fact]
    public async Task ApplySavedPlan_RepeatsTheFindingsTheReviewerSaw()
    {
        using var tool = new ToolHarness();
        string planPath = Path.Combine(tool.Dir, "plan.json");
        Assert.Equal(0, (await tool.RunAsync("plan", "--file", tool.File_("flawed.json", Flawed()), "--out", planPath)).Code);

        var apply = await tool.RunAsync("apply", planPath);

        Assert.Equal(0, apply.Code);
        Assert.Contains($"warning: {planPath} (made from a desired state with this finding): $.resources[1].statements[0].action[1]: UnknownAction: ", apply.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Strict_TurnsTheFindingsIntoErrors_NothingSent()
    {
        using var tool = new ToolHarness();
        string file = tool.File_("flawed.json", Flawed());

        await tool.AssertRefusedAsync($"error: {file}: $.resources[1].statements[0].action[1]: UnknownAction: ", "apply", "--file", file, "--auto-approve", "--strict");
        await tool.AssertRefusedAsync($"error: {file}: $.resources[0].statements[0].action[1]: ", "plan", "--file", file, "--strict");
    }
}
