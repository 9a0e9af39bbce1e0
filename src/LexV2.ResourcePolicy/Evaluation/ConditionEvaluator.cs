using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace LexV2.ResourcePolicy;

/// <summary>
/// Evaluates a statement's <c>Condition</c> element against a request ("IAM JSON policy elements: Condition operators",
/// "Single-valued vs. multivalued context keys"): every operator, every key under it, must hold; the values under one key are
/// alternatives. Operator names are parsed by <see cref="ConditionOperator"/> once per name and cached.
/// </summary>
/// <remarks>
/// Per key, with the request's values <c>c</c> and the policy's values <c>p</c>, <c>hit(c)</c> = some <c>p</c> compares true:
/// <list type="bullet">
/// <item>no qualifier: holds when some <c>hit(c)</c>; a negated operator holds when none does;</item>
/// <item><c>ForAnyValue:</c> holds when some <c>c</c> has <c>hit(c)</c> (negated: some <c>c</c> has none);</item>
/// <item><c>ForAllValues:</c> holds when every <c>c</c> has <c>hit(c)</c> (negated: no <c>c</c> has one).</item>
/// </list>
/// A key the request lacks (or gives no values): <c>…IfExists</c> holds; <c>ForAllValues:</c> holds; <c>ForAnyValue:</c>
/// does not; otherwise a negated operator holds and a positive one does not. <c>Null</c> compares the key's absence with its
/// boolean. A value that does not parse as the operator's type (a number, a date, an address) compares false. A policy
/// variable that does not resolve makes the key's condition false, whatever the operator: AWS then does not apply the statement.
/// </remarks>
internal static class ConditionEvaluator
{
    private const int MaxCachedValues = 4096;
    private static readonly ConcurrentDictionary<string, ConditionOperator> Operators = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, (bool Ok, IPNetwork Value)> Ranges = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, (bool Ok, IPAddress Value)> Addresses = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, (bool Ok, DateTimeOffset Value)> Dates = new(StringComparer.Ordinal);

    /// <summary>Whether every condition holds.</summary>
    /// <param name="condition">The statement's conditions.</param>
    /// <param name="request">The request.</param>
    /// <param name="variables">Whether policy variables are resolved (document version 2012-10-17).</param>
    /// <param name="why">When explaining: records the first condition that does not hold.</param>
    public static bool Holds(IReadOnlyDictionary<string, IReadOnlyDictionary<string, PolicyValues>>? condition, AccessRequest request, bool variables, Why? why)
    {
        if (condition is null || condition.Count == 0)
        {
            return true;
        }

        // The parser's (and most callers') dictionaries enumerate without allocating; any other IReadOnlyDictionary still works.
        if (condition is Dictionary<string, IReadOnlyDictionary<string, PolicyValues>> dictionary)
        {
            foreach (var (name, keys) in dictionary)
            {
                if (!OperatorHolds(name, keys, request, variables, why))
                {
                    return false;
                }
            }

            return true;
        }

        foreach (var (name, keys) in condition)
        {
            if (!OperatorHolds(name, keys, request, variables, why))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The operator a name denotes, parsed once per distinct valid name.</summary>
    public static bool TryGetOperator(string name, out ConditionOperator op)
    {
        if (Operators.TryGetValue(name, out op))
        {
            return true;
        }

        if (!ConditionOperator.TryParse(name, out op, out _))
        {
            return false;
        }

        Operators.TryAdd(name, op);
        return true;
    }

    private static bool OperatorHolds(string name, IReadOnlyDictionary<string, PolicyValues>? keys, AccessRequest request, bool variables, Why? why)
    {
        if (name is null || !TryGetOperator(name, out var op))
        {
            why?.Fail("Condition", $"'{name}' is not an IAM condition operator, so the condition cannot hold");
            return false;
        }

        if (keys is null)
        {
            return true;
        }

        if (keys is Dictionary<string, PolicyValues> dictionary)
        {
            foreach (var (key, values) in dictionary)
            {
                if (!KeyHolds(op, key, values, request, variables, why))
                {
                    return false;
                }
            }

            return true;
        }

        foreach (var (key, values) in keys)
        {
            if (!KeyHolds(op, key, values, request, variables, why))
            {
                return false;
            }
        }

        return true;
    }

    private static bool KeyHolds(in ConditionOperator op, string key, PolicyValues? values, AccessRequest request, bool variables, Why? why)
    {
        values ??= PolicyValues.Many();
        bool found = request.TryGetContext(key, out var context);
        if (op.Category == ConditionCategory.Null)
        {
            for (int j = 0; j < values.Count; j++)
            {
                if (ParseBool(values[j]) is { } absent && absent != found)
                {
                    return true;
                }
            }

            why?.Fail("Condition", Describe(op, key, values, found ? context : null));
            return false;
        }

        if (!found)
        {
            bool holds = op.IfExists || op.Set == ConditionSetQualifier.ForAllValues || (op.Set == ConditionSetQualifier.None && op.Negated);
            if (!holds)
            {
                why?.Fail("Condition", Describe(op, key, values, null));
            }

            return holds;
        }

        int n = context.Count;
        Span<bool> hits = n <= 32 ? stackalloc bool[32] : new bool[n];
        hits = hits[..n];
        hits.Clear();
        bool resolve = variables && op.SupportsPolicyVariables;
        for (int j = 0; j < values.Count; j++)
        {
            string value = values[j];
            if (resolve && PolicyVariables.HasVariables(value))
            {
                var resolution = PolicyVariables.TryResolve(value, request, op.Comparison == ConditionComparison.Like, Longest(context), out char[] buffer, out int length, out Range unresolved);
                if (resolution == Resolution.Unresolved)
                {
                    why?.Fail("Condition", $"Condition {op.Name} {key}: the policy variable {value[unresolved]} has no single value in the request, so the condition does not hold (AWS does not apply a statement whose variable it cannot resolve)");
                    return false;
                }

                if (resolution == Resolution.CannotMatch)
                {
                    continue; // longer than every request value: it compares false with each
                }

                try
                {
                    Mark(op, buffer.AsSpan(0, length), value, resolved: true, context, hits);
                }
                finally
                {
                    PolicyVariables.Return(buffer);
                }
            }
            else
            {
                Mark(op, value, value, resolved: false, context, hits);
            }
        }

        bool result = op.Set switch
        {
            ConditionSetQualifier.ForAnyValue => hits.IndexOf(!op.Negated) >= 0,
            ConditionSetQualifier.ForAllValues => hits.IndexOf(op.Negated) < 0,
            _ => (hits.IndexOf(true) >= 0) != op.Negated,
        };
        if (!result)
        {
            why?.Fail("Condition", Describe(op, key, values, context));
        }

        return result;
    }

    private static int Longest(IReadOnlyList<string> values)
    {
        int longest = 0;
        for (int i = 0; i < values.Count; i++)
        {
            longest = Math.Max(longest, values[i].Length);
        }

        return longest;
    }

    private static void Mark(in ConditionOperator op, ReadOnlySpan<char> policy, string policyText, bool resolved, IReadOnlyList<string> context, Span<bool> hits)
    {
        for (int i = 0; i < hits.Length; i++)
        {
            hits[i] = hits[i] || Compare(op, context[i], policy, policyText, resolved);
        }
    }

    /// <summary>The operator's comparison (before negation) of one request value with one policy value.</summary>
    /// <param name="op">The operator.</param>
    /// <param name="actual">The request's value.</param>
    /// <param name="policy">The policy's value, variables resolved.</param>
    /// <param name="policyText">The policy's value as written (the typed operators have no variables, so it is <paramref name="policy"/>).</param>
    /// <param name="resolved">Whether <paramref name="policy"/> was built by resolving variables (its literal <c>*</c> and <c>?</c> are escaped).</param>
    private static bool Compare(in ConditionOperator op, string actual, ReadOnlySpan<char> policy, string policyText, bool resolved) => op.Category switch
    {
        ConditionCategory.String => op.Comparison switch
        {
            ConditionComparison.Equal => policy.SequenceEqual(actual),
            ConditionComparison.EqualIgnoreCase => policy.Equals(actual, StringComparison.OrdinalIgnoreCase),
            _ => Wildcard.Match(policy, actual, ignoreCase: false, escapes: resolved),
        },
        ConditionCategory.Arn => Wildcard.ArnLike(policy, actual, escapes: resolved),
        ConditionCategory.Bool => ParseBool(policy) is { } expected && ParseBool(actual) == expected,
        ConditionCategory.Numeric => ConditionValues.TryParseNumber(actual, out decimal a) && ConditionValues.TryParseNumber(policyText, out decimal b) && Ordered(op.Comparison, a.CompareTo(b)),
        ConditionCategory.Date => ConditionValues.TryParseDate(actual, out var a) && PolicyDate(policyText) is { } b && Ordered(op.Comparison, a.CompareTo(b)),
        ConditionCategory.Binary => ConditionValues.TryParseBase64(actual, out byte[] a) && ConditionValues.TryParseBase64(policyText, out byte[] b) && a.AsSpan().SequenceEqual(b),
        ConditionCategory.IpAddress => Address(actual) is { } address && Range(policyText) is { } range && range.Contains(address),
        _ => false,
    };

    private static bool Ordered(ConditionComparison comparison, int order) => comparison switch
    {
        ConditionComparison.Equal => order == 0,
        ConditionComparison.LessThan => order < 0,
        ConditionComparison.LessThanEquals => order <= 0,
        ConditionComparison.GreaterThan => order > 0,
        ConditionComparison.GreaterThanEquals => order >= 0,
        _ => false,
    };

    private static bool? ParseBool(ReadOnlySpan<char> value) =>
        value.Equals("true", StringComparison.OrdinalIgnoreCase) ? true
        : value.Equals("false", StringComparison.OrdinalIgnoreCase) ? false
        : null;

    // Addresses, ranges and a policy's dates are parsed once per distinct text (IPAddress is a class; a date takes a format
    // search). A policy's values are few and fixed; the request's (aws:SourceIp, aws:CurrentTime) change with every call, so
    // the caches stop growing at a bound, and request dates are not cached at all.
    private static IPAddress? Address(string text) =>
        Cached(Addresses, text, static (string t, out IPAddress a) => ConditionValues.TryParseAddress(t, out a!), out var address) ? address : null;

    private static IPNetwork? Range(string text) => Cached(Ranges, text, ConditionValues.TryParseIpRange, out var range) ? range : null;

    private static DateTimeOffset? PolicyDate(string text) => Cached(Dates, text, ConditionValues.TryParseDate, out var date) ? date : null;

    private delegate bool Parser<T>(string text, out T value);

    private static bool Cached<T>(ConcurrentDictionary<string, (bool Ok, T Value)> cache, string text, Parser<T> parse, out T value)
    {
        if (!cache.TryGetValue(text, out var entry))
        {
            entry.Ok = parse(text, out entry.Value);
            if (cache.Count < MaxCachedValues)
            {
                cache.TryAdd(text, entry);
            }
        }

        value = entry.Value;
        return entry.Ok;
    }

    /// <summary>One sentence: "Condition ArnEquals aws:SourceArn: expected X, the request has Y".</summary>
    private static string Describe(in ConditionOperator op, string key, PolicyValues values, IReadOnlyList<string>? actual)
    {
        var sb = new StringBuilder().Append("Condition ").Append(op.Name).Append(' ').Append(key).Append(": expected ");
        if (op.Category == ConditionCategory.Null)
        {
            bool absent = values.Count > 0 && ParseBool(values[0]) == true;
            sb.Append(absent ? "the key to be absent" : "the key to be present");
            return (actual is null ? sb.Append(", the request has no ").Append(key) : sb.Append(", the request has it (").Append(List(actual)).Append(')')).ToString();
        }

        sb.Append(op.Set switch
        {
            ConditionSetQualifier.ForAllValues => "every value to be ",
            ConditionSetQualifier.ForAnyValue => "some value to be ",
            _ => string.Empty,
        });
        sb.Append(Expected(op, values));
        if (op.IfExists)
        {
            sb.Append(" (if the key is present)");
        }

        return (actual is null ? sb.Append(", the request has no ").Append(key) : sb.Append(", the request has ").Append(List(actual))).ToString();
    }

    private static string Expected(in ConditionOperator op, PolicyValues values)
    {
        string list = values.Count == 1 ? values[0] : (op.Negated ? "none of " : "one of ") + List(values);
        bool date = op.Category == ConditionCategory.Date;
        string comparison = op.Comparison switch
        {
            ConditionComparison.LessThan => date ? "before " : "less than ",
            ConditionComparison.LessThanEquals => date ? "at or before " : "at most ",
            ConditionComparison.GreaterThan => date ? "after " : "more than ",
            ConditionComparison.GreaterThanEquals => date ? "at or after " : "at least ",
            _ => string.Empty,
        };
        if (comparison.Length > 0)
        {
            return comparison + list;
        }

        bool like = op.Comparison == ConditionComparison.Like && op.BaseName is "StringLike" or "StringNotLike" or "ArnLike" or "ArnNotLike";
        string text = op.Comparison switch
        {
            ConditionComparison.InRange => (op.Negated ? "an address outside " : "an address in ") + (values.Count == 1 ? values[0] : "any of " + List(values)),
            _ when like => (op.Negated ? "a value not like " : "a value like ") + (values.Count == 1 ? values[0] : "any of " + List(values)),
            _ when op.Negated && values.Count == 1 => "a value other than " + values[0],
            _ => list,
        };
        return op.Comparison == ConditionComparison.EqualIgnoreCase ? text + " (ignoring case)" : text;
    }

    private static string List(IReadOnlyList<string> values) =>
        values.Count == 1 ? values[0] : "[" + string.Join(", ", values) + "]";
}

/// <summary>When explaining: the first element of a statement that did not match, and why.</summary>
internal sealed class Why
{
    /// <summary><c>Principal</c>, <c>Action</c>, <c>Resource</c> or <c>Condition</c>.</summary>
    public string? Element { get; private set; }

    /// <summary>One sentence.</summary>
    public string? Reason { get; private set; }

    /// <summary>Records a failure unless one is recorded already (the first one counts).</summary>
    public void Fail(string element, string reason)
    {
        if (Element is null)
        {
            Element = element;
            Reason = reason;
        }
    }
}
