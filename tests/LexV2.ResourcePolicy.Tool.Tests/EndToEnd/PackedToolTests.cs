using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;
using Amazon.Runtime;
using LexV2.ResourcePolicy.Testing;
using Xunit.Abstractions;
using static LexV2.ResourcePolicy.Tool.Tests.Commands.PlanApplyCommandTests;

namespace LexV2.ResourcePolicy.Tool.Tests.EndToEnd;

/// <summary>
/// The tool as a user gets it: packed (from the build this test run already made: <c>--no-build</c>, so no second build of
/// the same project races the test run), installed into a temporary <c>--tool-path</c> from a local folder only (a temporary
/// nuget.config maps the package id to that folder, and a private packages folder keeps the machine's cache out), then
/// <c>lexpolicy serve</c> and the plan/apply/drift/prune workflow over real HTTP across a bot and two aliases.
/// </summary>
public class PackedToolTests(ITestOutputHelper log)
{
    private const string PackageId = "LexV2.ResourcePolicy.Tool";

    [Fact]
    [Trait("Category", "EndToEnd")]
    public async Task PackedTool_InstalledFromALocalFolder_ServesAndRunsPlanApplyDriftPrune()
    {
        var clock = Stopwatch.StartNew();
        string temp = Directory.CreateTempSubdirectory("lexpolicy-e2e-").FullName;
        Process? server = null;
        try
        {
            string version = "0.0.0-e2e." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
            string packages = Path.Combine(temp, "pkgs");
            string tools = Path.Combine(temp, "tools");
            await Run(Dotnet, ["pack", ToolProject, "-c", Configuration, "--no-build", "-o", packages, "-p:PackageVersion=" + version, "-p:IncludeSymbols=false"], temp);
            // Without NativeToolPackages, `dotnet pack` makes one self-sufficient framework-dependent tool package.
            var settings = ToolSettings(Path.Combine(packages, $"{PackageId}.{version}.nupkg"), "tools/net10.0/any/DotnetToolSettings.xml");
            Assert.Equal("dotnet", settings.Descendants("Command").Single().Attribute("Runner")?.Value);
            Assert.Empty(settings.Descendants("RuntimeIdentifierPackage"));
            log.WriteLine($"packed in {clock.Elapsed.TotalSeconds:F1} s");

            string config = Path.Combine(temp, "nuget.config");
            File.WriteAllText(config, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{packages}" />
                  </packageSources>
                  <packageSourceMapping>
                    <packageSource key="local">
                      <package pattern="{PackageId}" />
                    </packageSource>
                  </packageSourceMapping>
                </configuration>
                """);
            // The local folder is the config's only source and the package id is mapped to it. (--add-source would be refused
            // here: NuGet does not combine it with package source mapping.)
            await Run(Dotnet, ["tool", "install", PackageId, "--version", version, "--tool-path", tools, "--configfile", config], temp);
            string lexpolicy = Path.Combine(tools, OperatingSystem.IsWindows() ? "lexpolicy.exe" : "lexpolicy");
            Assert.True(File.Exists(lexpolicy));
            Assert.NotEmpty(Directory.GetFiles(tools, "lexpolicy-desired-state.schema.json", SearchOption.AllDirectories));
            log.WriteLine($"installed in {clock.Elapsed.TotalSeconds:F1} s");

            server = Start(lexpolicy, ["serve", "--port", "0", "--parent-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)], temp);
            string? listening = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.NotNull(listening);
            Assert.Matches(@"^Listening on http://127\.0\.0\.1:\d+$", listening);
            string endpoint = listening["Listening on ".Length..];

            string desired = Path.Combine(temp, "lex.json");
            File.WriteAllText(desired, Desired());
            string prune = Path.Combine(temp, "prune.json");
            File.WriteAllText(prune, Desired(prune: true, empty: true));
            string plan = Path.Combine(temp, "plan.json");
            async Task<(int Code, string Out)> Tool(params string[] args) => await Run(lexpolicy, [.. args, "--endpoint-url", endpoint], temp, check: false);

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
                ServiceUrl = new Uri(endpoint),
                Region = "us-east-1",
                Credentials = new BasicAWSCredentials(LexPolicyEmulatorOptions.ExampleAccessKey, LexPolicyEmulatorOptions.ExampleSecretKey),
            }))
            {
                // Someone points the alias's Lambda grant at another function, outside the pipeline.
                await client.EnsureStatementAsync(LexGrant.LambdaFunction(BotAliasArn.Parse(Prod), "arn:aws:lambda:us-east-1:123456789012:function:hand-made", "AllowLambda"));

                var drift = await Tool("plan", "--file", desired, "--detailed-exitcode");
                Assert.True(drift.Code == 2, drift.Out);
                Assert.Contains("  ~ AllowLambda: ", drift.Out, StringComparison.Ordinal);
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
            log.WriteLine($"end to end in {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            if (server is { HasExited: false })
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }

            server?.Dispose();
            Directory.Delete(temp, recursive: true);
        }
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
            await Run(Dotnet, ["pack", ToolProject, "-c", Configuration, "--no-build", "-o", temp, "-p:NativeToolPackages=true", "-p:PackageVersion=" + version, "-p:IncludeSymbols=false"], temp);
            string package = Path.Combine(temp, $"{PackageId}.{version}.nupkg");

            var settings = ToolSettings(package, "tools/any/any/DotnetToolSettings.xml");
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

    private static XDocument ToolSettings(string package, string entry)
    {
        using var zip = ZipFile.OpenRead(package);
        var settings = zip.GetEntry(entry);
        Assert.True(settings is not null, $"{Path.GetFileName(package)} has no {entry}: " + string.Join(", ", zip.Entries.Select(e => e.FullName)));
        using var stream = settings.Open();
        return XDocument.Load(stream);
    }

    /// <summary>The configuration this test assembly was built in; the tool was built alongside it.</summary>
    private static string Configuration => typeof(PackedToolTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The dotnet root that runs this test (its runtime lives under <c>shared/Microsoft.NETCore.App/VERSION</c>).</summary>
    private static string DotnetRoot => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));

    private static string Dotnet => Path.Combine(DotnetRoot, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");

    private static string ToolProject
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "src", "LexV2.ResourcePolicy.Tool", "LexV2.ResourcePolicy.Tool.csproj");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException("The tool project was not found above " + AppContext.BaseDirectory);
        }
    }

    private static Process Start(string file, string[] args, string workingDirectory)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Only what a clean machine has: the example credentials the emulator accepts, a region, the dotnet root for the
        // tool's launcher, a private NuGet packages folder (so no cached package of the same version is used), no profile.
        start.Environment["AWS_ACCESS_KEY_ID"] = LexPolicyEmulatorOptions.ExampleAccessKey;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = LexPolicyEmulatorOptions.ExampleSecretKey;
        start.Environment["AWS_REGION"] = "us-east-1";
        start.Environment.Remove("AWS_PROFILE");
        start.Environment.Remove("AWS_SESSION_TOKEN");
        start.Environment["DOTNET_ROOT"] = DotnetRoot;
        start.Environment["NUGET_PACKAGES"] = Path.Combine(workingDirectory, "nuget-packages");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        return Process.Start(start)!;
    }

    private async Task<(int Code, string Out)> Run(string file, string[] args, string workingDirectory, bool check = true)
    {
        using var process = Start(file, args, workingDirectory);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(file)} {string.Join(' ', args)} did not finish in 120 s.");
        }

        string output = await stdout + await stderr;
        log.WriteLine($"$ {Path.GetFileName(file)} {string.Join(' ', args)} -> {process.ExitCode}\n{output}");
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} exited {process.ExitCode}:\n{output}");
        }

        return (process.ExitCode, output);
    }
}
