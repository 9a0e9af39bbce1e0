using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using LexV2.ResourcePolicy.Benchmarks.FirstCall;
using Microsoft.Extensions.DependencyInjection;

namespace LexV2.ResourcePolicy.Benchmarks.Socket;

/// <summary>
/// Per-call cost on a real loopback socket (issue 16): the same sequential create+delete statement pairs, side by side in one
/// run, from a bare <see cref="HttpClient"/> (pre-built JSON, fixed headers, no signing), the same bare client signing each
/// request with AWSSDK.Core's signer (<see cref="SignedBareWorkload"/>: the part of the cost no Lex client can avoid), the library's client built directly
/// and the client from dependency injection, against <see cref="CannedLexServer"/> in a child process, so the counters are the
/// client process's own. Warm-up passes (every client in turn) run until tiered compilation has settled; then, round after
/// round, each client in turn sends the measured pairs and the process's counters are read around them; the table shows the
/// median of the rounds per client, per call (a pair is two calls), and each client's ratio to the bare client.
/// </summary>
public static class SocketBenchmark
{
    /// <summary>The name <c>--filter</c> patterns are matched against.</summary>
    public const string Name = "LexV2.ResourcePolicy.Benchmarks.Socket.SocketBenchmark.CreateDeletePair";

    public static async Task RunAsync(int pairs, int warmupPairs, int rounds)
    {
        using var server = ServerProcess.Start();
        var endpoint = server.Endpoint;

        using var bare = BareWorkload.CreateBareClient(endpoint);
        using var signed = BareWorkload.CreateBareClient(endpoint);
        using var direct = new LexPolicyClient(Workload.Options(endpoint));
        var services = new ServiceCollection();
        services.AddLexPolicyClient(o =>
        {
            o.Region = Workload.Region;
            o.ServiceUrl = endpoint;
            o.Credentials = Workload.Credentials;
        });
        using var provider = services.BuildServiceProvider();
        var injected = provider.GetRequiredService<ILexPolicyClient>();

        (string Name, Func<Task> Pair)[] clients =
        [
            ("bare `HttpClient` (SocketsHttpHandler, pre-built JSON, fixed headers)", () => BareWorkload.BarePairAsync(bare)),
            ("bare `HttpClient` + AWSSDK.Core SigV4 per request", () => SignedBareWorkload.SignedPairAsync(signed)),
            ("`new LexPolicyClient(options)`", () => Workload.PairAsync(direct)),
            ("DI client (`services.AddLexPolicyClient(...)`)", () => Workload.PairAsync(injected)),
        ];

        Console.WriteLine($"Socket benchmark: {clients.Length} clients, warm-up passes of {warmupPairs} pairs each until a pass JITs next to nothing, then {rounds} rounds of {pairs} pairs each, against {endpoint} (server pid {server.ProcessId}).");

        // Tiered compilation recompiles hot methods on a background thread of this process some time after they got hot: warm
        // up until a whole pass compiles (next to) nothing, or that CPU would land in the first measured rounds. A few methods
        // keep trickling in (timers, the thread pool's own), so "next to nothing" is under 10.
        for (int pass = 1; ; pass++)
        {
            long jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
            foreach (var (_, pair) in clients)
            {
                await MeasureAsync(pair, warmupPairs); // the measuring code warms up too
            }

            await Task.Delay(TimeSpan.FromMilliseconds(300));
            jitted = System.Runtime.JitInfo.GetCompiledMethodCount() - jitted;
            Console.WriteLine($"warm-up pass {pass}: {jitted} methods JIT'd");
            if ((pass >= 3 && jitted < 10) || pass == 10)
            {
                break;
            }
        }

        var results = clients.Select(_ => new List<PerCall>()).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            for (int c = 0; c < clients.Length; c++)
            {
                results[c].Add(await MeasureAsync(clients[c].Pair, pairs));
            }

            Console.WriteLine($"round {round + 1}/{rounds}: CPU µs/call " + string.Join(", ", clients.Select((x, c) => $"{results[c][^1].CpuMicroseconds:F1}")) +
                $"; methods JIT'd while measuring: " + string.Join(", ", clients.Select((x, c) => results[c][^1].Jitted)));
        }

        Console.WriteLine();
        Console.WriteLine(Table(clients.Select(c => c.Name).ToArray(), results.Select(Median).ToArray(), pairs, rounds));
    }

    private static async Task<PerCall> MeasureAsync(Func<Task> pair, int pairs)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        var before = ProcessCounters.Now();
        for (int i = 0; i < pairs; i++)
        {
            await pair();
        }

        var delta = ProcessCounters.Now() - before;
        var wall = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        double calls = pairs * 2.0;
        return new PerCall(
            delta.Cpu.TotalMicroseconds / calls,
            delta.AllocatedBytes / calls,
            delta.WorkItems / calls,
            delta.VoluntarySwitches < 0 ? double.NaN : delta.VoluntarySwitches / calls,
            delta.InvoluntarySwitches < 0 ? double.NaN : delta.InvoluntarySwitches / calls,
            wall.TotalMicroseconds / calls,
            System.Runtime.JitInfo.GetCompiledMethodCount() - jitted);
    }

    private static PerCall Median(List<PerCall> rounds)
    {
        static double M(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }

        return new PerCall(
            M(rounds.Select(r => r.CpuMicroseconds)),
            M(rounds.Select(r => r.Bytes)),
            M(rounds.Select(r => r.WorkItems)),
            M(rounds.Select(r => r.VoluntarySwitches)),
            M(rounds.Select(r => r.InvoluntarySwitches)),
            M(rounds.Select(r => r.WallMicroseconds)),
            rounds.Sum(r => r.Jitted));
    }

    private static string Table(string[] names, PerCall[] medians, int pairs, int rounds)
    {
        var bare = medians[0];
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"Per call, median of {rounds} rounds of {pairs} create+delete pairs; client process only (server in a child process); {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} cores.");
        text.AppendLine();
        text.AppendLine("| client | CPU µs/call | CPU × bare | allocated B/call | thread-pool work items/call | context switches/call, voluntary + involuntary | wall µs/call |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        for (int i = 0; i < names.Length; i++)
        {
            var m = medians[i];
            string switches = double.IsNaN(m.VoluntarySwitches) ? "n/a" : string.Create(inv, $"{m.VoluntarySwitches:F2} + {m.InvoluntarySwitches:F2}");
            text.AppendLine(inv, $"| {names[i]} | {m.CpuMicroseconds:F0} | {m.CpuMicroseconds / bare.CpuMicroseconds:F2} | {m.Bytes:N0} | {m.WorkItems:F2} | {switches} | {m.WallMicroseconds:F0} |");
        }

        text.AppendLine();
        text.Append(inv, $"Targets (issue 16): CPU ≤ 1.15 × bare ({bare.CpuMicroseconds * 1.15:F0} µs); work items ≤ bare + 1 ({bare.WorkItems + 1:F2}).");
        return text.ToString();
    }

    private readonly record struct PerCall(double CpuMicroseconds, double Bytes, double WorkItems, double VoluntarySwitches, double InvoluntarySwitches, double WallMicroseconds, long Jitted);
}
