using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Xml.Linq;
using LexV2.ResourcePolicy.Testing;
using Xunit.Abstractions;

namespace LexV2.ResourcePolicy.Tool.Tests.EndToEnd;

/// <summary>The end-to-end tests that share one installed tool and one <c>lexpolicy serve</c>.</summary>
[CollectionDefinition(Name)]
public sealed class InstalledToolGroup : ICollectionFixture<InstalledTool>
{
    public const string Name = "installed lexpolicy";
}

/// <summary>
/// The tool as a user gets it, once per test run: packed (from the build this test run already made: <c>--no-build</c>, so no
/// second build of the same project races the test run), installed into a temporary <c>--tool-path</c> from a local folder
/// only (a temporary nuget.config maps the package id to that folder, and a private packages folder keeps the machine's cache
/// out), and its own <c>lexpolicy serve</c> started. Tests run the installed program as a child process, as a shell or a CI
/// job does.
/// </summary>
public sealed class InstalledTool : IAsyncLifetime
{
    public const string PackageId = "LexV2.ResourcePolicy.Tool";

    private Process? _server;

    /// <summary>A temporary folder for this run's files (removed at the end).</summary>
    public string Temp { get; } = Directory.CreateTempSubdirectory("lexpolicy-e2e-").FullName;

    /// <summary>The installed <c>lexpolicy</c> program.</summary>
    public string Program { get; private set; } = null!;

    /// <summary>The package the tool was installed from.</summary>
    public string Package { get; private set; } = null!;

    /// <summary>The address <c>lexpolicy serve</c> listens on.</summary>
    public Uri Serve { get; private set; } = null!;

    /// <summary>What packing, installing and starting printed (a test may log it).</summary>
    public List<string> SetupLog { get; } = [];

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        string version = "0.0.0-e2e." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        string packages = Path.Combine(Temp, "pkgs");
        string tools = Path.Combine(Temp, "tools");
        await Setup(Dotnet, ["pack", ToolProject, "-c", Configuration, "--no-build", "-o", packages, "-p:PackageVersion=" + version, "-p:IncludeSymbols=false"]);
        Package = Path.Combine(packages, $"{PackageId}.{version}.nupkg");
        SetupLog.Add($"packed in {clock.Elapsed.TotalSeconds:F1} s");

        string config = Path.Combine(Temp, "nuget.config");
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
        await Setup(Dotnet, ["tool", "install", PackageId, "--version", version, "--tool-path", tools, "--configfile", config]);
        Program = Path.Combine(tools, OperatingSystem.IsWindows() ? "lexpolicy.exe" : "lexpolicy");
        SetupLog.Add($"installed in {clock.Elapsed.TotalSeconds:F1} s");

        // One serve for every test, resources of several regions among them: without AWS_REGION it accepts every region (a
        // request is still checked against its own credential scope's region).
        _server = Start(Program, ["serve", "--port", "0", "--parent-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)], Temp, new Dictionary<string, string?> { ["AWS_REGION"] = null });
        string? listening = await _server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (listening is null || !listening.StartsWith("Listening on http://127.0.0.1:", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("lexpolicy serve did not start: " + listening);
        }

        Serve = new Uri(listening["Listening on ".Length..]);
    }

    public async Task DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
        }

        _server?.Dispose();
        Directory.Delete(Temp, recursive: true);
    }

    /// <summary>A file in the run's temporary folder.</summary>
    public string File_(string name, string content)
    {
        string path = Path.Combine(Temp, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>What one run of the tool did: exit code, standard output and error, and when each output line arrived.</summary>
    public sealed record Result(int Code, string Out, string Err, TimeSpan Elapsed, IReadOnlyList<TimeSpan> OutLineTimes)
    {
        public override string ToString() => $"exit {Code} after {Elapsed.TotalSeconds:F1} s\n--- stdout\n{Out}--- stderr\n{Err}";
    }

    /// <summary>Runs the installed tool to its end (at most <paramref name="timeout"/>), logging what it printed.</summary>
    public async Task<Result> RunAsync(ITestOutputHelper log, string[] args, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null, Func<RunningTool, Task>? during = null)
    {
        using var running = RunningTool.Start(this, args, environment);
        if (during is not null)
        {
            await during(running);
        }

        var result = await running.WaitAsync(timeout ?? TimeSpan.FromSeconds(180));
        log.WriteLine($"$ lexpolicy {string.Join(' ', args)}\n{result}");
        return result;
    }

    /// <summary>The installed tool, running: its output as it comes, and signals.</summary>
    public sealed class RunningTool : IDisposable
    {
        private readonly Process _process;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly System.Text.StringBuilder _out = new();
        private readonly System.Text.StringBuilder _err = new();
        private readonly List<TimeSpan> _outTimes = [];
        private readonly TaskCompletionSource _outDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _errDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private RunningTool(Process process)
        {
            _process = process;
        }

        /// <summary>Standard output lines so far.</summary>
        public int OutLines
        {
            get
            {
                lock (_out)
                {
                    return _outTimes.Count;
                }
            }
        }

        public static RunningTool Start(InstalledTool tool, string[] args, IReadOnlyDictionary<string, string?>? environment)
        {
            // A test run started in the background by a non-interactive shell (cmd &) has SIGINT ignored, the child inherits
            // that, and .NET then leaves SIGINT ignored, as a background job should: Ctrl+C is not for it. The tool is started
            // as a terminal's foreground job is, with SIGINT at its default (GNU env), so that it can be interrupted.
            var process = SigIntIgnored()
                ? InstalledTool.Start("env", ["--default-signal=INT", tool.Program, .. args], tool.Temp, environment, redirectInput: false, begin: false)
                : InstalledTool.Start(tool.Program, args, tool.Temp, environment, redirectInput: false, begin: false);
            var running = new RunningTool(process);
            process.OutputDataReceived += (_, e) => running.Receive(e.Data, running._out, running._outDone, running._outTimes);
            process.ErrorDataReceived += (_, e) => running.Receive(e.Data, running._err, running._errDone, null);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return running;
        }

        /// <summary>One line of output (<see langword="null"/>: the stream ended), with its arrival time when <paramref name="times"/> is given.</summary>
        private void Receive(string? line, System.Text.StringBuilder into, TaskCompletionSource done, List<TimeSpan>? times)
        {
            if (line is null)
            {
                done.TrySetResult();
                return;
            }

            lock (_out)
            {
                into.Append(line).Append('\n');
                times?.Add(_clock.Elapsed);
            }
        }

        /// <summary>Waits until standard output has <paramref name="lines"/> lines.</summary>
        public Task WaitForLinesAsync(int lines, TimeSpan timeout) =>
            WaitUntilAsync(() => OutLines >= lines, () => $"lexpolicy printed {OutLines} line(s), not {lines}", timeout);

        /// <summary>Waits until <paramref name="condition"/> holds; the tool's exit or the timeout first is an exception saying <paramref name="what"/>.</summary>
        public async Task WaitUntilAsync(Func<bool> condition, Func<string> what, TimeSpan timeout)
        {
            var deadline = Stopwatch.StartNew();
            while (!condition())
            {
                if (deadline.Elapsed > timeout || _process.HasExited)
                {
                    string how = _process.HasExited ? "before it exited" : $"in {timeout.TotalSeconds} s";
                    lock (_out)
                    {
                        throw new TimeoutException($"{what()} {how}:\n{_out}{_err}");
                    }
                }

                await Task.Delay(20);
            }
        }

        /// <summary>Whether this process has SIGINT ignored (Linux: the <c>SigIgn</c> mask of /proc/self/status, bit 1 for signal 2).</summary>
        private static bool SigIntIgnored() =>
            File.Exists("/proc/self/status")
            && File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) is { } line
            && (ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 0x2) != 0;

        /// <summary>Sends a signal to the tool (<c>INT</c>, <c>TERM</c>), as Ctrl+C or a CI runner's cancel does, with kill(1).</summary>
        public void Signal(string signal)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
            kill.WaitForExit();
            if (kill.ExitCode != 0)
            {
                throw new InvalidOperationException($"kill -{signal} {_process.Id} exited {kill.ExitCode}");
            }
        }

        public async Task<Result> WaitAsync(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cancel.Token);
                await Task.WhenAll(_outDone.Task, _errDone.Task).WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                throw new TimeoutException($"lexpolicy did not finish in {timeout.TotalSeconds} s:\n{_out}{_err}");
            }

            lock (_out)
            {
                return new Result(_process.ExitCode, _out.ToString(), _err.ToString(), _clock.Elapsed, [.. _outTimes]);
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }
    }

    /// <summary>The configuration this test assembly was built in; the tool was built alongside it.</summary>
    internal static string Configuration => typeof(InstalledTool).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The dotnet root that runs this test (its runtime lives under <c>shared/Microsoft.NETCore.App/VERSION</c>).</summary>
    internal static string DotnetRoot => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));

    internal static string Dotnet => Path.Combine(DotnetRoot, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");

    internal static string ToolProject
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

    /// <summary>
    /// Starts a program with only what a clean machine has: the example credentials the emulator accepts, a region, the dotnet
    /// root for the tool's launcher, a private NuGet packages folder (so no cached package of the same version is used), no
    /// profile; then <paramref name="environment"/> on top (a <see langword="null"/> value removes a variable).
    /// </summary>
    internal static Process Start(string file, string[] args, string workingDirectory, IReadOnlyDictionary<string, string?>? environment = null, bool redirectInput = false, bool begin = true)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = LexPolicyEmulatorOptions.ExampleAccessKey;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = LexPolicyEmulatorOptions.ExampleSecretKey;
        start.Environment["AWS_REGION"] = "us-east-1";
        foreach (string name in new[] { "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION", "NO_COLOR" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_ROOT"] = DotnetRoot;
        start.Environment["NUGET_PACKAGES"] = Path.Combine(workingDirectory, "nuget-packages");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        if (!begin)
        {
            return new Process { StartInfo = start };
        }

        return Process.Start(start)!;
    }

    internal static XDocument ToolSettings(string package, string entry)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(package);
        var settings = zip.GetEntry(entry) ?? throw new InvalidOperationException($"{Path.GetFileName(package)} has no {entry}: " + string.Join(", ", zip.Entries.Select(e => e.FullName)));
        using var stream = settings.Open();
        return XDocument.Load(stream);
    }

    private async Task Setup(string file, string[] args) => await RunToEndAsync(file, args, Temp, SetupLog.Add, TimeSpan.FromSeconds(300));

    /// <summary>Runs a program to its end and returns its exit code and output; a non-zero exit is an exception.</summary>
    internal static async Task<(int Code, string Output)> RunToEndAsync(string file, string[] args, string workingDirectory, Action<string> log, TimeSpan timeout)
    {
        using var process = Start(file, args, workingDirectory);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(file)} {string.Join(' ', args)} did not finish in {timeout.TotalSeconds} s.");
        }

        string output = await stdout + await stderr;
        log($"$ {Path.GetFileName(file)} {string.Join(' ', args)} -> {process.ExitCode}\n{output}");
        return process.ExitCode == 0
            ? (process.ExitCode, output)
            : throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} exited {process.ExitCode}:\n{output}");
    }
}
