using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LexV2.ResourcePolicy.Testing.Tests.Docs;

/// <summary>
/// The READMEs cannot drift from the code: every C# snippet compiles (nullable on, warnings as errors) against the packages,
/// and every Lex ARN they show parses with the library's ARN types. This assembly sees only the public API, as a reader does.
/// </summary>
public partial class ReadmeTests
{
    /// <summary>Variables a snippet may use without declaring them, as the prose around it says ("a client", "your services").</summary>
    private static readonly (string Type, string Name)[] Ambient =
    [
        ("LexV2.ResourcePolicy.ILexPolicyClient", "client"),
        ("Microsoft.Extensions.DependencyInjection.IServiceCollection", "services"),
        ("Microsoft.Extensions.Configuration.IConfiguration", "configuration"),
        ("Amazon.Runtime.AWSCredentials", "credentials"),
        ("LexV2.ResourcePolicy.DescribeResourcePolicyResponse", "response"),
        ("LexV2.ResourcePolicy.Testing.LexPolicyEmulator", "emulator"),
    ];

    private static readonly string[] GlobalUsings =
    [
        "System", "System.Collections.Generic", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks",
        "Microsoft.Extensions.DependencyInjection", "LexV2.ResourcePolicy", "LexV2.ResourcePolicy.Testing",
    ];

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LexV2.ResourcePolicy.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (LexV2.ResourcePolicy.sln) is not above " + AppContext.BaseDirectory);
    }

    /// <summary>The repository README and every package's, relative to the repository root.</summary>
    private static IEnumerable<string> ReadmePaths()
    {
        string root = RepositoryRoot();
        return new[] { "README.md" }.Concat(Directory.GetFiles(Path.Combine(root, "src"), "README.md", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(root, p)))
            .Select(p => p.Replace('\\', '/')).Order(StringComparer.Ordinal);
    }

    public static TheoryData<string> Readmes() => [.. ReadmePaths()];

    /// <summary>The C# blocks of a markdown text, also those indented under a list item (their indentation removed).</summary>
    internal static IEnumerable<(int Line, string Code)> CSharpSnippets(string markdown)
    {
        string[] lines = markdown.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() == "```csharp")
            {
                int indent = lines[i].Length - lines[i].TrimStart().Length;
                int start = i + 1;
                int end = start;
                while (end < lines.Length && lines[end].Trim() != "```")
                {
                    end++;
                }

                yield return (start + 1, string.Join('\n', lines[start..end].Select(l => l.Length >= indent && string.IsNullOrWhiteSpace(l[..indent]) ? l[indent..] : l)));
                i = end;
            }
        }
    }

    /// <summary>The READMEs nuget.org shows: one per package.</summary>
    public static TheoryData<string> PackageReadmes() => [.. ReadmePaths().Where(r => r.StartsWith("src/", StringComparison.Ordinal))];

    /// <summary>What a project created by <c>dotnet new console</c> has in scope without a <c>using</c>: a reader starts from there.</summary>
    private static readonly string[] ImplicitUsings =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks",
    ];

    [Theory]
    [MemberData(nameof(PackageReadmes))]
    public void PackageReadme_StandsAlone_SnippetsCompileWithTheirOwnUsings_AndLinksAreAbsolute(string readme)
    {
        string text = File.ReadAllText(Path.Combine(RepositoryRoot(), readme));
        string package = Path.GetFileName(Path.GetDirectoryName(readme))!;

        var failures = new List<string>();
        foreach (var (line, code) in CSharpSnippets(text))
        {
            var errors = Compile(code, standAlone: true);
            if (errors.Count > 0)
            {
                failures.Add($"{readme}:{line}:\n  " + string.Join("\n  ", errors));
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // nuget.org shows the README alone: a relative link leads nowhere there.
        var relative = MarkdownLink().Matches(text).Select(m => m.Groups[1].Value).Where(target => !target.StartsWith("https://", StringComparison.Ordinal)).ToList();
        Assert.True(relative.Count == 0, readme + " links to " + string.Join(", ", relative) + ": links must be absolute https URLs.");
        Assert.Contains(package.EndsWith(".Tool", StringComparison.Ordinal) ? "dotnet tool install --global " + package : "dotnet add package " + package, text, StringComparison.Ordinal);
    }

    [Fact]
    public void TheStandAloneCheck_NeedsTheSnippetsOwnUsings_AndDeclarations()
    {
        // The defect this test exists for: the Testing README compiled only because this test supplied its namespace.
        Assert.Contains(Compile("var emulator = new LexPolicyEmulator();", standAlone: true), e => e.Contains("CS0246", StringComparison.Ordinal));
        Assert.Empty(Compile("using LexV2.ResourcePolicy.Testing;\nvar emulator = new LexPolicyEmulator();", standAlone: true));
        Assert.Contains(Compile("using LexV2.ResourcePolicy;\nawait client.RemoveStatementAsync(\"a\", \"b\");", standAlone: true), e => e.Contains("CS0103", StringComparison.Ordinal));
        Assert.Single(CSharpSnippets("- item\n\n  ```csharp\n  using System;\n  Console.WriteLine();\n  ```\n"), s => s.Code == "using System;\nConsole.WriteLine();");
    }

    [Theory]
    [MemberData(nameof(Readmes))]
    public void EveryCSharpSnippet_Compiles(string readme)
    {
        string text = File.ReadAllText(Path.Combine(RepositoryRoot(), readme));
        var snippets = CSharpSnippets(text).ToList();
        var failures = new List<string>();
        foreach (var (line, code) in snippets)
        {
            var errors = Compile(code);
            if (errors.Count > 0)
            {
                failures.Add($"{readme}:{line}:\n  " + string.Join("\n  ", errors));
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void TheCompileCheck_CatchesANullableMistake()
    {
        // The defect this test exists for: Policy is string?, so parsing it needs a check.
        Assert.Contains(Compile("var document = PolicyDocument.Parse(response.Policy);"), e => e.Contains("CS8604", StringComparison.Ordinal));
        Assert.Empty(Compile("if (response.Policy is { } policy) { var document = PolicyDocument.Parse(policy); }"));
        Assert.Contains(Compile("var x = new NoSuchType();"), e => e.Contains("CS0246", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Readmes))]
    public void EveryLexArn_ParsesWithTheLibrarysArnTypes(string readme)
    {
        string text = File.ReadAllText(Path.Combine(RepositoryRoot(), readme));
        var bad = new List<string>();
        int seen = 0;
        foreach (Match m in LexArn().Matches(text))
        {
            string arn = m.Value.TrimEnd('.', ',', ';', ':');
            if (arn.Contains('{', StringComparison.Ordinal) || arn.Contains("...", StringComparison.Ordinal))
            {
                continue; // a pattern in prose, e.g. arn:aws:lex:{region}:{account}:bot/{botId}
            }

            seen++;
            if (!LexResourceArn.TryParse(arn, out _, out string? error))
            {
                bad.Add(arn + " (" + error + ")");
            }
        }

        Assert.True(bad.Count == 0, readme + " shows ARNs the library rejects: " + string.Join(", ", bad));
        if (readme == "README.md")
        {
            Assert.True(seen > 0);
        }
    }

    /// <summary>
    /// Compiles a snippet as a program. By default with the usings and the ambient variables the repository README's prose
    /// assumes; <paramref name="standAlone"/>: as a reader would paste it into a new console project, with nothing but its own
    /// usings and declarations (a snippet of type declarations alone, such as a test class, needs no entry point).
    /// </summary>
    private static List<string> Compile(string snippet, bool standAlone = false)
    {
        var usings = new List<string>();
        var body = new List<string>();
        foreach (string line in snippet.Split('\n'))
        {
            (line.StartsWith("using ", StringComparison.Ordinal) && line.TrimEnd().EndsWith(';') && !line.Contains('(', StringComparison.Ordinal) && !line.Contains(" var ", StringComparison.Ordinal) ? usings : body).Add(line);
        }

        string code = string.Join('\n', body);
        string[] globalUsings = standAlone ? ImplicitUsings : GlobalUsings;
        var source = new System.Text.StringBuilder();
        foreach (string u in globalUsings)
        {
            source.Append("using ").Append(u).Append(";\n");
        }

        foreach (string u in usings.Where(u => !globalUsings.Any(g => u.Trim() == $"using {g};")))
        {
            source.Append(u).Append('\n');
        }

        foreach (var (type, name) in standAlone ? Array.Empty<(string Type, string Name)>() : Ambient)
        {
            if (!Regex.IsMatch(code, $@"(\bvar|\b[A-Z][\w.<>]*)\s+{name}\s*(=|;)"))
            {
                source.Append(type).Append(' ').Append(name).Append(" = default!;\n");
            }
        }

        source.Append("#line 1\n").Append(code).Append('\n');
        var tree = CSharpSyntaxTree.ParseText(source.ToString(), new CSharpParseOptions(LanguageVersion.Latest));
        var compilation = CSharpCompilation.Create(
            "ReadmeSnippet",
            [tree],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable, generalDiagnosticOption: ReportDiagnostic.Error)
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
                {
                    ["CS0219"] = ReportDiagnostic.Suppress, // a variable assigned to show a value but not used afterwards
                    ["CS8321"] = ReportDiagnostic.Suppress, // a local function shown for the reader to call
                    ["CS8019"] = ReportDiagnostic.Suppress, // an unnecessary using
                    ["CS1701"] = ReportDiagnostic.Suppress, // assembly version unification
                    ["CS1702"] = ReportDiagnostic.Suppress,
                }));
        return [.. compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && !(standAlone && d.Id == "CS5001")).Select(d => d.ToString())];
    }

    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).ToHashSet(StringComparer.Ordinal);
        foreach (string dll in Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
        {
            if (!paths.Any(p => Path.GetFileName(p) == Path.GetFileName(dll)))
            {
                paths.Add(dll);
            }
        }

        return [.. paths.Where(p => IsManaged(p)).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    });

    private static bool IsManaged(string path)
    {
        try
        {
            _ = AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"arn:aws[a-z-]*:lex:[^\s""'`)\]<>]+")]
    private static partial Regex LexArn();

    /// <summary>The target of a markdown link or image: <c>[text](target)</c>.</summary>
    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}
