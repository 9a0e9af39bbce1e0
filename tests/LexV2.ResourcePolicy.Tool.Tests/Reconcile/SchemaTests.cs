using System.Text.Json;
using Json.Schema;
using LexV2.ResourcePolicy.Reconcile;

namespace LexV2.ResourcePolicy.Tool.Tests.Reconcile;

/// <summary>The shipped JSON Schema agrees with the parser: what one accepts the other accepts, what one rejects the other rejects.</summary>
public class SchemaTests
{
    internal static readonly JsonSchema Schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "lexpolicy-desired-state.schema.json")));

    internal static bool SchemaAccepts(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Schema.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.Flag }).IsValid;
    }

    internal static bool ParserAccepts(string json)
    {
        try
        {
            return DesiredState.Parse(json).Validate().Count == 0;
        }
        catch (DesiredStateException)
        {
            return false;
        }
    }

    [Fact]
    public void BothAccept_TheIssuesExample_AndTheCommandTestsFile_AndAnEmptyPrunedResource()
    {
        foreach (string json in new[]
        {
            FileFormatTests.IssueExample,
            Commands.PlanApplyCommandTests.Desired(),
            Commands.PlanApplyCommandTests.Desired(prune: true, empty: true),
        })
        {
            Assert.True(SchemaAccepts(json));
            Assert.True(ParserAccepts(json));
        }
    }

    [Theory]
    [InlineData("\"prune\": true,", "\"prune\": true, \"prunes\": 1,")]
    [InlineData("\"statementId\": \"AllowConnect\"", "\"StatementId\": \"AllowConnect\"")]
    [InlineData("{ \"service\": \"connect.amazonaws.com\" }", "{ \"service\": \"connect.amazonaws.com\", \"arn\": \"arn:aws:iam::123456789012:role/x\" }")]
    [InlineData("{ \"service\": \"connect.amazonaws.com\" }", "{ }")]
    [InlineData("\"effect\": \"Allow\"", "\"effect\": \"Permit\"")]
    [InlineData("\"lex:RecognizeText\",", "\"RecognizeText\",")]
    [InlineData("\"statementId\": \"AllowConnect\"", "\"statementId\": \"Allow Connect\"")]
    [InlineData("bot-alias/ABCDEFGHIJ/TSTALIASID", "bot-alias/ABCDEFGHIJ")]
    [InlineData("\"prune\": true,", "\"prune\": \"true\",")]
    [InlineData("\"principal\": [ { \"service\": \"connect.amazonaws.com\" } ],", "")]
    public void BothReject_BadFiles(string find, string replace)
    {
        string json = FileFormatTests.IssueExample.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(FileFormatTests.IssueExample, json);

        Assert.False(SchemaAccepts(json), "schema accepted: " + replace);
        Assert.False(ParserAccepts(json), "parser accepted: " + replace);
    }

    [Fact]
    public void EveryObjectInTheSchema_ForbidsUnknownMembers()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "lexpolicy-desired-state.schema.json")));
        var objects = new List<JsonElement> { doc.RootElement };
        objects.AddRange(doc.RootElement.GetProperty("$defs").EnumerateObject().Select(d => d.Value));

        Assert.All(objects.Where(o => o.GetProperty("type").GetString() == "object" && o.TryGetProperty("properties", out _)), o =>
            Assert.False(o.GetProperty("additionalProperties").GetBoolean()));
    }
}
