namespace LexV2.ResourcePolicy;

/// <summary>
/// IAM wildcard matching without allocation: <c>*</c> matches any run of characters (none included), <c>?</c> any one
/// character. <see cref="ArnLike"/> matches an ARN segment by segment, as the <c>Resource</c> element and the <c>Arn*</c>
/// condition operators do.
/// </summary>
internal static class Wildcard
{
    /// <summary>Stands for a literal <c>*</c> in a pattern (the policy variable <c>${*}</c>); matches only <c>*</c>.</summary>
    public const char LiteralStar = '\uE000';

    /// <summary>Stands for a literal <c>?</c> in a pattern (the policy variable <c>${?}</c>); matches only <c>?</c>.</summary>
    public const char LiteralQuestion = '\uE001';

    private static readonly System.Buffers.SearchValues<char> Special = System.Buffers.SearchValues.Create(['*', '?', LiteralStar, LiteralQuestion]);

    /// <summary>Whether <paramref name="text"/> matches <paramref name="pattern"/>.</summary>
    /// <param name="pattern">The pattern, with <c>*</c> and <c>?</c>.</param>
    /// <param name="text">The text.</param>
    /// <param name="ignoreCase">Compare letters ignoring case (actions); otherwise exactly (resources, <c>StringLike</c>).</param>
    public static bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text, bool ignoreCase)
    {
        if (!pattern.ContainsAny(Special))
        {
            // No wildcard: plain (vectorized) equality, the common case for actions, resources and ARN conditions.
            return ignoreCase ? pattern.Equals(text, StringComparison.OrdinalIgnoreCase) : pattern.SequenceEqual(text);
        }

        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] != '*' && CharMatches(pattern[p], text[t], ignoreCase))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>
    /// ARN matching: the pattern <c>*</c> matches everything; otherwise both split into six parts at their first five colons
    /// (<c>arn</c>, partition, service, region, account, resource) and each part matches on its own, case-sensitively, so a
    /// wildcard never spans a colon outside the resource part.
    /// </summary>
    public static bool ArnLike(ReadOnlySpan<char> pattern, ReadOnlySpan<char> arn)
    {
        if (pattern.Length == 1 && pattern[0] == '*')
        {
            return true;
        }

        if (!pattern.ContainsAny(Special))
        {
            return pattern.SequenceEqual(arn);
        }

        for (int part = 0; part < 5; part++)
        {
            int pc = pattern.IndexOf(':'), ac = arn.IndexOf(':');
            if (pc < 0 || ac < 0 || !Match(pattern[..pc], arn[..ac], ignoreCase: false))
            {
                return false;
            }

            pattern = pattern[(pc + 1)..];
            arn = arn[(ac + 1)..];
        }

        return Match(pattern, arn, ignoreCase: false);
    }

    private static bool CharMatches(char p, char t, bool ignoreCase) => p switch
    {
        '?' => true,
        LiteralStar => t == '*',
        LiteralQuestion => t == '?',
        _ => p == t || (ignoreCase && char.ToUpperInvariant(p) == char.ToUpperInvariant(t)),
    };
}
