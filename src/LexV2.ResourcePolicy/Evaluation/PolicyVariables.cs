using System.Buffers;

namespace LexV2.ResourcePolicy;

/// <summary>
/// Policy variables ("IAM policy elements: Variables and tags"): <c>${aws:PrincipalAccount}</c> and any other context key in a
/// <c>Resource</c> value or a String, ARN or Bool condition value is replaced by the request's value; <c>${key, 'default'}</c>
/// falls back to the default; <c>${*}</c>, <c>${?}</c> and <c>${$}</c> stand for the literal characters. A key the request
/// does not have (or has several values for) cannot be resolved. Only documents of version <c>2012-10-17</c> have variables;
/// in older ones <c>${…}</c> is plain text. Resolution writes into a pooled buffer: no allocation.
/// </summary>
internal static class PolicyVariables
{
    /// <summary>Whether the value holds something that looks like a variable.</summary>
    public static bool HasVariables(string value) => value.Contains("${", StringComparison.Ordinal);

    /// <summary>
    /// Resolves the variables of <paramref name="value"/> into a buffer rented from <see cref="ArrayPool{T}.Shared"/> (return it
    /// with <see cref="Return"/>). In a pattern (<paramref name="forPattern"/>), <c>${*}</c>, <c>${?}</c> and any <c>*</c> or
    /// <c>?</c> inside a substituted value become <see cref="Wildcard.LiteralStar"/>/<see cref="Wildcard.LiteralQuestion"/>, so
    /// they match only themselves.
    /// </summary>
    /// <remarks>
    /// The result is built only when it could match a text of at most <paramref name="maxLength"/> characters: every character
    /// of it but a <c>*</c> written in the policy matches exactly one character, so a longer result cannot match and is not
    /// built (<see cref="Resolution.CannotMatch"/>). Many variables standing for a long value would otherwise multiply into a
    /// result of billions of characters.
    /// </remarks>
    /// <param name="value">The policy value.</param>
    /// <param name="request">The request whose context the variables read.</param>
    /// <param name="forPattern">Whether the result is a wildcard pattern (Like operators, ARNs, resources).</param>
    /// <param name="maxLength">The length of the longest text the result will be compared with.</param>
    /// <param name="buffer">When resolved: the buffer holding the result.</param>
    /// <param name="length">When resolved: the result's length.</param>
    /// <param name="unresolved">When unresolved: the first unresolved variable's range in <paramref name="value"/>.</param>
    /// <returns>Whether every variable resolved and the result was built.</returns>
    public static Resolution TryResolve(string value, AccessRequest request, bool forPattern, int maxLength, out char[] buffer, out int length, out Range unresolved)
    {
        buffer = [];
        length = 0;
        unresolved = default;

        // First pass: check every variable resolves and measure the result (in a long: the product can pass int.MaxValue).
        long size = 0;
        int at = 0, stars = 0;
        while (Next(value, at, out int start, out int end))
        {
            if (!TryValue(value.AsSpan(start + 2, end - start - 2), request, out var text))
            {
                unresolved = start..(end + 1);
                return Resolution.Unresolved;
            }

            size += (start - at) + text.Length;
            stars += forPattern ? value.AsSpan(at, start - at).Count('*') : 0;
            at = end + 1;
        }

        size += value.Length - at;
        stars += forPattern ? value.AsSpan(at).Count('*') : 0;
        if (size - stars > maxLength)
        {
            return Resolution.CannotMatch;
        }

        buffer = ArrayPool<char>.Shared.Rent(Math.Max((int)size, 16));

        // Second pass: write.
        at = 0;
        while (Next(value, at, out int start, out int end))
        {
            value.AsSpan(at, start - at).CopyTo(buffer.AsSpan(length));
            length += start - at;
            TryValue(value.AsSpan(start + 2, end - start - 2), request, out var text);
            foreach (char c in text)
            {
                buffer[length++] = forPattern ? Literal(c) : c;
            }

            at = end + 1;
        }

        value.AsSpan(at).CopyTo(buffer.AsSpan(length));
        length += value.Length - at;
        return Resolution.Resolved;
    }

    /// <summary>Returns a buffer from <see cref="TryResolve"/>.</summary>
    public static void Return(char[] buffer)
    {
        if (buffer.Length > 0)
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>The context keys the variables of a value name (escapes such as <c>${*}</c> excluded), for listing the keys a policy uses.</summary>
    public static IEnumerable<string> Keys(string value)
    {
        int at = 0;
        while (Next(value, at, out int start, out int end))
        {
            var inner = value.AsSpan(start + 2, end - start - 2);
            int comma = inner.IndexOf(',');
            var key = (comma < 0 ? inner : inner[..comma]).Trim();
            if (key.Length > 1)
            {
                yield return key.ToString();
            }

            at = end + 1;
        }
    }

    private static char Literal(char c) => c switch
    {
        '*' => Wildcard.LiteralStar,
        '?' => Wildcard.LiteralQuestion,
        _ => c,
    };

    private static bool Next(string value, int from, out int start, out int end)
    {
        start = value.IndexOf("${", from, StringComparison.Ordinal);
        end = start < 0 ? -1 : value.IndexOf('}', start + 2);
        return end > start + 2;
    }

    private static bool TryValue(ReadOnlySpan<char> inner, AccessRequest request, out ReadOnlySpan<char> text)
    {
        if (inner.Length == 1 && inner[0] is '*' or '?' or '$')
        {
            text = inner;
            return true;
        }

        ReadOnlySpan<char> key = inner, fallback = default;
        bool hasDefault = false;
        int comma = inner.IndexOf(',');
        if (comma >= 0)
        {
            key = inner[..comma];
            var rest = inner[(comma + 1)..].Trim();
            if (rest.Length >= 2 && rest[0] == '\'' && rest[^1] == '\'')
            {
                fallback = rest[1..^1];
                hasDefault = true;
            }
        }

        if (request.TryGetContext(key.Trim(), out var values) && values.Count == 1)
        {
            text = values[0];
            return true;
        }

        text = fallback;
        return hasDefault;
    }
}

/// <summary>The outcome of <see cref="PolicyVariables.TryResolve"/>.</summary>
internal enum Resolution
{
    /// <summary>Every variable resolved; the result is in the buffer.</summary>
    Resolved,

    /// <summary>A variable has no single value in the request (and no default).</summary>
    Unresolved,

    /// <summary>Every variable resolved, but the result is longer than any text it could match; it was not built.</summary>
    CannotMatch,
}
