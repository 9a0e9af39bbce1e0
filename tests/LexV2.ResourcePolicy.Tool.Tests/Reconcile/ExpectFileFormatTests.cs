using LexV2.ResourcePolicy.Reconcile;

namespace LexV2.ResourcePolicy.Tool.Tests.Reconcile;

/// <summary>The <c>expect</c> member of the desired-state file: what the parser and the JSON Schema accept and refuse.</summary>
[Trait("Issue", "23")]
public class ExpectFileFormatTests
{
    private const string Arn = "arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID";

    /// <summary>The example: Connect instance abc must reach the alias; a partner outside the organisation may not.</summary>
    internal const string WithExpectations = $$"""
        {
          "resources": [
            {
              "resourceArn": "{{Arn}}",
              "statements": [
                { "statementId": "AllowConnect", "effect": "Allow",
                  "principal": [ { "service": "connect.amazonaws.com" } ],
                  "action": [ "lex:RecognizeText", "lex:StartConversation" ],
                  "condition": { "StringEquals": { "aws:SourceAccount": "123456789012" },
                                 "ArnEquals": { "aws:SourceArn": "arn:aws:connect:us-east-1:123456789012:instance/abc" } } }
              ],
              "expect": [
                { "description": "Connect instance abc reaches the alias",
                  "principal": "connect.amazonaws.com", "action": "lex:StartConversation",
                  "context": { "aws:SourceArn": "arn:aws:connect:us-east-1:123456789012:instance/abc", "aws:SourceAccount": "123456789012" },
                  "decision": "allow" },
                { "principal": "arn:aws:sts::210987654321:assumed-role/partner/s1", "action": "lex:RecognizeText",
                  "context": { "aws:PrincipalOrgID": "o-other", "aws:PrincipalTag/team": [ "a", "b" ] },
                  "identityPolicies": [ { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "lex:*", "Resource": "*" } ] } ],
                  "decision": "deny" }
              ]
            }
          ]
        }
        """;

    [Fact]
    public void Parse_ReadsEveryMemberOfAnExpectation()
    {
        var resource = Assert.Single(DesiredState.Parse(WithExpectations, "lex.json").Resources);

        Assert.Equal(2, resource.Expect.Count);
        var connect = resource.Expect[0];
        Assert.Equal(("connect.amazonaws.com", "lex:StartConversation", ExpectedAccess.Allow), (connect.Principal, connect.Action, connect.Decision));
        Assert.Equal("Connect instance abc reaches the alias", connect.Description);
        Assert.Equal(["123456789012"], connect.Context["aws:SourceAccount"]);
        var partner = resource.Expect[1];
        Assert.Equal(["a", "b"], partner.Context["aws:PrincipalTag/team"]);
        Assert.Equal(Effect.Allow, Assert.Single(Assert.Single(partner.IdentityPolicies).Statement).Effect);
        Assert.Equal(ExpectedAccess.Deny, partner.Decision);
        Assert.Empty(DesiredState.Parse(WithExpectations).Validate(lint: true));
    }

    [Fact]
    public void ToJson_RoundTripsExpectations()
    {
        var state = DesiredState.Parse(WithExpectations);
        var again = DesiredState.Parse(state.ToJson());

        Assert.Equal(state.Resources[0].Expect.Select(e => e.ToString()), again.Resources[0].Expect.Select(e => e.ToString()));
        Assert.Equal(["a", "b"], again.Resources[0].Expect[1].Context["aws:PrincipalTag/team"]);
        Assert.Equal(state.Resources[0].Expect[1].IdentityPolicies[0], again.Resources[0].Expect[1].IdentityPolicies[0]);
        Assert.Contains("\"decision\": \"explicitDeny\"", (state with { Resources = [state.Resources[0] with { Expect = [state.Resources[0].Expect[0] with { Decision = ExpectedAccess.ExplicitDeny }] }] }).ToJson(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"decision\": \"allow\"", "\"decision\": \"Allow\"", "$.resources[0].expect[0].decision", "must be \"allow\", \"deny\" or \"explicitDeny\" (was \"Allow\")")]
    [InlineData("\"decision\": \"allow\"", "\"decision\": \"allow\", \"decisions\": 1", "$.resources[0].expect[0].decisions", "unknown member 'decisions'")]
    [InlineData("instance/abc\", \"aws:SourceAccount\": \"123456789012\" }", "instance/abc\", \"aws:SourceAccount\": 123456789012 }", "$.resources[0].expect[0].context.aws:SourceAccount", "wrong type of value: expected a string, or a list of strings for a multivalued key")]
    [InlineData("\"context\": { \"aws:PrincipalOrgID\"", "\"context\": [ ], \"x\": { \"aws:PrincipalOrgID\"", "$.resources[0].expect[1].context", "expected an object of condition keys, each a string or a list of strings")]
    [InlineData("\"action\": \"lex:StartConversation\",", "", "$.resources[0].expect[0].action", "is required")]
    [InlineData("\"Effect\": \"Allow\", \"Action\": \"lex:*\"", "\"Effect\": \"Permit\", \"Action\": \"lex:*\"", "$.resources[0].expect[1].identityPolicies[0].Statement[0].Effect", "is not an IAM policy: must be Allow or Deny")]
    public void Parse_RefusesAMalformedExpectation_NamingItsPath(string find, string replace, string path, string message)
    {
        var (_, problem) = FileFormatTests.SingleProblem(WithExpectations, find, replace);
        Assert.Equal(path, problem.Path);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SchemaAndParser_BothAcceptExpectations()
    {
        Assert.True(SchemaTests.SchemaAccepts(WithExpectations));
        Assert.True(SchemaTests.ParserAccepts(WithExpectations));
    }

    [Theory]
    [InlineData("\"decision\": \"allow\"", "\"decision\": \"permit\"")]
    [InlineData("\"decision\": \"allow\"", "\"decision\": \"allow\", \"note\": \"x\"")]
    [InlineData("\"action\": \"lex:StartConversation\",", "\"action\": \"lex:Start*\",")]
    [InlineData("\"action\": \"lex:StartConversation\",", "")]
    [InlineData("instance/abc\", \"aws:SourceAccount\": \"123456789012\" }", "instance/abc\", \"aws:SourceAccount\": 123456789012 }")]
    [InlineData("\"aws:PrincipalTag/team\": [ \"a\", \"b\" ]", "\"aws:PrincipalTag/team\": [ \"a\", 2 ]")]
    public void SchemaAndParser_BothRejectMalformedExpectations(string find, string replace)
    {
        string json = WithExpectations.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(WithExpectations, json);
        Assert.False(SchemaTests.SchemaAccepts(json), "schema accepted: " + replace);
        Assert.False(SchemaTests.ParserAccepts(json), "parser accepted: " + replace);
    }
}
