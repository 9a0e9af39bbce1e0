using System.Globalization;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace LexV2.ResourcePolicy.Tool.Tests.EndToEnd;

/// <summary>
/// Issue #22, point 1: bulk runs of the installed tool, with its default settings, behind a loopback proxy that throttles like
/// Lex's model-building API (<see cref="ThrottlingProxy"/>): 429 <c>ThrottlingException</c> above 20 requests/s, or on 30 % of
/// requests at random. Every resource must be planned and applied (0 failures), and behind the rate limit the wall time must
/// stay near the minimum the rate allows: the requests the proxy accepted ÷ 20/s.
/// <para>
/// CI runs it with <c>LEXPOLICY_E2E_RESOURCES</c> resources (default 40) × 3 statements, and bounds the time the rate
/// governs: from the first request the proxy saw to the last. The tool's start (a process, a runtime, JIT) and its last
/// words come before and after the requests and owe nothing to the rate; on a shared machine they can take longer than a
/// CI-sized run's requests, and a bound on the whole wall time needed 20 s of slack for them. The full measurement (300 × 3,
/// the whole wall time, the bound the issue sets) is the README's command:
/// <c>LEXPOLICY_E2E_RESOURCES=300 LEXPOLICY_E2E_MAX_RATIO=1.3 dotnet test tests/LexV2.ResourcePolicy.Tool.Tests -f net10.0 --filter "FullyQualifiedName~ThrottledScale" --logger "console;verbosity=detailed"</c>.
/// </para>
/// </summary>
[Collection(InstalledToolGroup.Name)]
[Trait("Category", "EndToEnd")]
public class ThrottledScaleTests(InstalledTool tool, ITestOutputHelper log)
{
    private const int Rate = 20;

    private static int Resources => int.TryParse(Environment.GetEnvironmentVariable("LEXPOLICY_E2E_RESOURCES"), CultureInfo.InvariantCulture, out int n) ? n : 40;

    /// <summary>
    /// Random throttles are not a rate adaptive mode can find: each one lowers the client's send rate, which settles near
    /// 1.8 attempts/s, so CI runs this part with fewer resources (the full run is in the README).
    /// </summary>
    private static int RandomResources => Environment.GetEnvironmentVariable("LEXPOLICY_E2E_RESOURCES") is null ? 10 : Resources;

    /// <summary>Extra arguments for every run (e.g. <c>--retry-mode standard --max-attempts 10</c>), to compare settings by hand.</summary>
    private static string[] Extra => Environment.GetEnvironmentVariable("LEXPOLICY_E2E_ARGS")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];

    /// <summary>The bound on wall time ÷ minimum: 1.3, the issue's target.</summary>
    private static double MaxRatio => double.TryParse(Environment.GetEnvironmentVariable("LEXPOLICY_E2E_MAX_RATIO"), CultureInfo.InvariantCulture, out double r) ? r : 1.3;

    /// <summary>Whether this is the README's measurement (LEXPOLICY_E2E_MAX_RATIO set): the whole wall time is bounded, with no slack.</summary>
    private static bool Measurement => Environment.GetEnvironmentVariable("LEXPOLICY_E2E_MAX_RATIO") is not null;

    /// <summary>
    /// Seconds allowed on top of the bound: in CI, 10, for a loaded machine's scheduling of the tool, the proxy and serve (a
    /// CI-sized plan's minimum is 2 s; at a load average of 15 the spans were 0.5-1.1 × the minimum); none for the measurement.
    /// </summary>
    private static double Allowance => Measurement ? 0 : 10;

    [Fact]
    public async Task PlanAndApply_Behind20RequestsPerSecond_DefaultSettings_NoFailure_NearTheRatesMinimum()
    {
        await using var proxy = await ThrottlingProxy.StartAsync(tool.Serve);
        proxy.ThrottleAbove(Rate);
        string desired = tool.File_("scale-rate.json", Desired("RATE", Resources));
        string endpoint = proxy.Endpoint.ToString();

        await Task.Delay(TimeSpan.FromSeconds(1.5)); // let the bucket fill: each run starts with one second's burst
        proxy.ClearLog();
        var apply = await tool.RunAsync(log, ["apply", "--file", desired, "--auto-approve", "--endpoint-url", endpoint, .. Extra]);
        var applied = Figures("apply", apply, proxy);
        Assert.True(apply.Code == 0, apply.ToString());
        Assert.Contains($"Apply: {Resources} applied, 0 unchanged, 0 refused, 0 skipped, 0 failed", apply.Out, StringComparison.Ordinal);
        Assert.Equal(3 * Resources, proxy.Accepted); // per resource: the plan's read, the re-read before writing, the write

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        proxy.ClearLog();
        var plan = await tool.RunAsync(log, ["plan", "--file", desired, "--detailed-exitcode", "--output", "json", "--endpoint-url", endpoint, .. Extra]);
        var planned = Figures("plan", plan, proxy);
        Assert.True(plan.Code == 0, plan.ToString()); // nothing left to change, and no resource failed to read
        using (var json = JsonDocument.Parse(plan.Out))
        {
            Assert.Equal(Resources, json.RootElement.GetProperty("resources").GetArrayLength());
        }

        foreach (var (what, run, accepted) in new[] { ("apply", applied, 3 * Resources), ("plan", planned, Resources) })
        {
            double bound = (MaxRatio * accepted / Rate) + Allowance;
            (string measure, double seconds) = Measurement ? ("wall time", run.Wall) : ("first to last request", run.Requests);
            Assert.True(seconds <= bound, $"{what}: {measure} {seconds:F1} s, over {bound:F1} s ({MaxRatio} × the minimum {(double)accepted / Rate:F1} s + {Allowance} s); apply {applied}, plan {planned}");
        }
    }

    [Fact]
    public async Task PlanAndApply_With30PercentRandomThrottles_DefaultSettings_NoFailure()
    {
        await using var proxy = await ThrottlingProxy.StartAsync(tool.Serve);
        proxy.ThrottleRandomly(0.3);
        string desired = tool.File_("scale-random.json", Desired("RAND", RandomResources));
        string endpoint = proxy.Endpoint.ToString();

        var apply = await tool.RunAsync(log, ["apply", "--file", desired, "--auto-approve", "--endpoint-url", endpoint, .. Extra], timeout: TimeSpan.FromMinutes(20));
        Figures("apply", apply, proxy, RandomResources);
        Assert.True(apply.Code == 0, apply.ToString());
        Assert.Contains($"Apply: {RandomResources} applied, 0 unchanged, 0 refused, 0 skipped, 0 failed", apply.Out, StringComparison.Ordinal);

        proxy.ClearLog();
        var plan = await tool.RunAsync(log, ["plan", "--file", desired, "--detailed-exitcode", "--endpoint-url", endpoint, .. Extra], timeout: TimeSpan.FromMinutes(20));
        Figures("plan", plan, proxy, RandomResources);
        Assert.True(plan.Code == 0, plan.ToString());
        Assert.Contains($"Plan: 0 to add, 0 to replace, 0 to remove, {3 * RandomResources} unchanged ({RandomResources} resources)", plan.Out, StringComparison.Ordinal);
    }

    /// <summary>A run's times: its wall time, and the span from the first request the proxy saw to the last.</summary>
    private sealed record Times(double Wall, double Requests)
    {
        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "wall {0:F1} s, requests {1:F1} s", Wall, Requests);
    }

    /// <summary>Logs the run's figures and returns its times (read before the proxy's log is cleared for the next run).</summary>
    private Times Figures(string what, InstalledTool.Result run, ThrottlingProxy proxy, int? resources = null)
    {
        double minimum = (double)proxy.Accepted / Rate;
        double span = proxy.Requests.Count > 0 ? (proxy.Requests.Max(r => r.At) - proxy.Requests.Min(r => r.At)).TotalSeconds : 0;
        log.WriteLine(string.Format(
            CultureInfo.InvariantCulture,
            "FIGURES {0}: {1} resources x 3 statements: exit {2}, {3:F1} s wall; proxy accepted {4}, throttled {5}; minimum at {6}/s {7:F1} s; wall/minimum {8:F2}; first to last request {9:F1} s, {10:F2} × the minimum",
            what, resources ?? Resources, run.Code, run.Elapsed.TotalSeconds, proxy.Accepted, proxy.Throttled, Rate, minimum, run.Elapsed.TotalSeconds / minimum, span, span / minimum));
        if (proxy.Requests.Count > 0)
        {
            var first = proxy.Requests.Min(r => r.At);
            log.WriteLine(string.Format(
                CultureInfo.InvariantCulture,
                "  throttled at (s after the first request): {0}",
                string.Join(" ", proxy.Requests.Where(r => r.Throttled).Select(r => ((r.At - first).TotalSeconds).ToString("F1", CultureInfo.InvariantCulture)))));
        }

        return new Times(run.Elapsed.TotalSeconds, span);
    }

    /// <summary>
    /// A desired-state file of <paramref name="count"/> bot aliases, each with 3 statements (roles of the same account), in
    /// us-east-1 or the region <paramref name="region"/> gives for each.
    /// </summary>
    internal static string Desired(string prefix, int count, bool prune = false, Func<int, string>? region = null)
    {
        var sb = new StringBuilder("{ \"resources\": [\n");
        for (int i = 0; i < count; i++)
        {
            string bot = (prefix + i.ToString("D6", CultureInfo.InvariantCulture))[..10];
            sb.Append(CultureInfo.InvariantCulture, $"  {{ \"resourceArn\": \"arn:aws:lex:{region?.Invoke(i) ?? "us-east-1"}:123456789012:bot-alias/{bot}/TSTALIASID\", \"prune\": {(prune ? "true" : "false")}, \"statements\": [");
            for (int s = 1; s <= 3; s++)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{(s > 1 ? "," : string.Empty)}\n    {{ \"statementId\": \"Reader{s}\", \"effect\": \"Allow\", \"principal\": [ {{ \"arn\": \"arn:aws:iam::123456789012:role/reader-{s}\" }} ], \"action\": [ \"lex:RecognizeText\" ] }}");
            }

            sb.Append(i == count - 1 ? " ] }\n" : " ] },\n");
        }

        return sb.Append("] }\n").ToString();
    }
}
