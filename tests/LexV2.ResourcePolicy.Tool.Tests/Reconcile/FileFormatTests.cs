using LexV2.ResourcePolicy.Reconcile;

namespace LexV2.ResourcePolicy.Tool.Tests.Reconcile;

/// <summary>The desired-state and plan files: strict, with errors that name the file, the JSON path and the problem.</summary>
public class FileFormatTests
{
    private const string Arn = "arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID";

    internal const string IssueExample = $$"""
        {
          "resources": [
            {
              "resourceArn": "{{Arn}}",
              "prune": true,
              "statements": [
                { "statementId": "AllowConnect", "effect": "Allow",
                  "principal": [ { "service": "connect.amazonaws.com" } ],
                  "action": [ "lex:RecognizeText", "lex:StartConversation" ],
                  "condition": { "StringEquals": { "aws:SourceAccount": "123456789012" },
                                 "ArnEquals": { "aws:SourceArn": "arn:aws:connect:us-east-1:123456789012:instance/abc" } } }
              ]
            }
          ]
        }
        """;

    [Fact]
    public void Parse_TheIssuesExample_GivesTheRequestsAsTheApiNamesThem()
    {
        var state = DesiredState.Parse(IssueExample, "lex.json");

        var resource = Assert.Single(state.Resources);
        Assert.True(resource.Prune);
        var s = Assert.Single(resource.Statements);
        Assert.Equal((Arn, "AllowConnect", Effect.Allow), (s.ResourceArn, s.StatementId, s.Effect));
        Assert.Equal("connect.amazonaws.com", Assert.Single(s.Principal).Service);
        Assert.Equal("123456789012", s.Condition!["StringEquals"]["aws:SourceAccount"]);
        Assert.Empty(state.Validate(lint: true));
    }

    [Fact]
    public void ToJson_RoundTrips()
    {
        var state = DesiredState.Parse(IssueExample);

        var again = DesiredState.Parse(state.ToJson());

        Assert.Equal(state.Resources[0].Statements[0].StatementId, again.Resources[0].Statements[0].StatementId);
        Assert.Equal(state.Resources[0].Statements[0].Action, again.Resources[0].Statements[0].Action);
        Assert.Equal(state.Resources[0].Statements[0].Principal, again.Resources[0].Statements[0].Principal);
        Assert.Contains("\"statementId\": \"AllowConnect\"", state.ToJson(), StringComparison.Ordinal);
    }

    /// <summary>Reads <paramref name="original"/> with one edit made (which must change it) and returns the one problem reported.</summary>
    internal static (DesiredStateException Error, DesiredStateProblem Problem) SingleProblem(string original, string find, string replace)
    {
        string json = original.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(original, json);

        var e = Assert.Throws<DesiredStateException>(() => DesiredState.Parse(json, "lex.json"));
        return (e, Assert.Single(e.Problems));
    }

    [Theory]
    [InlineData("\"prune\": true,", "\"prune\": true, \"prunes\": 1,", "$.resources[0].prunes", "unknown member 'prunes'")]
    [InlineData("\"statementId\"", "\"StatementId\"", "$.resources[0].statements[0].StatementId", "did you mean 'statementId'?")]
    [InlineData("{ \"service\": \"connect.amazonaws.com\" }", "{ \"service\": \"connect.amazonaws.com\", \"aws\": \"x\" }", "$.resources[0].statements[0].principal[0].aws", "unknown member 'aws'")]
    [InlineData("\"effect\": \"Allow\"", "\"effect\": \"Permit\"", "$.resources[0].statements[0].effect", "expected \"Allow\" or \"Deny\"")]
    [InlineData("\"prune\": true", "\"prune\": \"yes\"", "$.resources[0].prune", "expected true or false")]
    [InlineData("\"action\": [ \"lex:RecognizeText\", \"lex:StartConversation\" ]", "\"action\": \"lex:RecognizeText\"", "$.resources[0].statements[0].action", "expected a list")]
    [InlineData("\"effect\": \"Allow\",", "", "$.resources[0].statements[0].effect", "is required")]
    [InlineData("\"prune\": true,", "\"prune\": true,,", "$.resources[0]", "invalid JSON")]
    public void Parse_BadInput_NamesTheFileThePathAndTheProblem(string find, string replace, string path, string problem)
    {
        var (e, p) = SingleProblem(IssueExample, find, replace);
        Assert.StartsWith(path, p.Path, StringComparison.Ordinal);
        Assert.Contains(problem, p.Message, StringComparison.Ordinal);
        Assert.StartsWith("lex.json: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LexV2.ResourcePolicy", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}", "$.resources")]
    [InlineData("{\"resources\":[null]}", "$.resources[0]")]
    [InlineData("{\"resources\":[{\"resourceArn\":\"" + Arn + "\"}]}", "$.resources[0]")]
    [InlineData("null", "$")]
    public void Parse_MissingOrNullParts_AreErrors(string json, string path)
    {
        var e = Assert.Throws<DesiredStateException>(() => DesiredState.Parse(json));
        Assert.StartsWith(path, Assert.Single(e.Problems).Path, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AcceptsASchemaReference()
    {
        var state = DesiredState.Parse("{\"$schema\":\"./lexpolicy-desired-state.schema.json\",\"resources\":[]}");
        Assert.Empty(state.Resources);
    }

    [Fact]
    public void ParsePlan_OtherFormatVersion_OrMalformedChange_IsRefusedWithPaths()
    {
        var e = Assert.Throws<DesiredStateException>(() => ReconcilePlan.Parse("{\"formatVersion\":1,\"resources\":[]}", "p.json"));
        Assert.Equal("$.formatVersion", Assert.Single(e.Problems).Path);

        e = Assert.Throws<DesiredStateException>(() => ReconcilePlan.Parse(PlanFiles.Seal(System.Text.Json.Nodes.JsonNode.Parse(
            "{\"formatVersion\":2,\"resources\":[{\"resourceArn\":\"" + Arn + "\",\"revisionId\":\"1\",\"policySha256\":\"ab\",\"changes\":[{\"change\":\"upsert\",\"statementId\":\"X\"},{\"change\":\"add\",\"statementId\":\"Y\"}]}]}")!.AsObject())));
        Assert.Equal(["$.resources[0].changes[0].change", "$.resources[0].changes[1].statement"], e.Problems.Select(p => p.Path));

        e = Assert.Throws<DesiredStateException>(() => ReconcilePlan.Parse("{\"formatVersion\":2,\"resources\":[],\"force\":true}"));
        Assert.Equal("$.force", Assert.Single(e.Problems).Path);
    }
}
