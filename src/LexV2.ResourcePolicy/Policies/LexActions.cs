namespace LexV2.ResourcePolicy;

/// <summary>The Lex V2 action table (embedded <c>lex-actions.tsv</c>: action → resource types), loaded once.</summary>
internal static class LexActions
{
    private static readonly Lazy<Dictionary<string, string[]>> Table = new(Load);

    /// <summary>Action name (without <c>lex:</c>) → resource types (<c>bot</c>, <c>bot-alias</c>, <c>test-set</c>).</summary>
    public static IReadOnlyDictionary<string, string[]> All => Table.Value;

    /// <summary>The actions a wildcard pattern such as <c>Describe*</c> matches (case-insensitive, as IAM matches actions).</summary>
    public static IEnumerable<string> Matching(string pattern)
    {
        foreach (string action in All.Keys)
        {
            if (WildcardMatch(pattern, action))
            {
                yield return action;
            }
        }
    }

    /// <summary>The known action closest to <paramref name="name"/> within an edit distance of 3, for "did you mean" hints.</summary>
    public static string? Closest(string name) => EditDistance.Closest(name, All.Keys, maxDistance: 3);

    /// <summary>Whether an action name matches a pattern with <c>*</c>/<c>?</c>, ignoring case (as IAM matches actions).</summary>
    internal static bool WildcardMatch(string pattern, string text) => Wildcard.Match(pattern, text, ignoreCase: true);

    private static Dictionary<string, string[]> Load()
    {
        using var stream = typeof(LexActions).Assembly.GetManifestResourceStream("LexV2.ResourcePolicy.lex-actions.tsv")
            ?? throw new InvalidOperationException("The embedded Lex action table is missing from the assembly.");
        using var reader = new StreamReader(stream);
        var table = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string[] parts = line.Split('\t');
            table[parts[0]] = parts[1] == "-" ? [] : parts[1].Split(',');
        }

        return table;
    }
}
