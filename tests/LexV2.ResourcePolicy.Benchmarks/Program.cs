using System.Reflection;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using LexV2.ResourcePolicy.Benchmarks;
using LexV2.ResourcePolicy.Benchmarks.ColdStart;
using LexV2.ResourcePolicy.Benchmarks.Socket;

// In-memory (BenchmarkDotNet): dotnet run -c Release --project tests/LexV2.ResourcePolicy.Benchmarks -- --filter '*ClientBenchmarks*'
// Real socket:                dotnet run -c Release --project tests/LexV2.ResourcePolicy.Benchmarks -- --filter '*Socket*' [--pairs 1000 --warmup 1000 --rounds 3]
// Cold start:                 dotnet run -c Release --project tests/LexV2.ResourcePolicy.Benchmarks -- --cold-start [--runs 5] [--phases] [--r2r]
// Access evaluator, CPU time: dotnet run -c Release --project tests/LexV2.ResourcePolicy.Benchmarks -- --evaluator-cpu [--calls 1000000] [--rounds 5]
// A --filter runs every benchmark whose full name it matches: BenchmarkDotNet's and SocketBenchmark.Name ('*' runs all).
if (args is [CannedLexServer.Argument, ..])
{
    return await CannedLexServer.RunAsync();
}

var options = new Options(args);
if (options.Flag("--cold-start"))
{
    await ColdStartBenchmark.RunAsync(options.Int("--runs", 5), options.Flag("--phases"), options.Flag("--r2r"));
    return 0;
}

if (options.Flag("--evaluator-cpu"))
{
    EvaluatorCpu.Run(options.Int("--calls", 1_000_000), options.Int("--rounds", 5));
    return 0;
}

string[] filters = options.Filters();
if (filters.Any(f => Glob(f).IsMatch(SocketBenchmark.Name)))
{
    await SocketBenchmark.RunAsync(options.Int("--pairs", 1000), options.Int("--warmup", 1000), options.Int("--rounds", 3));
}

string[] inMemory = [.. typeof(ClientBenchmarks).Assembly.GetTypes()
    .SelectMany(t => t.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null).Select(m => $"{t.FullName}.{m.Name}"))];
if (filters.Length == 0 || inMemory.Any(name => filters.Any(f => Glob(f).IsMatch(name))))
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(options.Rest);
}

return 0;

// BenchmarkDotNet's filter syntax: a glob over the full benchmark name.
static Regex Glob(string pattern) => new("^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase);

/// <summary>Entry point marker.</summary>
public partial class Program;

/// <summary>This program's own options; everything else goes to BenchmarkDotNet.</summary>
internal sealed class Options
{
    private static readonly string[] Valued = ["--runs", "--pairs", "--warmup", "--rounds", "--calls"];
    private static readonly string[] Flags = ["--cold-start", "--phases", "--r2r", "--evaluator-cpu"];
    private readonly Dictionary<string, string> _values = [];
    private readonly HashSet<string> _flags = [];
    private readonly string[] _all;

    public Options(string[] args)
    {
        _all = args;
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (Valued.Contains(args[i]) && i + 1 < args.Length)
            {
                _values[args[i]] = args[++i];
            }
            else if (Flags.Contains(args[i]))
            {
                _flags.Add(args[i]);
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        Rest = [.. rest];
    }

    /// <summary>The arguments for BenchmarkDotNet.</summary>
    public string[] Rest { get; }

    public bool Flag(string name) => _flags.Contains(name);

    public int Int(string name, int fallback) => _values.TryGetValue(name, out string? v) ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    /// <summary>The values after <c>--filter</c> (BenchmarkDotNet takes several, up to the next option).</summary>
    public string[] Filters()
    {
        var filters = new List<string>();
        for (int i = 0; i < _all.Length; i++)
        {
            if (_all[i] is "--filter" or "-f")
            {
                while (i + 1 < _all.Length && !_all[i + 1].StartsWith('-'))
                {
                    filters.Add(_all[++i]);
                }
            }
        }

        return [.. filters];
    }
}
