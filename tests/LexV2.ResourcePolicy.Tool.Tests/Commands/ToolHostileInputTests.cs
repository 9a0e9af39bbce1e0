using System.Text.Json.Nodes;
using static LexV2.ResourcePolicy.Tool.Tests.Commands.PlanApplyCommandTests;

namespace LexV2.ResourcePolicy.Tool.Tests.Commands;

/// <summary>Hostile review (issues 13-15): lexpolicy fed hostile or hand-edited input, in-process against the emulator.</summary>
public class ToolHostileInputTests
{
    /// <summary>
    /// A repeated member in a desired-state file is silently resolved last-wins by System.Text.Json. In a policy-as-code file
    /// that is a review bypass: the pull-request diff shows <c>"effect": "Deny"</c> near the top of the statement, the tool
    /// applies the <c>"effect": "Allow"</c> further down (or a second <c>"resources"</c> list replaces the reviewed one).
    /// Every other bad input is refused naming the file and path; this one must be too, with nothing sent.
    /// </summary>
    [Fact]
    public async Task DesiredState_WithARepeatedMember_IsRefused_NothingSent()
    {
        using var tool = new ToolHarness();
        string file = tool.File_("dup.json", $$"""
            { "resources": [ { "resourceArn": "{{Bot}}", "statements": [
                { "statementId": "Readers", "effect": "Deny", "principal": [ { "arn": "arn:aws:iam::123456789012:role/readers" } ],
                  "action": [ "lex:DescribeBot" ], "effect": "Allow" } ] } ] }
            """);

        await tool.AssertRefusedAsync("effect", "apply", "--file", file, "--auto-approve");
        Assert.Null(tool.Emulator.GetPolicy(Bot));
    }

    /// <summary>
    /// A saved plan listing the same resource twice (two plans merged by hand or by a script) is accepted: both entries pass the
    /// revision check, both are written concurrently, the first wins and the second is refused by the service's revision
    /// check. The tool then exits 4, whose documented meaning is "refused ... nothing was written", while one resource was in
    /// fact changed. The plan reader must refuse duplicates as the desired-state reader does.
    /// </summary>
    [Fact]
    public async Task SavedPlan_ListingAResourceTwice_IsRefusedBeforeAnyWrite()
    {
        using var tool = new ToolHarness();
        string planPath = Path.Combine(tool.Dir, "saved.plan.json");
        Assert.Equal(0, (await tool.RunAsync("plan", "--file", tool.File_("lex.json", Desired()), "--out", planPath)).Code);
        var plan = Reconcile.PlanFiles.Read(planPath);
        var resources = plan["resources"]!.AsArray();
        resources.Add(resources[0]!.DeepClone());
        File.WriteAllText(planPath, Reconcile.PlanFiles.Seal(plan)); // as a script merging two plans would: with a matching hash

        var run = await tool.RunAsync("apply", planPath);

        Assert.True(run.Code == 1 && tool.Emulator.GetPolicy(Bot) is null, $"exit {run.Code}, policy written: {tool.Emulator.GetPolicy(Bot) is not null}\n{run.Out}{run.Err}");
    }

    /// <summary>
    /// <c>serve --parent-pid</c> with a process id that does not exist prints "Listening on ..." and exits 0 at once: a harness
    /// that passed a wrong pid sees a successful start and then connection refused. It should be a clear error, exit 1.
    /// </summary>
    [Fact]
    public async Task Serve_WithAParentPidThatDoesNotExist_IsAnError()
    {
        using var tool = new ToolHarness();

        var run = await tool.RunAsync("serve", "--parent-pid", int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(run.Code == 1 && run.Err.Contains("--parent-pid", StringComparison.Ordinal), $"exit {run.Code}: {run.Out}{run.Err}");
    }

    /// <summary><c>doctor</c> never prints a secret; an endpoint URL's user-info password is one.</summary>
    [Fact]
    public async Task Doctor_DoesNotPrintThePasswordOfAnEndpointUrl()
    {
        using var tool = new ToolHarness();

        var run = await tool.RunAsync("doctor", "--endpoint-url", "http://proxyuser:hunter2-secret@127.0.0.1:4566/");

        Assert.DoesNotContain("hunter2-secret", run.Out + run.Err, StringComparison.Ordinal);
    }
}

/// <summary>Hostile review (issues 13-15): an --out path that cannot be written.</summary>
public class ToolOutputPathTests
{
    /// <summary>
    /// <c>plan --out</c> into a folder that does not exist throws DirectoryNotFoundException out of the command: the tool prints
    /// an unhandled-exception stack trace instead of one "error: cannot write ..." line.
    /// </summary>
    [Fact]
    public async Task PlanOut_IntoAMissingFolder_IsAOneLineError()
    {
        using var tool = new ToolHarness();
        string file = tool.File_("lex.json", Desired());

        var run = await tool.RunAsync("plan", "--file", file, "--out", Path.Combine(tool.Dir, "no-such-dir", "plan.json"));

        Assert.Equal(1, run.Code);
        Assert.DoesNotContain("   at ", run.Err, StringComparison.Ordinal);
        Assert.StartsWith("error: ", run.Err, StringComparison.Ordinal);
    }
}
