namespace LexV2.ResourcePolicy.Sample;

/// <summary>Reads <c>--name value</c> pairs from the command line.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public Arguments(string[] args, params string[] flags)
    {
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{a}'.");
            }

            if (flags.Contains(a))
            {
                _flags.Add(a);
            }
            else if (i + 1 < args.Length)
            {
                _values[a] = args[++i];
            }
            else
            {
                throw new ArgumentException($"{a} needs a value.");
            }
        }
    }

    public string? this[string name] => _values.TryGetValue(name, out var v) ? v : null;

    public bool Has(string flag) => _flags.Contains(flag);
}
