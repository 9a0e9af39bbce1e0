using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace LexV2.ResourcePolicy.Benchmarks.FirstCall;

/// <summary>
/// One cold process, one create+delete pair: <c>FirstCall MODE [ENDPOINT] [--phases]</c> with MODE <c>hello</c> (nothing: the
/// process start floor), <c>bare</c> (a bare HttpClient), <c>direct</c> (<c>new LexPolicyClient(options)</c>) or <c>di</c>
/// (<c>services.AddLexPolicyClient(...)</c> in a plain ServiceCollection). It prints <c>main TS</c> and <c>done TS</c>, raw
/// <see cref="Stopwatch"/> timestamps (CLOCK_MONOTONIC on Linux, the clock the parent and node also read), so the parent
/// measures process start to the completed pair without pipe latency. <c>direct --no-validation</c> turns client-side
/// validation off, to see its share of the first call. Every run prints <c>jit-total MS METHODS</c>: the JIT time and JIT'd
/// methods of the whole process up to <c>done</c>. With <c>--phases</c> it also times each step of the way (and the JIT work
/// in it) and prints <c>phase</c> and <c>jit</c> lines; that run is slower and only its split is meaningful.
/// </summary>
public static class FirstCallProgram
{
    public static async Task<int> Main(string[] args)
    {
        long main = Stopwatch.GetTimestamp();
        string mode = args.Length > 0 ? args[0] : "hello";
        var endpoint = args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? new Uri(args[1]) : null;
        Phases? phases = args.Contains("--phases") ? new Phases(main) : null;

        switch (mode)
        {
            case "hello":
                break;
            case "bare":
                await BareAsync(Required(endpoint), phases);
                break;
            case "direct":
                await DirectAsync(Required(endpoint), phases, validate: !args.Contains("--no-validation"));
                break;
            case "di":
                await DependencyInjectionAsync(Required(endpoint), phases);
                break;
            default:
                await Console.Error.WriteLineAsync($"unknown mode '{mode}': hello, bare, direct or di");
                return 2;
        }

        long done = Stopwatch.GetTimestamp();
        TimeSpan jit = JitInfo.GetCompilationTime();
        long jitted = JitInfo.GetCompiledMethodCount();
        Console.WriteLine($"main {main.ToString(CultureInfo.InvariantCulture)}");
        Console.WriteLine($"done {done.ToString(CultureInfo.InvariantCulture)}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"jit-total {jit.TotalMilliseconds:F2} {jitted}"));
        phases?.Print();
        return 0;
    }

    private static Uri Required(Uri? endpoint) => endpoint ?? throw new ArgumentException("an endpoint (http://127.0.0.1:PORT) is required");

    private static async Task BareAsync(Uri endpoint, Phases? phases)
    {
        using var http = BareWorkload.CreateBareClient(endpoint);
        phases?.Mark("create HttpClient + SocketsHttpHandler");
        await BareWorkload.BarePairAsync(http);
        phases?.Mark("first pair");
    }

    private static async Task DirectAsync(Uri endpoint, Phases? phases, bool validate)
    {
        var options = Workload.Options(endpoint);
        options.ValidateRequests = validate;
        phases?.Mark("options (+ AWSSDK.Core credentials type)");
        // With --phases the transport is wrapped to mark when a request reaches it (signed) and when its headers come back.
        using var client = phases is null
            ? new LexPolicyClient(options)
            : new LexPolicyClient(options, new MarkingHandler(phases, "span, retry pipeline, sign", "transport: connect, send, response headers") { InnerHandler = new SocketsHttpHandler() });
        phases?.Mark("new LexPolicyClient(options)");
        await FirstPairAsync(client, phases);
    }

    private static async Task DependencyInjectionAsync(Uri endpoint, Phases? phases)
    {
        var services = new ServiceCollection();
        var builder = services.AddLexPolicyClient(o =>
        {
            o.Region = Workload.Region;
            o.ServiceUrl = endpoint;
            o.Credentials = Workload.Credentials;
        });
        if (phases is not null)
        {
            // Handlers added to the builder run after the retry pipeline and before signing; the primary handler is the transport.
            builder.AddHttpMessageHandler(() => new MarkingHandler(phases, "span, retry pipeline, factory's logging handlers", null));
            builder.ConfigurePrimaryHttpMessageHandler(() => new MarkingHandler(phases, "sign", "transport: connect, send, response headers") { InnerHandler = new SocketsHttpHandler() });
        }

        phases?.Mark("ServiceCollection + AddLexPolicyClient");
        using var provider = services.BuildServiceProvider();
        phases?.Mark("BuildServiceProvider");
        var client = provider.GetRequiredService<ILexPolicyClient>();
        phases?.Mark("resolve ILexPolicyClient (factory, handler chain, runtime)");
        await FirstPairAsync(client, phases);
    }

    private static async Task FirstPairAsync(ILexPolicyClient client, Phases? phases)
    {
        // The client starts its span once the request is validated and built (serialized): that splits the work before the handlers.
        using var spans = phases is null ? null : new ActivityListener
        {
            ShouldListenTo = source => source.Name == "LexV2.ResourcePolicy",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
            ActivityStarted = _ => phases.MarkOnce("validate, build request (serialize)"),
        };
        if (spans is not null)
        {
            ActivitySource.AddActivityListener(spans);
        }

        await client.CreateResourcePolicyStatementAsync(Workload.Create);
        phases?.Mark("read body, parse, complete (create)");
        phases?.Stop();
        await client.DeleteResourcePolicyStatementAsync(Workload.Delete);
        phases?.Mark("second call: DeleteResourcePolicyStatement, whole");
    }

    /// <summary>Marks the moment a request reaches it and, optionally, the moment its response comes back.</summary>
    private sealed class MarkingHandler(Phases phases, string reached, string? returned) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            phases.MarkOnce(reached);
            var response = await base.SendAsync(request, cancellationToken);
            if (returned is not null)
            {
                phases.MarkOnce(returned);
            }

            return response;
        }
    }

    /// <summary>Wall time, JIT time and JIT'd methods of each step; JIT time by namespace over the whole run.</summary>
    private sealed class Phases
    {
        private readonly List<string> _lines = [];
        private readonly HashSet<string> _marked = [];
        private readonly JitListener _jit = new();
        private long _last;
        private TimeSpan _lastJit;
        private long _lastMethods;
        private bool _stopped;

        public Phases(long start)
        {
            _last = start;
            _lastJit = JitInfo.GetCompilationTime();
            _lastMethods = JitInfo.GetCompiledMethodCount();
            Mark("enable JIT event listener (measurement overhead)");
        }

        public void MarkOnce(string name)
        {
            if (!_stopped && _marked.Add(name))
            {
                Mark(name);
            }
        }

        public void Stop() => _stopped = true;

        public void Mark(string name)
        {
            long now = Stopwatch.GetTimestamp();
            TimeSpan jit = JitInfo.GetCompilationTime();
            long methods = JitInfo.GetCompiledMethodCount();
            int assemblies = AppDomain.CurrentDomain.GetAssemblies().Length;
            _lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"phase {Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds:F2} {(jit - _lastJit).TotalMilliseconds:F2} {methods - _lastMethods} {assemblies} {name}"));
            _last = Stopwatch.GetTimestamp();
            _lastJit = JitInfo.GetCompilationTime();
            _lastMethods = JitInfo.GetCompiledMethodCount();
        }

        public void Print()
        {
            foreach (string line in _lines)
            {
                Console.WriteLine(line);
            }

            _jit.Dispose();
            foreach (var (ns, (ms, count)) in _jit.ByNamespace().OrderByDescending(e => e.Value.Milliseconds))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"jit {ms:F2} {count} {ns}"));
            }
        }
    }

    /// <summary>The runtime's JIT events (MethodJittingStarted, MethodLoadVerbose), summed by the JIT'd method's namespace.</summary>
    private sealed class JitListener : EventListener
    {
        private const int MethodLoadVerbose = 143;
        private const int MethodJittingStarted = 145;
        private readonly Dictionary<long, DateTime> _started = [];
        private readonly Dictionary<string, (double Milliseconds, int Count)> _byNamespace = [];
        private readonly Lock _gate = new();

        public Dictionary<string, (double Milliseconds, int Count)> ByNamespace()
        {
            lock (_gate)
            {
                return new(_byNamespace);
            }
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x10); // JIT keyword
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.Payload is null)
            {
                return;
            }

            lock (_gate)
            {
                if (e.EventId == MethodJittingStarted)
                {
                    _started[Convert.ToInt64(e.Payload[0], CultureInfo.InvariantCulture)] = e.TimeStamp;
                }
                else if (e.EventId == MethodLoadVerbose && _started.Remove(Convert.ToInt64(e.Payload[0], CultureInfo.InvariantCulture), out var started))
                {
                    int index = e.PayloadNames?.IndexOf("MethodNamespace") ?? -1;
                    string ns = Group(index >= 0 ? e.Payload[index] as string ?? "?" : "?");
                    var (ms, count) = _byNamespace.GetValueOrDefault(ns);
                    _byNamespace[ns] = (ms + (e.TimeStamp - started).TotalMilliseconds, count + 1);
                }
            }
        }

        /// <summary>
        /// The first two or three parts of a type name: <c>Polly.Retry</c>, <c>System.Net.Http</c>, <c>LexV2.ResourcePolicy.Http</c>.
        /// The async machinery instantiated over a state machine (<c>AsyncTaskMethodBuilder`1+AsyncStateMachineBox`1[..., X+&lt;SendAsync&gt;d__20]</c>)
        /// is JIT'd for that state machine, so it counts as <c>async: </c> plus the group of the state machine's declaring type.
        /// </summary>
        private static string Group(string typeName)
        {
            if (typeName.StartsWith("System.Runtime.CompilerServices.", StringComparison.Ordinal)
                && System.Text.RegularExpressions.Regex.Match(typeName, @"([A-Za-z_][\w.`]*)\+<[^>]*>d__") is { Success: true } machine)
            {
                return "async: " + Group(machine.Groups[1].Value);
            }

            // Start<TStateMachine>, AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>, ...: instantiated once per async method.
            if (typeName.StartsWith("System.Runtime.CompilerServices.Async", StringComparison.Ordinal))
            {
                return "async method builders (per async method JIT'd)";
            }

            string name = typeName.Split('[', '`')[0];
            string[] parts = name.Split('.');
            int keep = parts[0] is "System" or "Microsoft" or "Amazon" || name.StartsWith("LexV2.ResourcePolicy.", StringComparison.Ordinal) ? 3 : 2;
            return string.Join('.', parts.Take(Math.Min(keep, Math.Max(1, parts.Length - 1))));
        }
    }
}
