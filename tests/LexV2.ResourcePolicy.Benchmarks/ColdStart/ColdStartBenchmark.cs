using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using LexV2.ResourcePolicy.Benchmarks.FirstCall;
using LexV2.ResourcePolicy.Benchmarks.Socket;

namespace LexV2.ResourcePolicy.Benchmarks.ColdStart;

/// <summary>
/// Cold start (issue 16): process start to the first completed create+delete pair, one child process per run, against the
/// canned server (its own child process, warmed up first). Each round starts every client once, in turn; the table shows the
/// median of the rounds. The .NET children are tests/LexV2.ResourcePolicy.Benchmarks.FirstCall (a plain console app, JIT) in its modes; the
/// AWS SDK for JavaScript v3 runs <c>eng/interop/cold-start.mjs</c> when <c>eng/interop/node_modules</c> exists
/// (<c>(cd eng/interop &amp;&amp; npm install)</c>). Every child reports the moment its pair completed as a CLOCK_MONOTONIC
/// reading, the clock this process reads just before starting it, so pipe and exit latency are not counted.
/// With <c>--phases</c> it then runs the DI and direct clients with their steps timed and the JIT work in each, and prints
/// where the first call's time goes (medians over the same number of runs). With <c>--r2r</c> it also publishes the child with
/// <c>PublishReadyToRun=true</c> (what a consumer can do to precompile the library and its dependencies) and measures that too.
/// </summary>
public static class ColdStartBenchmark
{
    public static async Task RunAsync(int runs, bool phases, bool readyToRun = false)
    {
        if (!Stopwatch.IsHighResolution || !OperatingSystem.IsLinux())
        {
            Console.WriteLine("The cold-start benchmark compares CLOCK_MONOTONIC readings across processes: Linux only.");
            return;
        }

        using var server = ServerProcess.Start();
        using (var warm = BareWorkload.CreateBareClient(server.Endpoint))
        {
            for (int i = 0; i < 200; i++)
            {
                await BareWorkload.BarePairAsync(warm);
            }
        }

        string firstCall = Path.Combine(AppContext.BaseDirectory, "first-call", "LexV2.ResourcePolicy.Benchmarks.FirstCall.dll");
        string endpoint = server.Endpoint.ToString();
        var clients = new List<Client>
        {
            new("`dotnet` hello world (the same console app, returning at once)", ChildProcess.StartInfo(firstCall, ["hello"])),
            new("bare `HttpClient`, pre-built JSON (JIT)", ChildProcess.StartInfo(firstCall, ["bare", endpoint])),
            new("LexV2.ResourcePolicy, `new LexPolicyClient(options)` (JIT)", ChildProcess.StartInfo(firstCall, ["direct", endpoint])),
            new("LexV2.ResourcePolicy, DI client in a plain console app (JIT)", ChildProcess.StartInfo(firstCall, ["di", endpoint])),
        };
        if (readyToRun)
        {
            // The same child published as a consumer would ship it with PublishReadyToRun=true: the library and its dependencies
            // (AWSSDK.Core, Polly, Microsoft.Extensions.*) precompiled for this platform, JIT only for what R2R cannot hold.
            string r2r = await PublishReadyToRunAsync();
            clients.Add(new("LexV2.ResourcePolicy, `new LexPolicyClient(options)` (app published ReadyToRun)", ChildProcess.StartInfo(r2r, ["direct", endpoint])));
            clients.Add(new("LexV2.ResourcePolicy, DI client (app published ReadyToRun)", ChildProcess.StartInfo(r2r, ["di", endpoint])));
        }

        string? interop = FindInteropFolder();
        string? nodeSkipped = null;
        if (interop is not null && Directory.Exists(Path.Combine(interop, "node_modules", "@aws-sdk", "client-lex-models-v2")))
        {
            var node = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            node.ArgumentList.Add(Path.Combine(interop, "cold-start.mjs"));
            node.ArgumentList.Add(endpoint);
            clients.Add(new("AWS SDK for JavaScript v3 (node " + NodeVersion() + ")", node));
        }
        else
        {
            nodeSkipped = "AWS SDK for JavaScript v3: not measured, eng/interop/node_modules is absent (run `(cd eng/interop && npm install)`).";
        }

        Console.WriteLine($"Cold start: {runs} runs per client (after one unmeasured run each), against {server.Endpoint}.");
        foreach (var client in clients)
        {
            await RunChildAsync(client.Start); // fills the disk cache and catches a broken child before measuring
        }

        var times = clients.Select(_ => new List<double>()).ToArray();
        var jit = clients.Select(_ => new List<(double Ms, double Methods)>()).ToArray();
        for (int run = 0; run < runs; run++)
        {
            for (int c = 0; c < clients.Count; c++)
            {
                var child = await RunChildAsync(clients[c].Start, keepOutput: true);
                times[c].Add(child.Elapsed.TotalMilliseconds);
                if (child.Output.FirstOrDefault(l => l.StartsWith("jit-total ", StringComparison.Ordinal)) is { } line)
                {
                    string[] p = line.Split(' ');
                    jit[c].Add((double.Parse(p[1], CultureInfo.InvariantCulture), double.Parse(p[2], CultureInfo.InvariantCulture)));
                }
            }
        }

        var inv = CultureInfo.InvariantCulture;
        var table = new StringBuilder();
        table.AppendLine(inv, $"Process start to the first completed create+delete pair, median of {runs} runs (min–max); {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} cores.");
        table.AppendLine();
        table.AppendLine("| client | median ms | min–max ms | of which JIT ms (methods JIT'd) |");
        table.AppendLine("|---|---:|---:|---:|");
        for (int c = 0; c < clients.Count; c++)
        {
            string jitted = jit[c].Count == 0 ? "" : string.Create(inv, $"{Median(jit[c].Select(j => j.Ms)):F0} ({Median(jit[c].Select(j => j.Methods)):F0})");
            table.AppendLine(inv, $"| {clients[c].Name} | {Median(times[c]):F0} | {times[c].Min():F0}–{times[c].Max():F0} | {jitted} |");
        }

        table.AppendLine("| boto3 | not measured: PyPI is not reachable from this machine | | |");
        Console.WriteLine();
        Console.Write(table);
        if (nodeSkipped is not null)
        {
            Console.WriteLine(nodeSkipped);
        }

        if (phases)
        {
            Console.WriteLine();
            await PhasesAsync(firstCall, endpoint, runs);
        }
    }

    /// <summary>Runs the DI and direct children with <c>--phases</c> and prints the median of each step and the JIT by namespace.</summary>
    private static async Task PhasesAsync(string firstCall, string endpoint, int runs)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (string[] mode in new[] { ["di"], ["direct"], new[] { "direct", "--no-validation" }, ["bare"] })
        {
            var steps = new List<string>();
            var wall = new Dictionary<string, List<double>>();
            var jit = new Dictionary<string, List<double>>();
            var methods = new Dictionary<string, List<double>>();
            var assemblies = new Dictionary<string, double>();
            var jitByNamespace = new Dictionary<string, List<(double Ms, int Count)>>();
            var totals = new List<double>();
            var hostStart = new List<double>();
            for (int run = 0; run < runs; run++)
            {
                var child = await RunChildAsync(ChildProcess.StartInfo(firstCall, [mode[0], endpoint, "--phases", .. mode[1..]]), keepOutput: true);
                totals.Add(child.Elapsed.TotalMilliseconds);
                hostStart.Add(child.MainMilliseconds);
                foreach (string line in child.Output)
                {
                    string[] p = line.Split(' ', 6);
                    if (p[0] == "phase")
                    {
                        string name = p[5];
                        if (!wall.TryGetValue(name, out var stepWall))
                        {
                            stepWall = [];
                            steps.Add(name);
                            wall[name] = stepWall;
                            jit[name] = [];
                            methods[name] = [];
                        }

                        stepWall.Add(double.Parse(p[1], inv));
                        jit[name].Add(double.Parse(p[2], inv));
                        methods[name].Add(double.Parse(p[3], inv));
                        assemblies[name] = double.Parse(p[4], inv);
                    }
                    else if (p[0] == "jit")
                    {
                        string ns = string.Join(' ', p[3..]);
                        if (!jitByNamespace.TryGetValue(ns, out var list))
                        {
                            jitByNamespace[ns] = list = [];
                        }

                        list.Add((double.Parse(p[1], inv), int.Parse(p[2], inv)));
                    }
                }
            }

            Console.WriteLine(string.Create(inv, $"Where the first pair's time goes, `{string.Join(' ', mode)}` with --phases (median of {runs} runs; total {Median(totals):F0} ms, slower than above because JIT events are recorded):"));
            Console.WriteLine();
            Console.WriteLine("| step | ms | of which JIT ms | methods JIT'd | assemblies loaded after |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            Console.WriteLine(string.Create(inv, $"| process start → Main (host, runtime start) | {Median(hostStart):F1} | | | |"));
            foreach (string step in steps)
            {
                Console.WriteLine(string.Create(inv, $"| {step} | {Median(wall[step]):F1} | {Median(jit[step]):F1} | {Median(methods[step]):F0} | {assemblies[step]:F0} |"));
            }

            Console.WriteLine();
            Console.WriteLine("JIT time by namespace of the JIT'd method (median over runs; top 15):");
            Console.WriteLine();
            Console.WriteLine("| namespace | JIT ms | methods |");
            Console.WriteLine("|---|---:|---:|");
            foreach (var (ns, list) in jitByNamespace.OrderByDescending(e => Median(e.Value.Select(v => v.Ms))).Take(15))
            {
                Console.WriteLine(string.Create(inv, $"| {ns} | {Median(list.Select(v => v.Ms)):F1} | {Median(list.Select(v => (double)v.Count)):F0} |"));
            }

            Console.WriteLine();
        }
    }

    private static async Task<ChildResult> RunChildAsync(ProcessStartInfo start, bool keepOutput = false)
    {
        long started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var stderr = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            lines.Add(line);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        long? main = Timestamp(lines, "main ");
        long? done = Timestamp(lines, "done ");
        if (process.ExitCode != 0 || done is null || main is null)
        {
            throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} failed (exit {process.ExitCode}): {await stderr}{string.Join('\n', lines)}");
        }

        return new ChildResult(
            Stopwatch.GetElapsedTime(started, done.Value),
            Stopwatch.GetElapsedTime(started, main.Value).TotalMilliseconds,
            keepOutput ? lines : []);
    }

    private static long? Timestamp(List<string> lines, string prefix) =>
        lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line ? long.Parse(line[prefix.Length..], CultureInfo.InvariantCulture) : null;

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>
    /// Publishes the first-call app with <c>PublishReadyToRun=true</c> for this platform (framework-dependent) next to this program
    /// and returns the path of its entry assembly.
    /// </summary>
    private static async Task<string> PublishReadyToRunAsync()
    {
        string project = FindRepositoryFile(Path.Combine("tests", "LexV2.ResourcePolicy.Benchmarks.FirstCall", "LexV2.ResourcePolicy.Benchmarks.FirstCall.csproj"))
            ?? throw new InvalidOperationException("--r2r publishes tests/LexV2.ResourcePolicy.Benchmarks.FirstCall: run it from the repository.");
        string output = Path.Combine(AppContext.BaseDirectory, "first-call-r2r");
        var publish = new ProcessStartInfo(ChildProcess.DotnetHost) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in (string[])["publish", project, "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier, "--self-contained", "false", "-p:PublishReadyToRun=true", "-o", output])
        {
            publish.ArgumentList.Add(argument);
        }

        Console.WriteLine($"Publishing the first-call app ReadyToRun for {RuntimeInformation.RuntimeIdentifier} into {output} ...");
        using var process = Process.Start(publish) ?? throw new InvalidOperationException("could not start dotnet publish");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed (exit {process.ExitCode}): {await stdout}{await stderr}");
        }

        return Path.Combine(output, "LexV2.ResourcePolicy.Benchmarks.FirstCall.dll");
    }

    private static string? FindRepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>eng/interop of the repository this program was built from (walking up from its output folder).</summary>
    private static string? FindInteropFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "eng", "interop");
            if (File.Exists(Path.Combine(candidate, "cold-start.mjs")))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string NodeVersion()
    {
        try
        {
            using var node = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, UseShellExecute = false });
            string version = node!.StandardOutput.ReadToEnd().Trim();
            node.WaitForExit();
            return version;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }

    private sealed record Client(string Name, ProcessStartInfo Start);

    private sealed record ChildResult(TimeSpan Elapsed, double MainMilliseconds, List<string> Output);
}
