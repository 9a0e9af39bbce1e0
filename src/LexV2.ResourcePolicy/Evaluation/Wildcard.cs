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

    private static readonly System.Buffers.SearchValues<char> Special = System.Buffers.SearchValues.Create(['*', '?']);

    private static readonly System.Buffers.SearchValues<char> SpecialEscaped = System.Buffers.SearchValues.Create(['*', '?', LiteralStar, LiteralQuestion]);

    /// <summary>Whether <paramref name="text"/> matches <paramref name="pattern"/>.</summary>
    /// <remarks>
    /// Segment by segment: the part before the first <c>*</c> must start the text, the part after the last must end it, and
    /// each part between is found at its leftmost place after the previous one (the leftmost place never loses a match). A
    /// segment is found with vectorized searches for its runs of ordinary characters (see <see cref="Find"/>), so a hostile
    /// pattern (a long run of one letter before a letter the text lacks) costs about one pass over the text instead of one pass
    /// per position, as a backtracking matcher does.
    /// </remarks>
    /// <param name="pattern">The pattern, with <c>*</c> and <c>?</c>.</param>
    /// <param name="text">The text.</param>
    /// <param name="ignoreCase">Compare letters ignoring case (actions); otherwise exactly (resources, <c>StringLike</c>).</param>
    /// <param name="escapes">
    /// Whether the pattern was built by resolving policy variables, so <see cref="LiteralStar"/> and <see cref="LiteralQuestion"/>
    /// stand for a literal <c>*</c> and <c>?</c>; in a pattern as written in a policy they are plain characters.
    /// </param>
    public static bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text, bool ignoreCase, bool escapes = false)
    {
        if (!pattern.ContainsAny(escapes ? SpecialEscaped : Special))
        {
            // No wildcard: plain (vectorized) equality, the common case for actions, resources and ARN conditions.
            return ignoreCase ? pattern.Equals(text, StringComparison.OrdinalIgnoreCase) : pattern.SequenceEqual(text);
        }

        int first = pattern.IndexOf('*');
        if (first < 0)
        {
            return pattern.Length == text.Length && SegmentEquals(pattern, text, ignoreCase, escapes);
        }

        var head = pattern[..first];
        if (text.Length < head.Length || !SegmentEquals(head, text[..head.Length], ignoreCase, escapes))
        {
            return false;
        }

        text = text[head.Length..];
        pattern = pattern[(first + 1)..];
        int last = pattern.LastIndexOf('*');
        var tail = pattern[(last + 1)..];
        if (text.Length < tail.Length || !SegmentEquals(tail, text[^tail.Length..], ignoreCase, escapes))
        {
            return false;
        }

        text = text[..^tail.Length];
        var middle = last < 0 ? default : pattern[..last];
        while (!middle.IsEmpty)
        {
            int star = middle.IndexOf('*');
            var segment = star < 0 ? middle : middle[..star];
            middle = star < 0 ? default : middle[(star + 1)..];
            if (segment.IsEmpty)
            {
                continue;
            }

            int at = Find(segment, text, ignoreCase, escapes);
            if (at < 0)
            {
                return false;
            }

            text = text[(at + segment.Length)..];
        }

        return true;
    }

    /// <summary>The leftmost place <paramref name="segment"/> (no <c>*</c>; <c>?</c> and escapes allowed) matches in <paramref name="text"/>, or -1.</summary>
    /// <remarks>
    /// The segment's runs of ordinary characters are each found with a vectorized search from where the candidate needs them:
    /// when a run is next found further on, no start before that place can match, so the candidate jumps there. Short runs
    /// are tried first, so a run the text lacks (the <c>b</c> of <c>aaaa…?b</c>) ends the search in one pass.
    /// </remarks>
    private static int Find(ReadOnlySpan<char> segment, ReadOnlySpan<char> text, bool ignoreCase, bool escapes)
    {
        if (Run(segment, escapes) == segment.Length)
        {
            return ignoreCase ? text.IndexOf(segment, StringComparison.OrdinalIgnoreCase) : text.IndexOf(segment);
        }

        const int Short = 16;
        int candidate = 0;
        while (candidate + segment.Length <= text.Length)
        {
            int jump = 0;
            for (int pass = 0; pass < 2 && jump == 0; pass++)
            {
                for (int i = 0; i < segment.Length && jump == 0;)
                {
                    int run = Run(segment[i..], escapes);
                    if (run > 0 && (run <= Short) == (pass == 0))
                    {
                        var want = segment.Slice(i, run);
                        var rest = text[(candidate + i)..];
                        int found = ignoreCase ? rest.IndexOf(want, StringComparison.OrdinalIgnoreCase) : rest.IndexOf(want);
                        if (found < 0)
                        {
                            return -1;
                        }

                        jump = found;
                    }

                    i += Math.Max(run, 1);
                }
            }

            if (jump == 0 && !SegmentEquals(segment, text.Slice(candidate, segment.Length), ignoreCase, escapes))
            {
                jump = 1; // every run is in place, but an escaped * or ? is not
            }

            if (jump == 0)
            {
                return candidate;
            }

            candidate += jump;
        }

        return -1;
    }

    /// <summary>How many characters from the start of <paramref name="s"/> are ordinary (neither <c>?</c>, <c>*</c> nor an escape).</summary>
    private static int Run(ReadOnlySpan<char> s, bool escapes)
    {
        int special = s.IndexOfAny(escapes ? SpecialEscaped : Special);
        return special < 0 ? s.Length : special;
    }

    /// <summary>Whether a segment (no <c>*</c>) matches a text of its length: runs compared vectorized, <c>?</c> any character.</summary>
    private static bool SegmentEquals(ReadOnlySpan<char> segment, ReadOnlySpan<char> text, bool ignoreCase, bool escapes)
    {
        for (int i = 0; i < segment.Length;)
        {
            int run = Run(segment[i..], escapes);
            if (run == 0)
            {
                char c = segment[i], t = text[i];
                if ((c == LiteralStar && t != '*') || (c == LiteralQuestion && t != '?'))
                {
                    return false;
                }

                i++;
                continue;
            }

            var expected = segment.Slice(i, run);
            var actual = text.Slice(i, run);
            if (!(ignoreCase ? expected.Equals(actual, StringComparison.OrdinalIgnoreCase) : expected.SequenceEqual(actual)))
            {
                return false;
            }

            i += run;
        }

        return true;
    }

    /// <summary>
    /// ARN matching: the pattern <c>*</c> matches everything; otherwise both split into six parts at their first five colons
    /// (<c>arn</c>, partition, service, region, account, resource) and each part matches on its own, case-sensitively, so a
    /// wildcard never spans a colon outside the resource part.
    /// </summary>
    /// <param name="pattern">The ARN pattern.</param>
    /// <param name="arn">The ARN.</param>
    /// <param name="escapes">Whether the pattern was built by resolving policy variables (see <see cref="Match"/>).</param>
    public static bool ArnLike(ReadOnlySpan<char> pattern, ReadOnlySpan<char> arn, bool escapes = false)
    {
        if (pattern.Length == 1 && pattern[0] == '*')
        {
            return true;
        }

        if (!pattern.ContainsAny(escapes ? SpecialEscaped : Special))
        {
            return pattern.SequenceEqual(arn);
        }

        for (int part = 0; part < 5; part++)
        {
            int pc = pattern.IndexOf(':'), ac = arn.IndexOf(':');
            if (pc < 0 || ac < 0 || !Match(pattern[..pc], arn[..ac], ignoreCase: false, escapes))
            {
                return false;
            }

            pattern = pattern[(pc + 1)..];
            arn = arn[(ac + 1)..];
        }

        return Match(pattern, arn, ignoreCase: false, escapes);
    }
}
