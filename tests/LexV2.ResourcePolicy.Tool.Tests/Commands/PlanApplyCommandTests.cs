using LexV2.ResourcePolicy.Reconcile;

namespace LexV2.ResourcePolicy.Tool.Tests.Commands;

/// <summary><c>lexpolicy plan</c> and <c>lexpolicy apply</c> in-process against the emulator, including every bad input.</summary>
public class PlanApplyCommandTests
{
    internal const string Bot = "arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ";
    internal const string Alias = "arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID";
    internal const string Prod = "arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/PRODALIAS1";

    /// <summary>A desired-state file for a bot and two aliases; <paramref name="prune"/> on each.</summary>
    internal static string Desired(bool prune = false, bool empty = false) => $$"""
        {
          "$schema": "./lexpolicy-desired-state.schema.json",
          "resources": [
            { "resourceArn": "{{Bot}}", "prune": {{(prune ? "true" : "false")}}, "statements": {{(empty ? "[]" : """
              [ { "statementId": "Readers", "effect": "Allow", "principal": [ { "arn": "arn:aws:iam::123456789012:role/readers" } ],
                  "action": [ "lex:DescribeBot", "lex:ListBotAliases" ] } ]
              """)}} },
            { "resourceArn": "{{Alias}}", "prune": {{(prune ? "true" : "false")}}, "statements": {{(empty ? "[]" : """
              [ { "statementId": "AllowConnect", "effect": "Allow", "principal": [ { "service": "connect.amazonaws.com" } ],
                  "action": [ "lex:RecognizeText", "lex:StartConversation" ],
                  "condition": { "StringEquals": { "aws:SourceAccount": "123456789012" },
                                 "ArnEquals": { "aws:SourceArn": "arn:aws:connect:us-east-1:123456789012:instance/abc" } } } ]
              """)}} },
            { "resourceArn": "{{Prod}}", "prune": {{(prune ? "true" : "false")}}, "statements": {{(empty ? "[]" : """
              [ { "statementId": "AllowLambda", "effect": "Allow", "principal": [ { "service": "lambda.amazonaws.com" } ],
                  "action": [ "lex:RecognizeText" ],
                  "condition": { "StringEquals": { "aws:SourceAccount": "123456789012" },
                                 "ArnEquals": { "aws:SourceArn": "arn:aws:lambda:us-east-1:123456789012:function:bot-hook" } } } ]
              """)}} }
          ]
        }
        """;

    [Fact]
    public async Task Plan_ShowsEachChange_AndDetailedExitCodeIs2ThenAfterApply0()
    {
        using var tool = new ToolHarness();
        string file = tool.File_("lex.json", Desired());

        var plan = await tool.RunAsync("plan", "--file", file, "--detailed-exitcode");
        Assert.Equal(2, plan.Code);
        Assert.Contains($"{Alias}  (revision none: no policy)", plan.Out, StringComparison.Ordinal);
        Assert.Contains("  + AllowConnect: Allow connect.amazonaws.com lex:RecognizeText,lex:StartConversation if ", plan.Out, StringComparison.Ordinal);
        Assert.Contains("Plan: 3 to add, 0 to replace, 0 to remove, 0 unchanged (3 resources)", plan.Out, StringComparison.Ordinal);
        Assert.All(tool.Emulator.Requests, r => Assert.Equal("GET", r.Method));

        var apply = await tool.RunAsync("apply", "--file", file, "--auto-approve");
        Assert.Equal(0, apply.Code);
        Assert.Contains($"{Prod}: applied +1 ~0 -0 → revision 1", apply.Out, StringComparison.Ordinal);
        Assert.Contains("Apply: 3 applied, 0 unchanged, 0 refused, 0 skipped, 0 failed", apply.Out, StringComparison.Ordinal);

        var again = await tool.RunAsync("plan", "--file", file, "--detailed-exitcode");
        Assert.Equal(0, again.Code);
        Assert.Contains("no changes (1 unchanged)", again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_WithoutDetailedExitCode_Is0EvenWithChanges_AndJsonIsThePlanFile()
    {
        using var tool = new ToolHarness();
        string file = tool.File_("lex.json", Desired());

        var plan = await tool.RunAsync("plan", "--file", file, "--output", "json");

        Assert.Equal(0, plan.Code);
        var parsed = ReconcilePlan.Parse(plan.Out);
        Assert.Equal(3, parsed.Resources.Sum(r => r.Additions));
    }

    [Fact]
    public async Task Drift_ShowsAsReplaceAndRemove_PruneRemovesEverythingNotNamed()
    {
        using var tool = new ToolHarness();
        string file = tool.File_("lex.json", Desired());
        Assert.Equal(0, (await tool.RunAsync("apply", "--file", file, "--auto-approve")).Code);
        using (var client = tool.Emulator.CreateClient())
        {
            await client.EnsureStatementAsync(LexGrant.IamPrincipal(LexResourceArn.Parse(Bot), "arn:aws:iam::123456789012:role/intruder", "Intruder"));
            await client.EnsureStatementAsync(LexGrant.LambdaFunction(BotAliasArn.Parse(Prod), "arn:aws:lambda:us-east-1:123456789012:function:other", "AllowLambda"));
        }

        var drift = await tool.RunAsync("plan", "--file", file, "--detailed-exitcode");
        Assert.Equal(2, drift.Code);
        // Member by member, as Terraform shows an update: only what changes, before → after.
        Assert.Contains("  ~ AllowLambda\n      ~ action: lex:RecognizeText, lex:StartConversation → lex:RecognizeText\n" +
            "      ~ condition ArnEquals aws:SourceArn: arn:aws:lambda:us-east-1:123456789012:function:other → arn:aws:lambda:us-east-1:123456789012:function:bot-hook\n",
            drift.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("- Intruder", drift.Out, StringComparison.Ordinal); // no prune: left alone

        string pruneFile = tool.File_("prune.json", Desired(prune: true));
        var pruned = await tool.RunAsync("plan", "--file", pruneFile);
        Assert.Contains("  - Intruder: Allow arn:aws:iam::123456789012:role/intruder", pruned.Out, StringComparison.Ordinal);

        Assert.Equal(0, (await tool.RunAsync("apply", "--file", tool.File_("empty.json", Desired(prune: true, empty: true)), "--auto-approve")).Code);
        Assert.Empty(tool.Emulator.ResourceArns);
    }

    [Fact]
    public async Task SavedPlan_AppliesExactly_AndIsRefusedWithExit4WhenARevisionMoved()
    {
        using var tool = new ToolHarness();
        string file = tool.File_("lex.json", Desired());
        string planPath = Path.Combine(tool.Dir, "plan.json");

        var saved = await tool.RunAsync("plan", "--file", file, "--out", planPath);
        Assert.Equal(0, saved.Code);
        Assert.Contains($"lexpolicy apply {planPath}", saved.Err, StringComparison.Ordinal);
        Assert.Equal(0, (await tool.RunAsync("apply", planPath)).Code);
        Assert.Equal(3, tool.Emulator.ResourceArns.Count);

        Assert.Equal(0, (await tool.RunAsync("plan", "--file", tool.File_("prune.json", Desired(prune: true, empty: true)), "--out", planPath)).Code);
        using (var client = tool.Emulator.CreateClient())
        {
            await client.EnsureStatementAsync(LexGrant.IamPrincipal(LexResourceArn.Parse(Bot), "arn:aws:iam::123456789012:role/late", "Late"));
        }

        int writes = tool.Emulator.Requests.Count(r => r.Method != "GET");
        var stale = await tool.RunAsync("apply", planPath);

        Assert.Equal(4, stale.Code);
        Assert.Contains($"error: {Bot}: REFUSED: the policy moved since the plan was made (revision 1 then, 2 now); make a new plan", stale.Err, StringComparison.Ordinal);
        Assert.Contains($"{Alias}: skipped: ", stale.Out, StringComparison.Ordinal);
        Assert.Equal(writes, tool.Emulator.Requests.Count(r => r.Method != "GET"));
        Assert.Equal(3, tool.Emulator.ResourceArns.Count);
    }

    [Fact]
    public async Task Apply_FileWithoutAutoApprove_NotInteractive_IsRefused_Interactive_AsksAndAppliesOnlyOnYes()
    {
        using var tool = new ToolHarness();
        string file = tool.File_("lex.json", Desired());

        var refused = await tool.RunAsync("apply", "--file", file);
        Assert.Equal(1, refused.Code);
        Assert.Contains("--auto-approve", refused.Err, StringComparison.Ordinal);
        Assert.Equal(0, tool.Sent);

        var no = await tool.RunAsync(["apply", "--file", file], input: "no\n", interactive: true);
        Assert.Equal(1, no.Code);
        Assert.Contains("Only 'yes' is accepted", no.Err, StringComparison.Ordinal);
        Assert.Empty(tool.Emulator.ResourceArns);

        var yes = await tool.RunAsync(["apply", "--file", file], input: "yes\n", interactive: true);
        Assert.Equal(0, yes.Code);
        Assert.Equal(3, tool.Emulator.ResourceArns.Count);
    }

    /// <summary>Issue #22, point 2: the same at a terminal and through a pipe (a CI log), each line flushed at once.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Apply_PrintsEachResourceAsItCompletes_Flushed_ThenTheSummary(bool terminal)
    {
        using var tool = new ToolHarness();
        var output = new RequestCountingWriter(tool.Emulator);

        var run = await tool.RunAsync(["apply", "--file", tool.File_("lex.json", Desired()), "--auto-approve", "--concurrency", "1"], new ToolHarness.Setting { Out = output, Terminal = terminal });

        Assert.Equal(0, run.Code);
        Assert.Equal([$"{Bot}: applied", $"{Alias}: applied", $"{Prod}: applied", "Apply: 3 applied"], output.Lines.Select(l => l.Text.Split(" +")[0].Split(',')[0]));
        // 3 plan reads, then per resource a read and a write: each line is out (and flushed) right after its resource's write.
        Assert.Equal([5, 7, 9, 9], output.Lines.Select(l => l.RequestsSoFar));
        Assert.Equal([true, true, true], output.Lines.Take(3).Select(l => l.FlushedBeforeNext));
    }

    /// <summary>Records each line with the number of requests sent when it was written, and whether it was flushed before the next.</summary>
    private sealed class RequestCountingWriter(Testing.LexPolicyEmulator emulator) : StringWriter
    {
        public List<(string Text, int RequestsSoFar, bool FlushedBeforeNext)> Lines { get; } = [];

        public override void WriteLine(string? value) => Lines.Add((value ?? string.Empty, emulator.Requests.Count, false));

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }

        public override void Flush()
        {
            if (Lines.Count > 0)
            {
                Lines[^1] = Lines[^1] with { FlushedBeforeNext = true };
            }
        }
    }

    [Fact]
    public async Task Apply_OneResourceFails_OthersApplied_Exit1_JsonSaysWhich()
    {
        using var tool = new ToolHarness();
        tool.Emulator.DeclareMissingResource(Prod);

        var run = await tool.RunAsync("apply", "--file", tool.File_("lex.json", Desired()), "--auto-approve", "--output", "json");

        Assert.Equal(1, run.Code);
        Assert.Contains("\"outcome\": \"failed\"", run.Out, StringComparison.Ordinal);
        Assert.Contains("ResourceNotFoundException", run.Err + run.Out, StringComparison.Ordinal);
        Assert.Equal(2, tool.Emulator.ResourceArns.Count);
    }

    public static TheoryData<string, string, string> BadDesiredFiles => new()
    {
        { "unknown member", Desired().Replace("\"prune\": false,", "\"prune\": false, \"purge\": true,", StringComparison.Ordinal), "$.resources[0].purge: unknown member 'purge'" },
        { "invalid ARN", Desired().Replace(Prod, "arn:aws:lex:us-east-1:123456789012:bot:OldBot:prod", StringComparison.Ordinal), "$.resources[2].resourceArn: 'arn:aws:lex:us-east-1:123456789012:bot:OldBot:prod' is a Lex V1 ARN" },
        { "duplicate resource", Desired().Replace("\"Readers\"", "\"AllowConnect\"", StringComparison.Ordinal).Replace(Bot, Alias, StringComparison.Ordinal), "$.resources[1].resourceArn: '" + Alias + "' is already listed at $.resources[0]" },
        { "rule broken", Desired().Replace("\"aws:SourceArn\": \"arn:aws:lambda:", "\"aws:Source\": \"arn:aws:lambda:", StringComparison.Ordinal), "$.resources[2].statements[0].condition: must contain an aws:SourceArn condition key" },
        { "cross-account role", Desired().Replace("arn:aws:iam::123456789012:role/readers", "arn:aws:iam::999999999999:role/readers", StringComparison.Ordinal), "$.resources[0].statements[0].principal[0].arn: is in account 999999999999" },
        { "malformed JSON", Desired().Replace("\"resources\": [", "\"resources\": [[", StringComparison.Ordinal), "$.resources[0]: wrong type of value" },
        { "wrong type", Desired().Replace("\"prune\": false", "\"prune\": 1", StringComparison.Ordinal), "$.resources[0].prune: wrong type of value: expected true or false" },
        { "misspelled operator", Desired().Replace("\"StringEquals\":", "\"StringEqualz\":", StringComparison.Ordinal), "$.resources[1].statements[0].condition[\"StringEqualz\"]: 'StringEqualz' is not an IAM condition operator; did you mean 'StringEquals'?" },
        { "unpinned source", Desired().Replace("\"ArnEquals\":", "\"ArnNotEquals\":", StringComparison.Ordinal), "$.resources[1].statements[0].condition: must contain an aws:SourceArn condition key when a principal is a service, each under an operator that pins its value" },
        { "wildcard principal", Desired().Replace("[ { \"arn\": \"arn:aws:iam::123456789012:role/readers\" } ]", "\"*\"", StringComparison.Ordinal), "$.resources[0].statements[0].principal: \"*\" (anyone) is not accepted: a desired-state statement has the statement API's form, and the statement API cannot express a wildcard principal" },
    };

    [Fact]
    public async Task Plan_ForAFileOfAnotherRegionThanTheClient_IsRefusedNamingBoth_NothingSent()
    {
        using var tool = new ToolHarness();
        string file = tool.File_("eu.json", Desired().Replace("arn:aws:lex:us-east-1:", "arn:aws:lex:eu-west-1:", StringComparison.Ordinal));

        var run = await tool.RunAsync("plan", "--file", file, "--region", "us-east-1");

        Assert.Equal(1, run.Code);
        Assert.Contains("is in eu-west-1, but --region is us-east-1: a resource's policy lives in its own region", run.Err, StringComparison.Ordinal);
        Assert.Equal(0, tool.Sent);
    }

    [Theory]
    [MemberData(nameof(BadDesiredFiles))]
    public async Task PlanAndApply_BadDesiredFile_NameFilePathAndProblem_Exit1_NothingSent(string what, string json, string expected)
    {
        using var tool = new ToolHarness();
        string file = tool.File_("bad.json", json);
        Assert.NotEqual(Desired(), json); // the replacement applied: {what}

        foreach (var args in new[] { new[] { "plan", "--file", file }, ["apply", "--file", file, "--auto-approve"] })
        {
            var run = await tool.RunAsync(args);

            Assert.True(run.Code == 1, what + ": " + run.Err);
            Assert.Contains($"error: {file}: {expected}", run.Err, StringComparison.Ordinal);
            Assert.Contains("Nothing was sent.", run.Err, StringComparison.Ordinal);
        }

        Assert.Equal(0, tool.Sent);
    }

    [Fact]
    public async Task Plan_DuplicateStatementId_IsAnError()
    {
        using var tool = new ToolHarness();
        string statement = "{ \"statementId\": \"Same\", \"effect\": \"Allow\", \"principal\": [ { \"arn\": \"arn:aws:iam::123456789012:role/r\" } ], \"action\": [ \"lex:DescribeBot\" ] }";
        string file = tool.File_("dup.json", $"{{\"resources\":[{{\"resourceArn\":\"{Bot}\",\"statements\":[{statement},{statement}]}}]}}");

        await tool.AssertRefusedAsync($"error: {file}: $.resources[0].statements[1].statementId: duplicate statementId 'Same' (also at $.resources[0].statements[0])", "plan", "--file", file);
    }

    [Fact]
    public async Task Plan_Strict_TurnsLintFindingsIntoErrors_WithoutStrictTheyPass()
    {
        using var tool = new ToolHarness();
        string file = tool.File_("typo.json", Desired().Replace("lex:ListBotAliases", "lex:ListBotAlias", StringComparison.Ordinal));

        await tool.AssertRefusedAsync($"error: {file}: $.resources[0].statements[0].action[1]: UnknownAction: 'lex:ListBotAlias' is not a Lex V2 action; did you mean 'lex:ListBotAliases'?", "plan", "--file", file, "--strict");

        Assert.Equal(0, (await tool.RunAsync("plan", "--file", file)).Code);
    }

    [Theory]
    [InlineData(new[] { "plan" }, "Option '--file' is required")]
    [InlineData(new[] { "plan", "--file", "/nonexistent/lex.json" }, "error: cannot read /nonexistent/lex.json")]
    [InlineData(new[] { "apply" }, "give either a saved plan")]
    [InlineData(new[] { "apply", "plan.json", "--file", "lex.json" }, "give either a saved plan")]
    [InlineData(new[] { "apply", "--file", "lex.json", "--auto-approve", "--concurrency", "0" }, "--concurrency must be between 1 and 64")]
    [InlineData(new[] { "plan", "--file", "lex.json", "--output", "yaml" }, "yaml")]
    [InlineData(new[] { "plan", "--file", "lex.json", "--endpoint-url", "not a url" }, "--endpoint-url 'not a url' is not an absolute http or https URL")]
    [InlineData(new[] { "plan", "--file", "lex.json", "--profile", "nosuch" }, "--profile 'nosuch': no such profile")]
    public async Task BadArguments_Exit1_WithAMessage_NothingSent(string[] args, string expected)
    {
        using var tool = new ToolHarness();
        tool.File_("lex.json", Desired());
        await tool.AssertRefusedAsync(expected, [.. args.Select(a => a is "lex.json" or "plan.json" ? Path.Combine(tool.Dir, a) : a)]);
    }

    [Fact]
    public async Task ApplySavedPlan_Tampered_IsRefusedBeforeSending()
    {
        using var tool = new ToolHarness();
        string planPath = Path.Combine(tool.Dir, "plan.json");
        await tool.RunAsync("plan", "--file", tool.File_("lex.json", Desired()), "--out", planPath);
        File.WriteAllText(planPath, File.ReadAllText(planPath).Replace("\"formatVersion\": 2", "\"formatVersion\": 9", StringComparison.Ordinal));
        await tool.AssertRefusedAsync($"error: {planPath}: $.formatVersion: is 9", "apply", planPath);
    }
}
