using System.Net;
using RichardSzalay.MockHttp;

namespace LexV2.ResourcePolicy.Tests.Policies;

public class LinterGrantCallerTests
{
    private static readonly BotAliasArn Alias = BotAliasArn.Parse("arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID");
    private static readonly BotArn Bot = Alias.Bot;
    private const string Connect = "arn:aws:connect:us-east-1:123456789012:instance/abc";

    [Fact]
    public void DocumentedConnectExample_HasNoFinding()
    {
        // The Amazon Connect grant of the Lex V2 documentation, with the action spelled correctly.
        var request = new CreateResourcePolicyStatementRequest
        {
            ResourceArn = Alias,
            StatementId = "AllowConnect",
            Effect = Effect.Allow,
            Principal = [Principal.ForService("connect.amazonaws.com")],
            Action = ["lex:RecognizeText", "lex:StartConversation"],
            Condition = new Dictionary<string, IReadOnlyDictionary<string, string>>
            {
                ["StringEquals"] = new Dictionary<string, string> { ["aws:SourceAccount"] = "123456789012" },
                ["ArnEquals"] = new Dictionary<string, string> { ["aws:SourceArn"] = Connect },
            },
        };
        Assert.Empty(PolicyLinter.Lint(request));
        Assert.Empty(PolicyLinter.Lint(LexGrant.ConnectInstance(Alias, Connect)));
    }

    [Fact]
    public void Misspelling_IsUnknownAction_WithSuggestion()
    {
        var findings = PolicyLinter.Lint(LexGrant.ConnectInstance(Alias, Connect) with { Action = ["lex:RecognizeText", "lex:StartConversaion"] });
        var f = Assert.Single(findings);
        Assert.Equal(PolicyFindingKind.UnknownAction, f.Kind);
        Assert.Equal("Action[1]", f.MemberPath);
        Assert.Contains("did you mean 'lex:StartConversation'", f.Message);
    }

    [Fact]
    public void RuntimeActionOnBot_AndBuildingActionOnAlias_AreNotApplicable()
    {
        var onBot = Assert.Single(PolicyLinter.Lint(LexGrant.IamPrincipal(Bot, "arn:aws:iam::123456789012:role/a", "A", ["lex:RecognizeText"])));
        var onAlias = Assert.Single(PolicyLinter.Lint(LexGrant.IamPrincipal(Alias, "arn:aws:iam::123456789012:role/a", "A", ["lex:BuildBotLocale"])));
        Assert.Equal(PolicyFindingKind.ActionNotApplicableToResource, onBot.Kind);
        Assert.Contains("bot alias", onBot.Message);
        Assert.Equal(PolicyFindingKind.ActionNotApplicableToResource, onAlias.Kind);
        Assert.Empty(PolicyLinter.Lint(LexGrant.IamPrincipal(Alias, "arn:aws:iam::123456789012:role/a", "A", ["lex:Recognize*", "lex:*"])));
        Assert.Equal(PolicyFindingKind.UnknownAction, Assert.Single(PolicyLinter.Lint(LexGrant.IamPrincipal(Alias, "arn:aws:iam::123456789012:role/a", "A", ["lex:Nothing*"]))).Kind);
    }

    [Fact]
    public void WildcardPrincipal_IsReported()
    {
        var doc = PolicyDocument.Parse("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"lex:RecognizeText","Resource":"*"}]}""");
        var f = Assert.Single(PolicyLinter.Lint(doc, Alias));
        Assert.Equal((PolicyFindingKind.WildcardPrincipal, "Statement[0].Principal"), (f.Kind, f.MemberPath));
    }

    [Fact]
    public void ServiceConditionsNamingAnotherAccount_AreReported()
    {
        var grant = LexGrant.ConnectInstance(Alias, Connect) with
        {
            Condition = new Dictionary<string, IReadOnlyDictionary<string, string>>
            {
                ["StringEquals"] = new Dictionary<string, string> { ["aws:SourceAccount"] = "999999999999" },
                ["ArnEquals"] = new Dictionary<string, string> { ["aws:SourceArn"] = "arn:aws:connect:us-east-1:999999999999:instance/x" },
            },
        };
        var findings = PolicyLinter.Lint(grant);
        Assert.Equal(2, findings.Count);
        Assert.All(findings, f => Assert.Equal(PolicyFindingKind.SourceAccountMismatch, f.Kind));
    }

    [Fact]
    public async Task RejectLintFindings_StopsTheRequestBeforeSending()
    {
        using var m = new MockClient(o => o.RejectLintFindings = true);
        m.Http.Fallback.Throw(new InvalidOperationException("nothing may be sent"));
        var e = await Assert.ThrowsAsync<RequestValidationException>(() => m.Client.CreateResourcePolicyStatementAsync(LexGrant.ConnectInstance(Alias, Connect) with { Action = ["lex:StartConversaion"] }));
        Assert.Contains("StartConversation", e.Message);
    }

    [Fact]
    public void ServiceGrant_FillsBothConditionsFromTheSourceArn_AndDefaultsActionsByResourceType()
    {
        var g = LexGrant.LambdaFunction(Alias, "arn:aws:lambda:us-east-1:123456789012:function:fulfil");
        Assert.Equal("AllowLambda-fulfil", g.StatementId);
        Assert.Equal("lambda.amazonaws.com", g.Principal.Single().Service);
        Assert.Equal(["lex:RecognizeText", "lex:StartConversation"], g.Action);
        Assert.Equal("123456789012", g.Condition!["StringEquals"]["aws:SourceAccount"]);
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:fulfil", g.Condition["ArnEquals"]["aws:SourceArn"]);
        Assert.Equal(LexGrant.DefaultBotActions, LexGrant.IamPrincipal(Bot, "arn:aws:iam::123456789012:role/r", "R").Action);
        Assert.Throws<ArgumentException>(() => LexGrant.ConnectInstance(Alias, "arn:aws:connect:us-east-1:999999999999:instance/x"));
        Assert.Throws<ArgumentException>(() => LexGrant.IamPrincipal(Alias, "arn:aws:iam::999999999999:role/r", "R"));
    }

    [Fact]
    public void CallerPolicy_GrantsExactlyTheActionsOnExactlyTheResources()
    {
        var doc = CallerPolicy.For(CallerPolicy.EnsureAndRemove, [Alias, Bot]);
        Assert.Equal(
            """{"Version":"2012-10-17","Statement":[{"Sid":"LexResourcePolicyAccess","Effect":"Allow","Action":["lex:CreateResourcePolicy","lex:DeleteResourcePolicy","lex:DescribeResourcePolicy","lex:UpdateResourcePolicy"],"Resource":["arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID","arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ"]}]}""",
            doc.ToJson());
        Assert.Null(doc.Statement[0].Principal);

        var split = CallerPolicy.For([(ResourcePolicyOperation.DescribeResourcePolicy, (LexResourceArn)Bot), (ResourcePolicyOperation.DeleteResourcePolicy, Alias)]);
        Assert.Equal(2, split.Statement.Count);
        Assert.Equal(["lex:DeleteResourcePolicy"], split.Statement[0].Action!);
    }

    [Fact]
    public async Task AccessDenied_NamesTheActionsAndTheResourceNeeded()
    {
        using var m = new MockClient(o => o.MaxRetries = 0);
        m.Http.When("*").Respond(HttpStatusCode.Forbidden, "application/json", """{"__type":"AccessDeniedException","message":"User is not authorized"}""");

        var e = await Assert.ThrowsAsync<LexPolicyException>(() => m.Client.CreateResourcePolicyStatementAsync(LexGrant.ConnectInstance(Alias, Connect)));

        Assert.Contains("lex:CreateResourcePolicy or lex:UpdateResourcePolicy", e.Message);
        Assert.Contains(Alias.ToString(), e.Message);
    }
}
