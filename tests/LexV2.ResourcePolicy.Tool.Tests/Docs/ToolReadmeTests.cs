using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;
using LexV2.ResourcePolicy.Reconcile;

namespace LexV2.ResourcePolicy.Tool.Tests.Docs;

/// <summary>
/// The tool's package README (what nuget.org shows) cannot drift from the tool: its desired-state example is accepted by the
/// shipped schema and by the parser, with no finding; every command it lists exists.
/// </summary>
public partial class ToolReadmeTests
{
    private static string Readme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LexV2.ResourcePolicy.sln")))
            {
                return File.ReadAllText(Path.Combine(dir.FullName, "src", "LexV2.ResourcePolicy.Tool", "README.md"));
            }
        }

        throw new InvalidOperationException("The repository root (LexV2.ResourcePolicy.sln) is not above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void DesiredStateExample_IsAcceptedByTheSchemaAndTheParser_WithoutFindings()
    {
        var schema = Reconcile.SchemaTests.Schema; // loaded once: the schema registers its $id process-wide
        var examples = JsonBlock().Matches(Readme()).Select(m => m.Groups[1].Value).Where(json => json.Contains("\"resources\"", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(examples);
        foreach (string json in examples)
        {
            using var document = JsonDocument.Parse(json);
            Assert.True(schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.Flag }).IsValid);
            Assert.Empty(DesiredState.Parse(json, "README.md").Validate(lint: true));
        }
    }

    [Fact]
    public void EveryCommandItLists_Exists()
    {
        var root = LexPolicyCli.Build(new ToolEnvironment { Out = TextWriter.Null, Error = TextWriter.Null });
        var listed = CommandRow().Matches(Readme()).Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.NotEmpty(listed);
        Assert.All(listed, name => Assert.Contains(root.Subcommands, c => c.Name == name));
    }

    [GeneratedRegex("```json\\n(.*?)\\n```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();

    /// <summary>The first word of each row of the commands table: <c>| `plan --file ...` |</c>.</summary>
    [GeneratedRegex(@"^\| `([a-z-]+)[ `]", RegexOptions.Multiline)]
    private static partial Regex CommandRow();
}
