using LexV2.ResourcePolicy.Reconcile;
using RichardSzalay.MockHttp;

namespace LexV2.ResourcePolicy.Tests.Policies;

/// <summary>
/// One rule for wildcard principals in every write (an Allow for everyone, or everyone but some via NotPrincipal, is refused
/// with or without a scoping condition; a Deny for everyone is accepted in documents, so a live policy with such a guard stays
/// editable; the statement API expresses neither), and the validator, the linter and the desired-state reader agreeing on it
/// and naming it; reading a live policy with one still works.
/// </summary>
public class WildcardPrincipalTests
{
    private const string RuleWords = "an Allow for a wildcard principal (\"*\", {\"AWS\": \"*\"}) or with NotPrincipal (everyone but the principals listed) is refused in every policy write, with or without conditions";
    private static readonly BotAliasArn Alias = BotAliasArn.Parse(Fixtures.AliasArn);

    public static TheoryData<string, string> WildcardDocuments => new()
    {
        { """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"lex:RecognizeText"}]}""", "Principal" },
        { """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"lex:RecognizeText","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}]}""", "Principal" },
        { """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:role/a","*"]},"Action":"lex:RecognizeText","Condition":{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}}]}""", "Principal" },
        // Everyone but the role: as wide as "*", written the other way round.
        { """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:role/blocked"},"Action":"lex:RecognizeText"}]}""", "NotPrincipal" },
    };

    /// <summary>Guards that deny everyone (or everyone but an admin): they narrow access, and live policies hold them.</summary>
    public static TheoryData<string> DenyGuards => new()
    {
        """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"lex:*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}""",
        """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":["arn:aws:iam::123456789012:role/a","*"]},"Action":"lex:DeleteResourcePolicy"}]}""",
        """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:role/admin"},"Action":["lex:UpdateResourcePolicy","lex:DeleteResourcePolicy"]}]}""",
    };

    [Theory]
    [MemberData(nameof(WildcardDocuments))]
    public async Task DocumentWrite_AllowingEveryone_IsRefusedByTheValidator_NamingTheRule(string policy, string element)
    {
        using var m = new MockClient();
        m.Http.Fallback.Throw(new InvalidOperationException("nothing may be sent"));

        var e = await Assert.ThrowsAsync<RequestValidationException>(() => m.Client.UpdateResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn, Policy = policy }));

        var v = Assert.Single(e.Violations);
        Assert.Equal("Policy.Statement[0]." + element, v.MemberPath);
        Assert.Contains(RuleWords, v.Rule, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(WildcardDocuments))]
    public void Linter_ReportsTheSameDocuments_NamingTheRule(string policy, string element)
    {
        var finding = Assert.Single(PolicyLinter.Lint(PolicyDocument.Parse(policy), Alias), f => f.Kind == PolicyFindingKind.WildcardPrincipal);
        Assert.Equal("Statement[0]." + element, finding.MemberPath);
        Assert.Contains(RuleWords, finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(DenyGuards))]
    public async Task DocumentWrite_DenyingEveryone_IsSent_AndIsNoLintFinding(string policy)
    {
        using var m = new MockClient();
        m.Http.When("*").Respond("application/json", "{}");

        await m.Client.UpdateResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn, Policy = policy });
        Assert.DoesNotContain(PolicyLinter.Lint(PolicyDocument.Parse(policy), Alias), f => f.Kind == PolicyFindingKind.WildcardPrincipal);
    }

    [Theory]
    [MemberData(nameof(WildcardDocuments))]
    public void PolicyDocumentParse_StillReadsWhatIsLive(string policy, string element) =>
        Assert.True(element == "NotPrincipal"
            ? PolicyDocument.Parse(policy).Statement[0].NotPrincipal is not null
            : PolicyDocument.Parse(policy).Statement[0].Principal is { } p && (p.IsAnyone || p.Aws!.Contains("*")));

    [Theory]
    [InlineData("*", null, "Principal[0].Arn")]
    [InlineData(null, "*", "Principal[0].Service")]
    public async Task StatementApi_WildcardArnOrService_SaysTheApiCannotExpressIt_AndNamesTheRule(string? arn, string? service, string path)
    {
        using var m = new MockClient();
        m.Http.Fallback.Throw(new InvalidOperationException("nothing may be sent"));
        var request = Fixtures.ConnectGrant() with { Principal = [new Principal { Arn = arn, Service = service }] };

        var e = await Assert.ThrowsAsync<RequestValidationException>(() => m.Client.CreateResourcePolicyStatementAsync(request));

        var v = Assert.Single(e.Violations, v => v.MemberPath == path);
        Assert.Contains("the statement API cannot express a wildcard principal, in an Allow or a Deny (Principal.Arn is an IAM role, user or account-root ARN of 30 to 1,024 characters", v.Rule, StringComparison.Ordinal);
        Assert.Contains(RuleWords, v.Rule, StringComparison.Ordinal);
        Assert.Equal(PolicyFindingKind.WildcardPrincipal, Assert.Single(PolicyLinter.Lint(request), f => f.MemberPath == "Principal[0]").Kind);
    }

    [Theory]
    [InlineData("\"*\"", "$.resources[0].statements[0].principal")]
    [InlineData("[\"*\"]", "$.resources[0].statements[0].principal[0]")]
    public void DesiredStateReader_NamesTheRuleForAStarPrincipal_NotAWrongType(string principal, string path)
    {
        string file = $$"""
            { "resources": [ { "resourceArn": "{{Fixtures.AliasArn}}", "statements": [
              { "statementId": "Anyone", "effect": "Allow", "principal": {{principal}}, "action": [ "lex:RecognizeText" ] } ] } ] }
            """;

        var e = Assert.Throws<DesiredStateException>(() => DesiredState.Parse(file, "lex.json"));

        var problem = Assert.Single(e.Problems);
        Assert.Equal(path, problem.Path);
        Assert.Contains("\"*\" (anyone) is not accepted: a desired-state statement has the statement API's form, and the statement API cannot express a wildcard principal, in an Allow or a Deny", problem.Message, StringComparison.Ordinal);
        Assert.Contains(RuleWords, problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong type", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DesiredStateReader_OtherStringPrincipal_IsAWrongTypeThatSaysWhatAnItemIs()
    {
        string file = $$"""{ "resources": [ { "resourceArn": "{{Fixtures.AliasArn}}", "statements": [ { "statementId": "A", "effect": "Allow", "principal": [ "connect.amazonaws.com" ], "action": [ "lex:RecognizeText" ] } ] } ] }""";

        var problem = Assert.Single(Assert.Throws<DesiredStateException>(() => DesiredState.Parse(file)).Problems);

        Assert.Equal("$.resources[0].statements[0].principal[0]", problem.Path);
        Assert.Contains("expected an object such as {\"service\": \"connect.amazonaws.com\"}", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DesiredStateValidation_ArnStar_IsRefusedByTheSameRule()
    {
        string file = $$"""{ "resources": [ { "resourceArn": "{{Fixtures.AliasArn}}", "statements": [ { "statementId": "A", "effect": "Allow", "principal": [ { "arn": "*" } ], "action": [ "lex:RecognizeText" ] } ] } ] }""";

        var problem = Assert.Single(DesiredState.Parse(file).Validate());

        Assert.Equal("$.resources[0].statements[0].principal[0].arn", problem.Path);
        Assert.Contains(RuleWords, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamedPrincipals_PassEveryCheck()
    {
        const string policy = """{"Version":"2012-10-17","Statement":[{"Sid":"Account","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"lex:RecognizeText"}]}""";
        using var m = new MockClient();
        m.Http.When("*").Respond("application/json", "{}");

        await m.Client.CreateResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn, Policy = policy });
        Assert.Empty(PolicyLinter.Lint(PolicyDocument.Parse(policy), Alias));
    }
}
