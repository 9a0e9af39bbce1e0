using System.Globalization;
using System.IO.Compression;
using Amazon.Runtime;
using LexV2.ResourcePolicy.Testing;
using Xunit.Abstractions;
using static LexV2.ResourcePolicy.Tool.Tests.Commands.PlanApplyCommandTests;

namespace LexV2.ResourcePolicy.Tool.Tests.EndToEnd;

/// <summary>
/// The tool as a user gets it (<see cref="InstalledTool"/>: packed, installed from a local folder, its own
/// <c>lexpolicy serve</c>): the plan/apply/drift/prune workflow over real HTTP across a bot and two aliases.
/// </summary>
[Collection(InstalledToolGroup.Name)]
public class PackedToolTests(InstalledTool tool, ITestOutputHelper log)
{
    private const string PackageId = InstalledTool.PackageId;

    [Fact]
    [Trait("Category", "EndToEnd")]
    public async Task PackedTool_InstalledFromALocalFolder_ServesAndRunsPlanApplyDriftPrune()
    {
        foreach (string line in tool.SetupLog)
        {
            log.WriteLine(line);
        }

        // Without NativeToolPackages, `dotnet pack` makes one self-sufficient framework-dependent tool package.
        var settings = InstalledTool.ToolSettings(tool.Package, "tools/net10.0/any/DotnetToolSettings.xml");
        Assert.Equal("dotnet", settings.Descendants("Command").Single().Attribute("Runner")?.Value);
        Assert.Empty(settings.Descendants("RuntimeIdentifierPackage"));
        Assert.True(File.Exists(tool.Program));
        Assert.NotEmpty(Directory.GetFiles(Path.GetDirectoryName(tool.Program)!, "lexpolicy-desired-state.schema.json", SearchOption.AllDirectories));

        string endpoint = tool.Serve.ToString().TrimEnd('/');
        string desired = tool.File_("lex.json", Desired());
        string prune = tool.File_("prune.json", Desired(prune: true, empty: true));
        string plan = Path.Combine(tool.Temp, "plan.json");
        async Task<(int Code, string Out)> Tool(params string[] args)
        {
            var run = await tool.RunAsync(log, [.. args, "--endpoint-url", endpoint]);
            return (run.Code, run.Out + run.Err);
        }

        var first = await Tool("plan", "--file", desired, "--out", plan, "--detailed-exitcode");
        Assert.True(first.Code == 2, first.Out);
        Assert.Contains("Plan: 3 to add, 0 to replace, 0 to remove, 0 unchanged (3 resources)", first.Out, StringComparison.Ordinal);

        var applied = await Tool("apply", plan);
        Assert.True(applied.Code == 0, applied.Out);
        Assert.Contains("Apply: 3 applied", applied.Out, StringComparison.Ordinal);

        var clean = await Tool("plan", "--file", desired, "--detailed-exitcode");
        Assert.True(clean.Code == 0, clean.Out);

        using (var client = new LexPolicyClient(new LexPolicyClientOptions
        {
            ServiceUrl = tool.Serve,
            Region = "us-east-1",
            Credentials = new BasicAWSCredentials(LexPolicyEmulatorOptions.ExampleAccessKey, LexPolicyEmulatorOptions.ExampleSecretKey),
        }))
        {
            // Someone points the alias's Lambda grant at another function, outside the pipeline.
            await client.EnsureStatementAsync(LexGrant.LambdaFunction(BotAliasArn.Parse(Prod), "arn:aws:lambda:us-east-1:123456789012:function:hand-made", "AllowLambda"));

            var drift = await Tool("plan", "--file", desired, "--detailed-exitcode");
            Assert.True(drift.Code == 2, drift.Out);
            Assert.Contains("  ~ AllowLambda\n", drift.Out, StringComparison.Ordinal);
            Assert.Contains("Plan: 0 to add, 1 to replace, 0 to remove, 2 unchanged (3 resources)", drift.Out, StringComparison.Ordinal);
        }

        var pruned = await Tool("apply", "--file", prune, "--auto-approve");
        Assert.True(pruned.Code == 0, pruned.Out);
        Assert.Contains("Apply: 3 applied", pruned.Out, StringComparison.Ordinal);

        foreach (string arn in new[] { Bot, Alias, Prod })
        {
            var shown = await Tool("show", arn);
            Assert.Equal((0, $"{arn}: no resource policy.\n"), shown);
        }

        var done = await Tool("plan", "--file", prune, "--detailed-exitcode");
        Assert.True(done.Code == 0, done.Out);
    }

    /// <summary>
    /// The release's pointer package (eng/pack-tool.sh makes it with the packages it names): packing it needs no build and no
    /// clang, so CI checks that it names exactly the NativeAOT linux-x64 package, the framework-dependent linux-musl-x64 one
    /// (the CLI's RID graph counts musl as linux-x64, so Alpine would otherwise get the glibc program) and the
    /// framework-dependent <c>any</c> fallback, and carries no program of its own.
    /// </summary>
    [Fact]
    [Trait("Category", "EndToEnd")]
    public async Task ReleasePointerPackage_NamesTheNativeLinuxMuslAndAnyPackages_AndHoldsNoProgram()
    {
        string temp = Directory.CreateTempSubdirectory("lexpolicy-pointer-").FullName;
        try
        {
            string version = "0.0.0-pointer." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
            await InstalledTool.RunToEndAsync(InstalledTool.Dotnet, ["pack", InstalledTool.ToolProject, "-c", InstalledTool.Configuration, "--no-build", "-o", temp, "-p:NativeToolPackages=true", "-p:PackageVersion=" + version, "-p:IncludeSymbols=false"], temp, log.WriteLine, TimeSpan.FromSeconds(300));
            string package = Path.Combine(temp, $"{PackageId}.{version}.nupkg");

            var settings = InstalledTool.ToolSettings(package, "tools/any/any/DotnetToolSettings.xml");
            Assert.Equal("lexpolicy", settings.Descendants("Command").Single().Attribute("Name")?.Value);
            var rids = settings.Descendants("RuntimeIdentifierPackage")
                .Select(p => (Rid: p.Attribute("RuntimeIdentifier")?.Value, Id: p.Attribute("Id")?.Value))
                .ToArray();
            Assert.Equal([("linux-x64", $"{PackageId}.linux-x64"), ("linux-musl-x64", $"{PackageId}.linux-musl-x64"), ("any", $"{PackageId}.any")], rids);

            using var zip = ZipFile.OpenRead(package);
            string[] tools = [.. zip.Entries.Select(e => e.FullName).Where(n => n.StartsWith("tools/", StringComparison.Ordinal))];
            Assert.Equal(["tools/any/any/DotnetToolSettings.xml"], tools);
            string nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open()).ReadToEnd();
            Assert.Contains("<packageType name=\"DotnetTool\" />", nuspec, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }
}
