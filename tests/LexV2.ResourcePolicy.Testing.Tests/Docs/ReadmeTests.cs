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

    public static TheoryData<string> Readmes()
    {
        string root = RepositoryRoot();
        var data = new TheoryData<string>();
        foreach (string path in new[] { "README.md" }.Concat(Directory.GetFiles(Path.Combine(root, "src"), "README.md", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(root, p))).Order(StringComparer.Ordinal))
        {
            data.Add(path.Replace('\\', '/'));
        }

        return data;
    }

    internal static IEnumerable<(int Line, string Code)> CSharpSnippets(string markdown)
    {
        string[] lines = markdown.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimEnd() == "```csharp")
            {
                int start = i + 1;
                int end = start;
                while (end < lines.Length && lines[end].TrimEnd() != "```")
                {
                    end++;
                }

                yield return (start + 1, string.Join('\n', lines[start..end]));
                i = end;
            }
        }
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

    private static List<string> Compile(string snippet)
    {
        var usings = new List<string>();
        var body = new List<string>();
        foreach (string line in snippet.Split('\n'))
        {
            (line.StartsWith("using ", StringComparison.Ordinal) && line.TrimEnd().EndsWith(';') && !line.Contains('(', StringComparison.Ordinal) && !line.Contains(" var ", StringComparison.Ordinal) ? usings : body).Add(line);
        }

        string code = string.Join('\n', body);
        var source = new System.Text.StringBuilder();
        foreach (string u in GlobalUsings)
        {
            source.Append("using ").Append(u).Append(";\n");
        }

        foreach (string u in usings.Where(u => !GlobalUsings.Any(g => u.Trim() == $"using {g};")))
        {
            source.Append(u).Append('\n');
        }

        foreach (var (type, name) in Ambient)
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
                    ["CS8019"] = ReportDiagnostic.Suppress, // an unnecessary using
                    ["CS1701"] = ReportDiagnostic.Suppress, // assembly version unification
                    ["CS1702"] = ReportDiagnostic.Suppress,
                }));
        return [.. compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString())];
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
}
