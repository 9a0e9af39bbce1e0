using System.Text.Json;
using static LexV2.ResourcePolicy.Tool.Tests.Commands.PlanApplyCommandTests;

namespace LexV2.ResourcePolicy.Tool.Tests.Commands;

/// <summary>show, grant, revoke, lint, caller-policy, doctor and help, in-process against the emulator.</summary>
public class OtherCommandTests
{
    private const string Instance = "arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555";
    private const string ConnectSid = "AllowConnect-11111111-2222-3333-4444-555555555555";

    [Fact]
    public async Task Show_PrintsOneRowPerStatementAndTheRevision_JsonHasThePolicy_NoPolicySaysSo()
    {
        using var tool = new ToolHarness();
        Assert.Equal(0, (await tool.RunAsync("grant", "connect", Alias, "--instance-arn", Instance)).Code);
        Assert.Equal(0, (await tool.RunAsync("grant", "role", Alias, "--role-arn", "arn:aws:iam::123456789012:role/ops", "--sid", "Ops")).Code);

        var table = await tool.RunAsync("show", Alias);

        Assert.Equal(0, table.Code);
        string[] lines = table.Out.Split('\n');
        Assert.Equal($"{Alias}  revision 2  (2 statements)", lines[0]);
        Assert.Matches(@"^SID +EFFECT +PRINCIPALS +ACTIONS +CONDITIONS$", lines[1]);
        Assert.Matches(@"^AllowConnect-11111111-2222-3333-4444-555555555555 +Allow +connect\.amazonaws\.com +lex:RecognizeText +StringEquals aws:SourceAccount = 123456789012$", lines[3]);
        Assert.Matches(@"^ +lex:StartConversation +ArnEquals aws:SourceArn = arn:aws:connect:", lines[4]);
        Assert.Matches(@"^Ops +Allow +arn:aws:iam::123456789012:role/ops +lex:RecognizeText$", lines[5]);

        var json = await tool.RunAsync("show", Alias, "--output", "json");
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Equal("2", doc.RootElement.GetProperty("revisionId").GetString());
        Assert.Equal(2, doc.RootElement.GetProperty("policy").GetProperty("Statement").GetArrayLength());

        var none = await tool.RunAsync("show", Prod);
        Assert.Equal((0, $"{Prod}: no resource policy.\n"), (none.Code, none.Out));
    }

    [Theory]
    [InlineData("arn:aws:lex:us-east-1:123456789012:bot:OldBot:prod", "Lex V1 ARN")]
    [InlineData("arn:aws:s3:::bucket/x", "not of Lex")]
    [InlineData("arn:aws:lex:us-east-1:123456789012:bot-alias/SHORT/TSTALIASID", "the bot id 'SHORT' is not valid")]
    public async Task Show_InvalidArn_Exit1_NothingSent(string arn, string expected)
    {
        using var tool = new ToolHarness();
        await tool.AssertRefusedAsync(expected, "show", arn);
    }

    [Fact]
    public async Task Grant_IsIdempotent_AnotherSourceIsAddedBesideIt_ANamedSidReplaces_DryRunSendsNothing()
    {
        using var tool = new ToolHarness();

        var dry = await tool.RunAsync("grant", "lambda", Prod, "--function-arn", "arn:aws:lambda:us-east-1:123456789012:function:f", "--dry-run");
        Assert.Equal(0, dry.Code);
        Assert.Equal(0, tool.Sent);
        var printed = LexV2.ResourcePolicy.Reconcile.DesiredState.Parse(dry.Out);
        Assert.Equal("AllowLambda-f", printed.Resources[0].Statements[0].StatementId);

        Assert.Equal((0, $"Added AllowLambda-f to {Prod} (revision 1).\n"), Pick(await tool.RunAsync("grant", "lambda", Prod, "--function-arn", "arn:aws:lambda:us-east-1:123456789012:function:f")));
        Assert.Equal((0, $"Nothing to do: {Prod} is already as asked (revision 1).\n"), Pick(await tool.RunAsync("grant", "lambda", Prod, "--function-arn", "arn:aws:lambda:us-east-1:123456789012:function:f")));
        Assert.Equal((0, $"Added AllowLambda-g to {Prod} (revision 2).\n"), Pick(await tool.RunAsync("grant", "lambda", Prod, "--function-arn", "arn:aws:lambda:us-east-1:123456789012:function:g")));
        Assert.Equal((0, $"Replaced AllowLambda-f on {Prod} (revision 3).\n"), Pick(await tool.RunAsync("grant", "lambda", Prod, "--function-arn", "arn:aws:lambda:us-east-1:123456789012:function:h", "--sid", "AllowLambda-f")));
        Assert.Equal((0, $"Nothing to do: {Prod} already grants this as AllowLambda-f (revision 3).\n"), Pick(await tool.RunAsync("grant", "lambda", Prod, "--function-arn", "arn:aws:lambda:us-east-1:123456789012:function:h")));

        var service = await tool.RunAsync("grant", "service", Bot, "--service", "chime.amazonaws.com", "--source-arn", "arn:aws:chime:us-east-1:123456789012:app/x", "--action", "lex:DescribeBot", "--output", "json");
        using var doc = JsonDocument.Parse(service.Out);
        Assert.Equal(("Added", "AllowChime-x"), (doc.RootElement.GetProperty("change").GetString(), doc.RootElement.GetProperty("statementId").GetString()));
    }

    [Theory]
    [InlineData(new[] { "grant", "connect", Bot, "--instance-arn", Instance }, "is a bot ARN, not a bot-alias ARN")]
    [InlineData(new[] { "grant", "connect", Alias, "--instance-arn", "arn:aws:connect:us-east-1:999999999999:instance/x" }, "is in account 999999999999 but the bot is in account 123456789012")]
    [InlineData(new[] { "grant", "connect", Alias }, "Option '--instance-arn' is required")]
    [InlineData(new[] { "grant", "connect", Alias, "--instance-arn", "arn:aws:lambda:us-east-1:123456789012:function:f" }, "'arn:aws:lambda:us-east-1:123456789012:function:f' is not an Amazon Connect instance ARN")]
    [InlineData(new[] { "grant", "role", Alias, "--role-arn", "arn:aws:sts::123456789012:assumed-role/x/s" }, "is not an IAM role, user or account-root ARN")]
    [InlineData(new[] { "grant", "role", Alias, "--role-arn", "arn:aws:iam::123456789012:role/x", "--sid", "bad sid!" }, "error: statementId: must be letters and digits")]
    [InlineData(new[] { "grant", "service", Alias, "--service", "x", "--source-arn", "arn:aws:chime:us-east-1:123456789012:app/x" }, "error: principal[0].service: must be 15 to 1024 characters")]
    [InlineData(new[] { "grant", "service", Alias, "--service", "chime.amazonaws.com", "--source-arn", "nonsense" }, "'nonsense' is not an ARN with an account id")]
    [InlineData(new[] { "revoke", Alias }, "Required argument missing")]
    [InlineData(new[] { "grant", "kinesis", Alias }, "Unrecognized command or argument 'kinesis'")]
    public async Task GrantRevoke_BadInput_Exit1_NothingSent(string[] args, string expected)
    {
        using var tool = new ToolHarness();
        await tool.AssertRefusedAsync(expected, args);
    }

    [Fact]
    public async Task Grant_MisspelledAction_WarnsWithTheLinter_AndSends()
    {
        using var tool = new ToolHarness();

        var run = await tool.RunAsync("grant", "role", Alias, "--role-arn", "arn:aws:iam::123456789012:role/x", "--sid", "X", "--action", "lex:RecognizeTxt");

        Assert.Equal(0, run.Code);
        Assert.Contains("warning: UnknownAction at Action[0]: 'lex:RecognizeTxt' is not a Lex V2 action; did you mean 'lex:RecognizeText'?", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_RemovesThenIsIdempotent_LastStatementDeletesThePolicy_DryRunChangesNothing()
    {
        using var tool = new ToolHarness();
        await tool.RunAsync("grant", "connect", Alias, "--instance-arn", Instance);

        var dry = await tool.RunAsync("revoke", Alias, ConnectSid, "--dry-run");
        Assert.Contains("would remove " + ConnectSid, dry.Out, StringComparison.Ordinal);
        Assert.Contains("the policy would be deleted", dry.Out, StringComparison.Ordinal);
        Assert.NotNull(tool.Emulator.GetPolicy(Alias));

        Assert.Equal((0, $"Removed {ConnectSid} from {Alias} (it was the last statement: the policy is deleted).\n"), Pick(await tool.RunAsync("revoke", Alias, ConnectSid)));
        Assert.Equal((0, $"Nothing to do: {Alias} is already as asked (no policy).\n"), Pick(await tool.RunAsync("revoke", Alias, ConnectSid)));
        Assert.Null(tool.Emulator.GetPolicy(Alias));
    }

    [Fact]
    public async Task Lint_PolicyFile_ReportsOperatorsValuesAndKeysOutsideTheGrammar()
    {
        using var tool = new ToolHarness();
        string policy = tool.File_("policy.json", """
            {"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":{"Service":"connect.amazonaws.com"},"Action":"lex:RecognizeText","Resource":"ALIAS",
              "Condition":{"StringEqualz":{"aws:SourceAccount":"123456789012"},"ArnEquals":{"aws:SoruceArn":"INSTANCE"},"NumericLessThan":{"aws:EpochTime":"soon"}}}]}
            """.Replace("ALIAS", Alias, StringComparison.Ordinal).Replace("INSTANCE", Instance, StringComparison.Ordinal));

        var run = await tool.RunAsync("lint", "--file", policy);

        Assert.Equal(3, run.Code);
        Assert.Contains("Statement[0].Condition.StringEqualz: InvalidConditionOperator: 'StringEqualz' is not an IAM condition operator; did you mean 'StringEquals'?", run.Out, StringComparison.Ordinal);
        Assert.Contains("Statement[0].Condition.ArnEquals.aws:SoruceArn: UnknownConditionKey: 'aws:SoruceArn' is not an AWS global condition key, so the condition never matches; did you mean 'aws:SourceArn'?", run.Out, StringComparison.Ordinal);
        Assert.Contains("Statement[0].Condition.NumericLessThan.aws:EpochTime: InvalidConditionValue:", run.Out, StringComparison.Ordinal);
        Assert.Equal(0, tool.Sent);
    }

    [Fact]
    public async Task GrantRole_WithoutSid_UsesTheDefaultId()
    {
        using var tool = new ToolHarness();

        Assert.Equal((0, $"Added AllowRole-ops to {Alias} (revision 1).\n"), Pick(await tool.RunAsync("grant", "role", Alias, "--role-arn", "arn:aws:iam::123456789012:role/ops")));
    }

    [Fact]
    public async Task Lint_PolicyFile_DesiredStateFile_AndLiveArn_Exit3OnFindings_0WhenClean()
    {
        using var tool = new ToolHarness();
        string policy = tool.File_("policy.json", $$"""
            {"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":"*","Action":["lex:StartConversaion","lex:DescribeBot"],"Resource":"{{Alias}}"}]}
            """);

        var findings = await tool.RunAsync("lint", "--file", policy);
        Assert.Equal(3, findings.Code);
        Assert.Contains($"{policy}: Statement[0].Action[0]: UnknownAction: 'lex:StartConversaion' is not a Lex V2 action; did you mean 'lex:StartConversation'?", findings.Out, StringComparison.Ordinal);
        Assert.Contains("Statement[0].Action[1]: ActionNotApplicableToResource", findings.Out, StringComparison.Ordinal);
        Assert.Contains("Statement[0].Principal: WildcardPrincipal", findings.Out, StringComparison.Ordinal);
        Assert.Contains("3 findings.", findings.Out, StringComparison.Ordinal);

        var desired = await tool.RunAsync("lint", "--file", tool.File_("lex.json", Desired().Replace("lex:ListBotAliases", "lex:RecognizeText", StringComparison.Ordinal)), "--output", "json");
        Assert.Equal(3, desired.Code);
        using (var doc = JsonDocument.Parse(desired.Out))
        {
            var finding = Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray());
            Assert.Equal("$.resources[0].statements[0].action[1]", finding.GetProperty("path").GetString());
            Assert.Equal("ActionNotApplicableToResource", finding.GetProperty("kind").GetString());
        }

        Assert.Equal(0, (await tool.RunAsync("lint", "--file", tool.File_("clean.json", Desired()))).Code);
        Assert.Equal(0, tool.Sent);

        await tool.RunAsync("apply", "--file", tool.File_("lex.json", Desired()), "--auto-approve");
        var live = await tool.RunAsync("lint", Alias);
        Assert.Equal((0, "No findings.\n"), Pick(live));
    }

    [Theory]
    [InlineData("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"lex:RecognizeText\"}]}", "no statement names a Lex bot or bot-alias ARN")]
    [InlineData("{\"Statement\":[{\"Effect\":\"Maybe\"}]}", "Invalid policy at $.Statement[0].Effect")]
    [InlineData("{\"Statement\": [", "invalid JSON")]
    [InlineData("{\"resources\":[{\"resourceArn\":\"x\",\"statements\":[]}]}", "$.resources[0].resourceArn: 'x' is not an ARN")]
    public async Task Lint_BadFile_Exit1(string content, string expected)
    {
        using var tool = new ToolHarness();
        await tool.AssertRefusedAsync(expected, "lint", "--file", tool.File_("bad.json", content));
    }

    [Fact]
    public async Task Lint_NeitherFileNorArn_Exit1()
    {
        using var tool = new ToolHarness();
        await tool.AssertRefusedAsync("give either --file FILE or an ARN", "lint");
    }

    [Fact]
    public async Task CallerPolicy_ListsExactlyTheActionsOnExactlyTheResources()
    {
        using var tool = new ToolHarness();

        var write = await tool.RunAsync("caller-policy", Alias, Bot);
        using (var doc = JsonDocument.Parse(write.Out))
        {
            var statement = doc.RootElement.GetProperty("Statement")[0];
            Assert.Equal(["lex:CreateResourcePolicy", "lex:DeleteResourcePolicy", "lex:DescribeResourcePolicy", "lex:UpdateResourcePolicy"], statement.GetProperty("Action").EnumerateArray().Select(a => a.GetString()));
            Assert.Equal([Alias, Bot], statement.GetProperty("Resource").EnumerateArray().Select(a => a.GetString()));
        }

        var read = await tool.RunAsync("caller-policy", Alias, "--for", "read");
        Assert.Contains("\"Action\": [\n        \"lex:DescribeResourcePolicy\"\n      ]", read.Out.Replace("\r", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);

        Assert.Equal(1, (await tool.RunAsync("caller-policy", Alias, "--for", "admin")).Code);
        Assert.Equal(1, (await tool.RunAsync("caller-policy", "arn:aws:lex:us-east-1:123456789012:bot:x:y")).Code);
        Assert.Equal(1, (await tool.RunAsync("caller-policy")).Code);
        Assert.Equal(0, tool.Sent);
    }

    [Fact]
    public async Task Doctor_ShowsRegionEndpointAndMaskedKey_NeverTheSecret_AndChecksAccess()
    {
        using var tool = new ToolHarness();

        var ok = await tool.RunAsync("doctor", Alias);

        Assert.Equal(0, ok.Code);
        Assert.Matches(@"(?m)^region: +us-east-1 \(from profile 'test'\)$", ok.Out);
        Assert.Matches(@"(?m)^endpoint: +https://models-v2-lex\.us-east-1\.amazonaws\.com/$", ok.Out);
        Assert.Matches(@"(?m)^endpoint source: +regional endpoint$", ok.Out);
        Assert.Matches(@"(?m)^signing region: +us-east-1$", ok.Out);
        Assert.Matches(@"(?m)^credentials: +profile 'test'", ok.Out);
        Assert.Matches(@"(?m)^access key id: +AKID\*{7}$", ok.Out);
        Assert.Matches($@"(?m)^DescribeResourcePolicy: +{System.Text.RegularExpressions.Regex.Escape(Alias)}: authorized \(no policy", ok.Out);
        Assert.DoesNotContain(ToolHarness.SecretKey, ok.Out + ok.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(ToolHarness.AccessKey, ok.Out + ok.Err, StringComparison.Ordinal);

        var denied = await tool.RunAsync("doctor", Alias.Replace("us-east-1", "us-west-2", StringComparison.Ordinal), "--profile", "wrongkey", "--region", "us-west-2", "--output", "json");
        Assert.Equal(1, denied.Code);
        using var doc = JsonDocument.Parse(denied.Out);
        Assert.False(doc.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal("us-west-2 (from --region)", doc.RootElement.GetProperty("region").GetString());
        Assert.Equal("regional endpoint", doc.RootElement.GetProperty("endpointSource").GetString());
        Assert.Contains("FAILED: UnrecognizedClientException (HTTP 403)", doc.RootElement.GetProperty("describeResourcePolicy").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("notTheSecretAtAll", denied.Out + denied.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ListsEveryCommandAndTheExitCodes()
    {
        using var tool = new ToolHarness();

        var help = await tool.RunAsync("--help");

        Assert.Equal(0, help.Code);
        foreach (string command in new[] { "show", "plan", "apply", "grant", "revoke", "lint", "caller-policy", "serve", "doctor" })
        {
            Assert.Matches($"(?m)^  {command}\\b", help.Out);
        }

        foreach (string code in new[] { "0  success", "1  error", "2  plan --detailed-exitcode", "3  lint", "4  apply PLAN" })
        {
            Assert.Contains(code, help.Out, StringComparison.Ordinal);
        }

        Assert.Contains("--output <json|table>", help.Out, StringComparison.Ordinal);
    }

    private static (int, string) Pick((int Code, string Out, string Err) run) => (run.Code, run.Out);
}
