using LexV2.ResourcePolicy.Reconcile;

namespace LexV2.ResourcePolicy.Tests.Policies;

/// <summary>The linter on conditions: condition keys no Lex request carries (with a suggestion), and in documents operators and values outside the IAM grammar.</summary>
public class ConditionLintTests
{
    private static readonly BotAliasArn Alias = BotAliasArn.Parse(Fixtures.AliasArn);
    private const string Instance = "arn:aws:connect:us-east-1:123456789012:instance/abc";

    private static CreateResourcePolicyStatementRequest Grant(string op, string key, string value) =>
        LexGrant.ConnectInstance(Alias, Instance) with
        {
            Condition = new Dictionary<string, IReadOnlyDictionary<string, string>>
            {
                ["StringEquals"] = new Dictionary<string, string> { ["aws:SourceAccount"] = Fixtures.Account },
                ["ArnEquals"] = new Dictionary<string, string> { ["aws:SourceArn"] = Instance },
                [op] = new Dictionary<string, string> { [key] = value },
            },
        };

    [Theory]
    [InlineData("aws:SoruceArn", "did you mean 'aws:SourceArn'?")]
    [InlineData("aws:SourceAcount", "did you mean 'aws:SourceAccount'?")]
    [InlineData("SourceVpce", "did you mean 'aws:SourceVpce'?")]
    [InlineData("asw:PrincipalOrgID", "did you mean 'aws:PrincipalOrgID'?")]
    [InlineData("aws:PrincipleTag/team", "did you mean 'aws:PrincipalTag/team'?")]
    [InlineData("aws:Nonsense", "is not an AWS global condition key, so the condition never matches.")]
    [InlineData("lex:SessionId", "Amazon Lex V2 defines no service-specific condition keys")]
    public void UnknownConditionKey_IsAFinding_WithASuggestion(string key, string expected)
    {
        var finding = Assert.Single(PolicyLinter.Lint(Grant("StringLike", key, "x")));

        Assert.Equal(PolicyFindingKind.UnknownConditionKey, finding.Kind);
        Assert.Equal($"Condition[\"StringLike\"][\"{key}\"]", finding.MemberPath);
        Assert.Contains(expected, finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aws:SourceArn")]
    [InlineData("AWS:SOURCEARN")]
    [InlineData("aws:PrincipalTag/cost-center")]
    [InlineData("aws:ResourceTag/team")]
    [InlineData("aws:RequestTag/x")]
    [InlineData("aws:PrincipalOrgPaths")]
    [InlineData("aws:VpcSourceIp")]
    [InlineData("aws:CalledViaFirst")]
    [InlineData("aws:TagKeys")]
    [InlineData("ec2:SourceInstanceArn")]
    public void KnownOrCrossServiceKey_IsNoFinding(string key) =>
        Assert.Empty(PolicyLinter.Lint(Grant("StringLike", key, "x")));

    [Fact]
    public void Document_OperatorValueAndKeyProblems_AreFindings_AtTheirPaths()
    {
        var document = PolicyDocument.Parse("""
            {"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/a"},"Action":"lex:RecognizeText",
              "Condition":{"StringEqualz":{"aws:PrincipalAccount":"123456789012"},"DateLessThan":{"aws:CurrentTime":"next week"},"StringEquals":{"aws:SoruceArn":"x"}}}]}
            """);

        var findings = PolicyLinter.Lint(document, Alias);

        Assert.Equal(
            [
                (PolicyFindingKind.InvalidConditionOperator, "Statement[0].Condition.StringEqualz"),
                (PolicyFindingKind.InvalidConditionValue, "Statement[0].Condition.DateLessThan.aws:CurrentTime"),
                (PolicyFindingKind.UnknownConditionKey, "Statement[0].Condition.StringEquals.aws:SoruceArn"),
            ],
            findings.Select(f => (f.Kind, f.MemberPath)));
        Assert.Contains("did you mean 'StringEquals'?", findings[0].Message, StringComparison.Ordinal);
        Assert.Contains("must be an ISO 8601 date", findings[1].Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'aws:SourceArn'?", findings[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DesiredStateStrictValidation_ReportsTheMisspelledKeyAsALintFinding_AndTheMisspelledOperatorAsAnError()
    {
        string file = $$"""
            { "resources": [ { "resourceArn": "{{Fixtures.AliasArn}}", "statements": [
              { "statementId": "AllowConnect", "effect": "Allow", "principal": [ { "service": "connect.amazonaws.com" } ], "action": [ "lex:RecognizeText" ],
                "condition": { "StringEqualz": { "aws:SourceAccount": "123456789012" }, "ArnEquals": { "aws:SoruceArn": "{{Instance}}" } } } ] } ] }
            """;

        var problems = DesiredState.Parse(file).Validate(lint: true);

        Assert.Contains(problems, p => !p.IsLintFinding && p.Path == "$.resources[0].statements[0].condition[\"StringEqualz\"]" && p.Message.Contains("did you mean 'StringEquals'?", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.IsLintFinding && p.Path == "$.resources[0].statements[0].condition[\"ArnEquals\"][\"aws:SoruceArn\"]" && p.Message.StartsWith("UnknownConditionKey: ", StringComparison.Ordinal));
        Assert.Contains(problems, p => !p.IsLintFinding && p.Path == "$.resources[0].statements[0].condition" && p.Message.Contains("aws:SourceAccount and an aws:SourceArn", StringComparison.Ordinal));
    }
}
