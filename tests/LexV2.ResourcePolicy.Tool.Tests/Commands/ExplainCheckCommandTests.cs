using System.Text.Json;
using static LexV2.ResourcePolicy.Tool.Tests.Commands.PlanApplyCommandTests;

namespace LexV2.ResourcePolicy.Tool.Tests.Commands;

/// <summary>
/// <c>lexpolicy explain</c>, <c>lexpolicy check</c>, and the access expectations <c>plan</c> and <c>apply --file</c> evaluate
/// before anything is saved or written — in-process, against the emulator.
/// </summary>
[Trait("Issue", "23")]
public class ExplainCheckCommandTests
{
    private const string Instance = "arn:aws:connect:us-east-1:123456789012:instance/abc";
    private const string OtherInstance = "arn:aws:connect:us-east-1:123456789012:instance/zzz";

    private static async Task GrantConnectAsync(ToolHarness tool)
    {
        using var client = tool.Emulator.CreateClient();
        await client.EnsureStatementAsync(LexGrant.ConnectInstance(BotAliasArn.Parse(Alias), Instance));
    }

    private static string[] Explain(params string[] more) =>
        ["explain", "--resource-arn", Alias, "--principal", "connect.amazonaws.com", "--action", "lex:StartConversation", .. more];

    [Fact]
    public async Task Explain_TheLivePolicy_ADeniedConnectInstance_Exit2_WithTheFailedConditionAndTheMissingKey()
    {
        using var tool = new ToolHarness();
        await GrantConnectAsync(tool);

        var run = await tool.RunAsync(Explain("--context", "aws:SourceArn=" + OtherInstance));

        Assert.Equal(2, run.Code);
        Assert.Equal(string.Empty, run.Err);
        Assert.StartsWith("Decision: ImplicitlyDenied\nImplicitly denied: no statement of the resource policy allows the service principal connect.amazonaws.com.", run.Out.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("resource statement 0 \"AllowConnect-abc\" (Allow): not matched: Condition StringEquals aws:SourceAccount: expected 123456789012, the request has no aws:SourceAccount", run.Out, StringComparison.Ordinal);
        Assert.Contains("Context keys the policies use that the request did not supply: aws:SourceAccount", run.Out, StringComparison.Ordinal);
        Assert.Contains($"Policy: the live policy of {Alias}, revision 1", run.Out, StringComparison.Ordinal);

        var wrongInstance = await tool.RunAsync(Explain("--context", "aws:SourceArn=" + OtherInstance, "--context", "aws:SourceAccount=123456789012"));
        Assert.Equal(2, wrongInstance.Code);
        Assert.Contains($"Condition ArnEquals aws:SourceArn: expected {Instance}, the request has {OtherInstance}", wrongInstance.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_AnAllowedCall_Exit0_NamingTheStatementThatAllowsIt()
    {
        using var tool = new ToolHarness();
        await GrantConnectAsync(tool);

        var run = await tool.RunAsync(Explain("--context", "aws:SourceArn=" + Instance, "--context", "AWS:SOURCEACCOUNT=123456789012"));

        Assert.Equal(0, run.Code);
        Assert.Contains("Allowed: resource statement 0 \"AllowConnect-abc\" allows the service principal connect.amazonaws.com", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("did not supply", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_APolicyFile_SendsNothing_AndIdentityPolicyFilesDecideACrossAccountCall()
    {
        using var tool = new ToolHarness();
        string policy = tool.File_("policy.json", """{"Version":"2012-10-17","Statement":[{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"210987654321"},"Action":"lex:RecognizeText","Resource":"*"}]}""");
        string identity = tool.File_("identity.json", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lex:Recognize*","Resource":"*"}]}""");
        string[] args = ["explain", "--resource-arn", Alias, "--principal", "arn:aws:sts::210987654321:assumed-role/partner/s1", "--action", "lex:RecognizeText", "--policy-file", policy];

        var without = await tool.RunAsync(args);
        var with = await tool.RunAsync([.. args, "--identity-policy", identity]);

        Assert.Equal(2, without.Code);
        Assert.Contains("so its identity policies must allow it too, and none does (no identity policies were given)", without.Out, StringComparison.Ordinal);
        Assert.Equal(0, with.Code);
        Assert.Contains("identity[0] statement 0", with.Out, StringComparison.Ordinal);
        Assert.Equal(0, tool.Sent);
    }

    [Fact]
    public async Task Explain_ARepeatedContextKey_IsOneMultivaluedKey()
    {
        using var tool = new ToolHarness();
        string policy = tool.File_("policy.json", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"lex:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}}]}""");
        string[] args = ["explain", "--resource-arn", Alias, "--principal", "arn:aws:iam::123456789012:role/app", "--action", "lex:TagResource", "--policy-file", policy];

        Assert.Equal(0, (await tool.RunAsync([.. args, "--context", "aws:TagKeys=env", "--context", "aws:tagkeys=team"])).Code);
        var denied = await tool.RunAsync([.. args, "--context", "aws:TagKeys=env", "--context", "aws:TagKeys=owner"]);
        Assert.Equal(2, denied.Code);
        Assert.Contains("the request has [env, owner]", denied.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_Json_IsTheAccessDecision_CamelCase_EnumsByName()
    {
        using var tool = new ToolHarness();
        await GrantConnectAsync(tool);

        var run = await tool.RunAsync(Explain("--context", "aws:SourceArn=" + OtherInstance, "--context", "aws:SourceAccount=123456789012", "--output", "json"));

        Assert.Equal(2, run.Code);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal(1, json.RootElement.GetProperty("formatVersion").GetInt32());
        var decision = json.RootElement;
        Assert.Equal("ImplicitlyDenied", decision.GetProperty("decision").GetString());
        var statement = Assert.Single(decision.GetProperty("statements").EnumerateArray());
        Assert.Equal(("resource", 0, "AllowConnect-abc", "Allow", false, "Condition"), (
            statement.GetProperty("policy").GetString(), statement.GetProperty("index").GetInt32(), statement.GetProperty("sid").GetString(),
            statement.GetProperty("effect").GetString(), statement.GetProperty("matched").GetBoolean(), statement.GetProperty("element").GetString()));
        Assert.StartsWith("Condition ArnEquals aws:SourceArn:", statement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Empty(decision.GetProperty("missingContextKeys").EnumerateArray());
    }

    [Theory]
    [InlineData("--context", "aws:SourceArn", "--context 'aws:SourceArn' is not KEY=VALUE")]
    [InlineData("--context", "=x", "--context '=x' is not KEY=VALUE")]
    [InlineData("--principal", "connect", "error: --principal: 'connect' is not a principal")]
    [InlineData("--action", "StartConversation", "error: --action: 'StartConversation' is not an action")]
    [InlineData("--resource-arn", "arn:aws:lex:us-east-1:123456789012:bot:MyBot:Prod", "is a Lex V1 ARN")]
    public async Task Explain_BadInput_Exit1_NothingSent(string option, string value, string message)
    {
        using var tool = new ToolHarness();
        var args = Explain().ToList();
        int at = args.IndexOf(option);
        if (at >= 0)
        {
            args[at + 1] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }

        string err = await tool.AssertRefusedAsync(message, [.. args]);
        Assert.DoesNotContain("(Parameter ", err, StringComparison.Ordinal); // the option is named, not the library's parameter
    }

    /// <summary>The alias's desired state with expectations: Connect instance abc must reach it, instance zzz must not.</summary>
    private static string WithExpectations(string decisionForAbc = "allow") => $$"""
        {
          "resources": [
            { "resourceArn": "{{Alias}}", "statements": [
                { "statementId": "AllowConnect", "effect": "Allow", "principal": [ { "service": "connect.amazonaws.com" } ],
                  "action": [ "lex:RecognizeText", "lex:StartConversation" ],
                  "condition": { "StringEquals": { "aws:SourceAccount": "123456789012" },
                                 "ArnEquals": { "aws:SourceArn": "{{Instance}}" } } } ],
              "expect": [
                { "description": "instance abc reaches the alias", "principal": "connect.amazonaws.com", "action": "lex:StartConversation",
                  "context": { "aws:SourceArn": "{{Instance}}", "aws:SourceAccount": "123456789012" }, "decision": "{{decisionForAbc}}" },
                { "principal": "connect.amazonaws.com", "action": "lex:StartConversation",
                  "context": { "aws:SourceArn": "{{OtherInstance}}", "aws:SourceAccount": "123456789012" }, "decision": "deny" }
              ] }
          ]
        }
        """;

    [Fact]
    public async Task Check_AgainstTheLivePolicies_Exit0WhenAllHold_2WhenOneDoesNot()
    {
        using var tool = new ToolHarness();
        string file = tool.File_("lex.json", WithExpectations());

        var before = await tool.RunAsync("check", "--file", file);
        Assert.Equal(2, before.Code);
        Assert.Contains($"{Alias} expect[0] connect.amazonaws.com lex:StartConversation → allow (instance abc reaches the alias): DOES NOT HOLD (ImplicitlyDenied)", before.Out, StringComparison.Ordinal);
        Assert.Contains("Expectations: 1 of 2 hold, 1 does not.", before.Out, StringComparison.Ordinal);

        await GrantConnectAsync(tool);
        int sent = tool.Sent;
        var after = await tool.RunAsync("check", "--file", file);
        Assert.Equal(0, after.Code);
        Assert.Contains("Expectations: 2 of 2 hold.", after.Out, StringComparison.Ordinal);
        Assert.All(tool.Emulator.Requests.Skip(sent), r => Assert.Equal("GET", r.Method));

        var json = await tool.RunAsync("check", "--file", file, "--output", "json");
        using var doc = JsonDocument.Parse(json.Out);
        Assert.True(doc.RootElement.GetProperty("holds").GetBoolean());
        Assert.Equal(["allow", "deny"], doc.RootElement.GetProperty("expectations").EnumerateArray().Select(e => e.GetProperty("expected").GetString()));
        Assert.Equal("Allowed", doc.RootElement.GetProperty("expectations")[0].GetProperty("evaluation").GetProperty("decision").GetString());
    }

    [Fact]
    public async Task Check_AMalformedFile_Exit1_NothingSent()
    {
        using var tool = new ToolHarness();
        string file = tool.File_("lex.json", WithExpectations("permit"));
        await tool.AssertRefusedAsync("$.resources[0].expect[0].decision: must be \"allow\", \"deny\" or \"explicitDeny\" (was \"permit\")", "check", "--file", file);
    }

    [Fact]
    public async Task Plan_WhenAnExpectationWouldFail_PrintsTheAccount_Exits1_AndSavesNoPlan_AndApplyWritesNothing()
    {
        using var tool = new ToolHarness();
        // The file grants instance abc but expects it to be denied: the plan breaks its own expectation.
        string file = tool.File_("lex.json", WithExpectations(decisionForAbc: "deny"));
        string saved = Path.Combine(tool.Dir, "plan.json");

        var plan = await tool.RunAsync("plan", "--file", file, "--out", saved);

        Assert.Equal(1, plan.Code);
        Assert.False(File.Exists(saved));
        Assert.Contains("  + AllowConnect:", plan.Out, StringComparison.Ordinal);
        Assert.Contains("expect[0] connect.amazonaws.com lex:StartConversation → deny (instance abc reaches the alias): DOES NOT HOLD (Allowed)", plan.Out, StringComparison.Ordinal);
        Assert.Contains("Allowed: resource statement 0 \"AllowConnect\" allows the service principal", plan.Out, StringComparison.Ordinal);
        Assert.Contains("error: 1 access expectation does not hold for the planned policies; no plan was saved.", plan.Err, StringComparison.Ordinal);

        var apply = await tool.RunAsync("apply", "--file", file, "--auto-approve");
        Assert.Equal(1, apply.Code);
        Assert.Contains("nothing was written", apply.Err, StringComparison.Ordinal);
        Assert.All(tool.Emulator.Requests, r => Assert.Equal("GET", r.Method));
        Assert.Null(tool.Emulator.GetPolicy(Alias));

        var json = await tool.RunAsync("plan", "--file", file, "--output", "json");
        Assert.Equal(1, json.Code);
        using var doc = JsonDocument.Parse(json.Out);
        Assert.False(doc.RootElement.GetProperty("holds").GetBoolean());
    }

    [Fact]
    public async Task Plan_WhenTheExpectationsHold_SavesThePlan_AndListsThem()
    {
        using var tool = new ToolHarness();
        string file = tool.File_("lex.json", WithExpectations());
        string saved = Path.Combine(tool.Dir, "plan.json");

        var plan = await tool.RunAsync("plan", "--file", file, "--out", saved);

        Assert.Equal(0, plan.Code);
        Assert.True(File.Exists(saved));
        Assert.Contains("Expectations: 2 of 2 hold.", plan.Out, StringComparison.Ordinal);
        Assert.Equal(0, (await tool.RunAsync("apply", saved)).Code);
        Assert.Equal(0, (await tool.RunAsync("check", "--file", file)).Code);
    }
}
