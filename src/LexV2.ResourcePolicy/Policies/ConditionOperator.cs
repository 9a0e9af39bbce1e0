using System.Globalization;
using System.Net;

namespace LexV2.ResourcePolicy;

/// <summary>The kind of value a condition operator compares ("IAM JSON policy elements: Condition operators").</summary>
internal enum ConditionCategory
{
    /// <summary><c>String*</c>: text, case rules per operator, <c>*</c>/<c>?</c> in the <c>Like</c> forms.</summary>
    String,

    /// <summary><c>Numeric*</c>: decimal numbers.</summary>
    Numeric,

    /// <summary><c>Date*</c>: ISO 8601 dates and times, or epoch seconds.</summary>
    Date,

    /// <summary><c>Bool</c>: <c>true</c> or <c>false</c>.</summary>
    Bool,

    /// <summary><c>BinaryEquals</c>: base64-encoded bytes.</summary>
    Binary,

    /// <summary><c>IpAddress</c>/<c>NotIpAddress</c>: IPv4 or IPv6 addresses and CIDR ranges.</summary>
    IpAddress,

    /// <summary><c>Arn*</c>: ARNs compared segment by segment, wildcards allowed.</summary>
    Arn,

    /// <summary><c>Null</c>: whether the key is absent (<c>true</c>) or present (<c>false</c>).</summary>
    Null,
}

/// <summary>How an operator compares a context value with a policy value (before negation).</summary>
internal enum ConditionComparison
{
    /// <summary>Exact equality (case-sensitive for strings).</summary>
    Equal,

    /// <summary>Equality ignoring case.</summary>
    EqualIgnoreCase,

    /// <summary>Wildcard match (<c>*</c>, <c>?</c>); for ARNs, per segment.</summary>
    Like,

    /// <summary>Context value &lt; policy value.</summary>
    LessThan,

    /// <summary>Context value ≤ policy value.</summary>
    LessThanEquals,

    /// <summary>Context value &gt; policy value.</summary>
    GreaterThan,

    /// <summary>Context value ≥ policy value.</summary>
    GreaterThanEquals,

    /// <summary>The address lies in the range.</summary>
    InRange,

    /// <summary><c>Null</c>: the key's absence equals the policy's boolean.</summary>
    IsAbsent,
}

/// <summary>The set qualifier of an operator for multivalued context keys.</summary>
internal enum ConditionSetQualifier
{
    /// <summary>No qualifier: a single-valued comparison (for a multivalued key, any value may match).</summary>
    None,

    /// <summary><c>ForAnyValue:</c> — at least one context value matches some policy value (an absent key does not match).</summary>
    ForAnyValue,

    /// <summary><c>ForAllValues:</c> — every context value matches some policy value (an absent or empty key matches).</summary>
    ForAllValues,
}

/// <summary>
/// A condition operator name parsed by the IAM grammar: an optional set qualifier (<c>ForAnyValue:</c>,
/// <c>ForAllValues:</c>), a base operator (<c>StringEquals</c>, <c>NumericLessThan</c>, <c>Bool</c>, <c>Null</c>, …) and an
/// optional <c>IfExists</c> suffix (not on <c>Null</c>). Names are case-sensitive, as IAM reads them ("Invalid Condition
/// type: stringEquals"). One table serves the request validator, the linter and the access evaluator.
/// </summary>
internal readonly record struct ConditionOperator(
    string Name, string BaseName, ConditionCategory Category, ConditionComparison Comparison, bool Negated, bool IfExists, ConditionSetQualifier Set)
{
    private const string IfExistsSuffix = "IfExists";
    private const string ForAnyValuePrefix = "ForAnyValue:";
    private const string ForAllValuesPrefix = "ForAllValues:";

    private static readonly (string Name, ConditionCategory Category, ConditionComparison Comparison, bool Negated)[] Bases =
    [
        ("StringEquals", ConditionCategory.String, ConditionComparison.Equal, false),
        ("StringNotEquals", ConditionCategory.String, ConditionComparison.Equal, true),
        ("StringEqualsIgnoreCase", ConditionCategory.String, ConditionComparison.EqualIgnoreCase, false),
        ("StringNotEqualsIgnoreCase", ConditionCategory.String, ConditionComparison.EqualIgnoreCase, true),
        ("StringLike", ConditionCategory.String, ConditionComparison.Like, false),
        ("StringNotLike", ConditionCategory.String, ConditionComparison.Like, true),
        ("NumericEquals", ConditionCategory.Numeric, ConditionComparison.Equal, false),
        ("NumericNotEquals", ConditionCategory.Numeric, ConditionComparison.Equal, true),
        ("NumericLessThan", ConditionCategory.Numeric, ConditionComparison.LessThan, false),
        ("NumericLessThanEquals", ConditionCategory.Numeric, ConditionComparison.LessThanEquals, false),
        ("NumericGreaterThan", ConditionCategory.Numeric, ConditionComparison.GreaterThan, false),
        ("NumericGreaterThanEquals", ConditionCategory.Numeric, ConditionComparison.GreaterThanEquals, false),
        ("DateEquals", ConditionCategory.Date, ConditionComparison.Equal, false),
        ("DateNotEquals", ConditionCategory.Date, ConditionComparison.Equal, true),
        ("DateLessThan", ConditionCategory.Date, ConditionComparison.LessThan, false),
        ("DateLessThanEquals", ConditionCategory.Date, ConditionComparison.LessThanEquals, false),
        ("DateGreaterThan", ConditionCategory.Date, ConditionComparison.GreaterThan, false),
        ("DateGreaterThanEquals", ConditionCategory.Date, ConditionComparison.GreaterThanEquals, false),
        ("Bool", ConditionCategory.Bool, ConditionComparison.Equal, false),
        ("BinaryEquals", ConditionCategory.Binary, ConditionComparison.Equal, false),
        ("IpAddress", ConditionCategory.IpAddress, ConditionComparison.InRange, false),
        ("NotIpAddress", ConditionCategory.IpAddress, ConditionComparison.InRange, true),
        ("ArnEquals", ConditionCategory.Arn, ConditionComparison.Like, false),
        ("ArnLike", ConditionCategory.Arn, ConditionComparison.Like, false),
        ("ArnNotEquals", ConditionCategory.Arn, ConditionComparison.Like, true),
        ("ArnNotLike", ConditionCategory.Arn, ConditionComparison.Like, true),
        ("Null", ConditionCategory.Null, ConditionComparison.IsAbsent, false),
    ];

    /// <summary>Every base operator name, in the order of the IAM documentation.</summary>
    public static IEnumerable<string> BaseNames => Bases.Select(b => b.Name);

    /// <summary>
    /// Whether a condition under this operator pins a key's value when the key is present <em>and</em> fails when it is
    /// absent: <c>StringEquals</c>, <c>StringLike</c>, <c>ArnEquals</c>, <c>ArnLike</c> without <c>IfExists</c> and without
    /// a set qualifier. (<c>IfExists</c> forms match a missing key; negated forms and <c>ForAllValues:</c> match a missing key
    /// too; <c>ForAnyValue:</c> pins nothing for a single-valued key such as <c>aws:SourceArn</c> that a caller cannot widen,
    /// but the rule keeps to the unqualified forms AWS documents for service principals.)
    /// </summary>
    public bool PinsValue =>
        !IfExists && Set == ConditionSetQualifier.None && BaseName is "StringEquals" or "StringLike" or "ArnEquals" or "ArnLike";

    /// <summary>Whether the operator's values may hold policy variables such as <c>${aws:PrincipalAccount}</c> (String, ARN and Bool operators).</summary>
    public bool SupportsPolicyVariables => Category is ConditionCategory.String or ConditionCategory.Arn or ConditionCategory.Bool;

    /// <summary>Parses an operator name.</summary>
    /// <param name="name">The name as written in the policy, e.g. <c>ForAnyValue:StringLikeIfExists</c>.</param>
    /// <param name="op">The operator, when the name is valid.</param>
    /// <param name="problem">
    /// When invalid: what is wrong, ending with a suggestion where one is close, e.g.
    /// <c>'StringEqualz' is not an IAM condition operator; did you mean 'StringEquals'?</c>.
    /// </param>
    /// <returns>Whether the name is a valid operator.</returns>
    public static bool TryParse(string? name, out ConditionOperator op, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        op = default;
        if (string.IsNullOrEmpty(name))
        {
            problem = "a condition operator name must not be empty";
            return false;
        }

        var set = ConditionSetQualifier.None;
        string rest = name;
        if (name.StartsWith(ForAnyValuePrefix, StringComparison.Ordinal))
        {
            (set, rest) = (ConditionSetQualifier.ForAnyValue, name[ForAnyValuePrefix.Length..]);
        }
        else if (name.StartsWith(ForAllValuesPrefix, StringComparison.Ordinal))
        {
            (set, rest) = (ConditionSetQualifier.ForAllValues, name[ForAllValuesPrefix.Length..]);
        }

        bool ifExists = rest.Length > IfExistsSuffix.Length && rest.EndsWith(IfExistsSuffix, StringComparison.Ordinal);
        string baseName = ifExists ? rest[..^IfExistsSuffix.Length] : rest;
        foreach (var b in Bases)
        {
            if (string.Equals(b.Name, baseName, StringComparison.Ordinal))
            {
                if (ifExists && b.Category == ConditionCategory.Null)
                {
                    problem = $"'{name}' is not an IAM condition operator: IfExists cannot be added to Null (Null already tests whether the key exists)";
                    return false;
                }

                op = new ConditionOperator(name, b.Name, b.Category, b.Comparison, b.Negated, ifExists, set);
                problem = null;
                return true;
            }
        }

        string? closest = Closest(name);
        problem = $"'{name}' is not an IAM condition operator" + (closest is null ? " (expected String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress, NotIpAddress, Arn* or Null, optionally with IfExists and a ForAnyValue:/ForAllValues: prefix)" : $"; did you mean '{closest}'?");
        return false;
    }

    /// <summary>
    /// The valid operator name closest to <paramref name="name"/> (qualifier and suffix kept where they are valid), or
    /// <see langword="null"/> when none is within a small edit distance. A difference of case alone always suggests.
    /// </summary>
    /// <param name="name">The invalid name.</param>
    /// <returns>The suggestion.</returns>
    public static string? Closest(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string prefix = string.Empty, rest = name;
        int colon = name.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            string qualifier = name[..colon];
            prefix = EditDistance.Closest(qualifier, ["ForAnyValue", "ForAllValues"], maxDistance: 3) is { } q ? q + ":" : string.Empty;
            if (prefix.Length == 0)
            {
                return null;
            }

            rest = name[(colon + 1)..];
        }

        var candidates = new List<string>(Bases.Length * 2);
        foreach (var b in Bases)
        {
            candidates.Add(b.Name);
            if (b.Category != ConditionCategory.Null)
            {
                candidates.Add(b.Name + IfExistsSuffix);
            }
        }

        // Near in spelling, or a longer or shorter form of one name ("Boolean" for Bool, "StringEqualsIgnore" for StringEqualsIgnoreCase).
        string? best = EditDistance.Closest(rest, candidates, maxDistance: Math.Max(2, rest.Length / 5))
            ?? candidates.Where(c => c.Length >= 4 && rest.Length >= 4 &&
                (rest.StartsWith(c, StringComparison.OrdinalIgnoreCase) || c.StartsWith(rest, StringComparison.OrdinalIgnoreCase)))
                .OrderBy(c => Math.Abs(c.Length - rest.Length)).FirstOrDefault();
        return best is null ? null : prefix + best;
    }

    /// <summary>
    /// Checks that a policy value has this operator's type: a number for Numeric*, an ISO 8601 date or epoch seconds for
    /// Date*, <c>true</c>/<c>false</c> for Bool and Null, an IP address or CIDR range for IpAddress, base64 for BinaryEquals.
    /// String and ARN values are free text. A policy variable (<c>${...}</c>) is accepted where the operator supports them.
    /// </summary>
    /// <param name="value">The policy value.</param>
    /// <param name="rule">When invalid: the rule, e.g. <c>must be a number such as 10 or 2.5</c>.</param>
    /// <returns>Whether the value fits.</returns>
    public bool IsValidValue(string value, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? rule)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (SupportsPolicyVariables && value.Contains("${", StringComparison.Ordinal))
        {
            rule = null;
            return true;
        }

        (bool ok, rule) = Category switch
        {
            ConditionCategory.Numeric => (ConditionValues.TryParseNumber(value, out _), "must be a number such as 10 or 2.5"),
            ConditionCategory.Date => (ConditionValues.TryParseDate(value, out _), "must be an ISO 8601 date or time in its calendar range (such as 2026-12-31 or 2026-12-31T23:59:59Z) or whole epoch seconds up to 253402300799 (a 13-digit value is milliseconds)"),
            ConditionCategory.Bool or ConditionCategory.Null => (ConditionValues.TryParseBool(value, out _), "must be true or false"),
            ConditionCategory.Binary => (ConditionValues.TryParseBase64(value, out _), "must be base64-encoded bytes"),
            ConditionCategory.IpAddress => (ConditionValues.TryParseIpRange(value, out _), "must be an IPv4 or IPv6 address or CIDR range such as 203.0.113.0/24 or 2001:db8::/32"),
            _ => (true, null),
        };
        if (ok)
        {
            rule = null;
        }

        return ok;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>Parsers for the typed condition values, shared by validation and evaluation.</summary>
internal static partial class ConditionValues
{
    /// <summary>The largest epoch-seconds value that is a date (9999-12-31T23:59:59Z); a 13-digit value is milliseconds.</summary>
    private static readonly long MaxEpochSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    private static readonly System.Buffers.SearchValues<char> Digits = System.Buffers.SearchValues.Create("0123456789");

    /// <summary>Whether the text is one or more ASCII digits; allocation-free (the access evaluator calls it per request).</summary>
    public static bool IsDigits(ReadOnlySpan<char> value) => !value.IsEmpty && !value.ContainsAnyExcept(Digits);

    /// <summary>A decimal number (optional sign, digits, optional fraction); no exponent, no thousands separators.</summary>
    public static bool TryParseNumber(string value, out decimal number) =>
        decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number)
        && value.Length > 0 && value[^1] != '.' && value[0] != '.' && !value.Contains("..", StringComparison.Ordinal);

    /// <summary>
    /// A date and time of the W3C profile of ISO 8601 (<c>YYYY</c>, <c>YYYY-MM</c>, <c>YYYY-MM-DD</c>, then <c>Thh:mm</c>,
    /// <c>:ss</c>, <c>.s</c> with any number of fraction digits, and <c>Z</c> or <c>±hh:mm</c>; without an offset it is UTC), its
    /// basic form <c>YYYYMMDDThhmmss</c> with <c>Z</c> or <c>±hhmm</c>, or whole epoch seconds up to the end of year 9999 (a
    /// four-digit value is a year). Each field must be in its calendar range (no month 13, no February 30, no hour 24).
    /// </summary>
    /// <remarks>Parsed by hand on the span, without a regular expression: a request's <c>aws:CurrentTime</c> is parsed on every
    /// evaluation, and the evaluator allocates nothing but its decision.</remarks>
    public static bool TryParseDate(string value, out DateTimeOffset date)
    {
        date = default;
        var v = value.AsSpan();
        if (v.Length != 4 && IsDigits(v))
        {
            if (!long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds) || seconds > MaxEpochSeconds)
            {
                return false;
            }

            date = DateTimeOffset.FromUnixTimeSeconds(seconds);
            return true;
        }

        int month = 1, day = 1, hour = 0, minute = 0, second = 0;
        ReadOnlySpan<char> fraction = default, zone = default;
        if (!Field(v, 0, 4, out int year))
        {
            return false;
        }

        if (v.Length > 4 && v[4] != '-')
        {
            // Basic form: YYYYMMDDThhmmss, then Z or ±hhmm.
            if (v.Length < 15 || !Field(v, 4, 2, out month) || !Field(v, 6, 2, out day) || v[8] != 'T' ||
                !Field(v, 9, 2, out hour) || !Field(v, 11, 2, out minute) || !Field(v, 13, 2, out second))
            {
                return false;
            }

            zone = v[15..];
            if (!(zone.IsEmpty || zone is "Z" || (zone.Length == 5 && zone[0] is '+' or '-' && IsDigits(zone[1..]))))
            {
                return false;
            }
        }
        else if (v.Length > 4)
        {
            // Extended form, each part optional after the one before: -MM, -DD, Thh:mm, :ss, .s…, then Z or ±hh[:]mm after a time.
            if (!Field(v, 5, 2, out month) || (v.Length > 7 && (v[7] != '-' || !Field(v, 8, 2, out day))) ||
                (v.Length > 10 && (v[10] != 'T' || !Field(v, 11, 2, out hour) || v.Length < 14 || v[13] != ':' || !Field(v, 14, 2, out minute))))
            {
                return false;
            }

            int at = 16;
            if (v.Length > 16 && v[16] == ':')
            {
                if (!Field(v, 17, 2, out second))
                {
                    return false;
                }

                at = 19;
                if (v.Length > 19 && v[19] == '.')
                {
                    int digits = v[20..].IndexOfAnyExcept(Digits);
                    digits = digits < 0 ? v.Length - 20 : digits;
                    if (digits == 0)
                    {
                        return false;
                    }

                    fraction = v.Slice(20, digits);
                    at = 20 + digits;
                }
            }

            zone = v.Length > at ? v[at..] : default;
            if (!(zone.IsEmpty || zone is "Z" || (zone.Length is 5 or 6 && zone[0] is '+' or '-' && IsDigits(zone.Slice(1, 2)) &&
                (zone.Length == 5 ? IsDigits(zone[3..]) : zone[3] == ':' && IsDigits(zone[4..])))))
            {
                return false;
            }
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var offset = TimeSpan.Zero;
        if (zone.Length > 1)
        {
            int offsetHours = (zone[1] - '0') * 10 + (zone[2] - '0'), offsetMinutes = (zone[^2] - '0') * 10 + (zone[^1] - '0');
            if (offsetHours > 18 || offsetMinutes > 59)
            {
                return false;
            }

            offset = new TimeSpan(offsetHours, offsetMinutes, 0) * (zone[0] == '-' ? -1 : 1);
        }

        // Fraction digits beyond the 100-ns tick are below what any request time carries: they are read, not refused.
        long ticks = 0;
        for (int i = 0; i < 7; i++)
        {
            ticks = (ticks * 10) + (i < fraction.Length ? fraction[i] - '0' : 0);
        }

        long utcTicks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks + ticks - offset.Ticks;
        if (utcTicks < 0 || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        date = new DateTimeOffset(utcTicks, TimeSpan.Zero);
        return true;

        // A fixed-width field of ASCII digits at a position.
        static bool Field(ReadOnlySpan<char> v, int start, int length, out int number)
        {
            number = 0;
            if (v.Length < start + length)
            {
                return false;
            }

            for (int i = start; i < start + length; i++)
            {
                if (v[i] is < '0' or > '9')
                {
                    return false;
                }

                number = (number * 10) + (v[i] - '0');
            }

            return true;
        }
    }

    /// <summary><c>true</c> or <c>false</c>, any case.</summary>
    public static bool TryParseBool(string value, out bool result)
    {
        if (string.Equals(value, "true", StringComparison.OrdinalIgnoreCase))
        {
            result = true;
            return true;
        }

        result = false;
        return string.Equals(value, "false", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Standard base64 with padding.</summary>
    public static bool TryParseBase64(string value, out byte[] bytes)
    {
        bytes = [];
        if (value.Length == 0 || value.Length % 4 != 0)
        {
            return false;
        }

        var buffer = new byte[value.Length / 4 * 3];
        if (Convert.TryFromBase64String(value, buffer, out int written))
        {
            bytes = buffer[..written];
            return true;
        }

        return false;
    }

    /// <summary>An IPv4/IPv6 CIDR range, or a single address (a /32 or /128 range).</summary>
    public static bool TryParseIpRange(string value, out IPNetwork range)
    {
        range = default;
        if (value.Contains('/', StringComparison.Ordinal))
        {
            // IPNetwork.TryParse refuses a range whose address has bits set beyond the prefix (10.0.0.1/8); IAM masks them.
            int slash = value.IndexOf('/', StringComparison.Ordinal);
            if (!IPAddress.TryParse(value.AsSpan(0, slash), out var address)
                || !int.TryParse(value.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int prefix)
                || value.Length - slash - 1 > 3)
            {
                return false;
            }

            int bits = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
            if (prefix > bits)
            {
                return false;
            }

            range = new IPNetwork(Mask(address, prefix), prefix);
            return true;
        }

        if (IPAddress.TryParse(value, out var single) && !value.Contains('%', StringComparison.Ordinal))
        {
            range = new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32);
            return true;
        }

        return false;
    }

    /// <summary>
    /// A request's IP address (<c>aws:SourceIp</c>) in the standard notation a request carries: IPv4 as four decimal octets
    /// (<c>203.0.113.7</c>, no leading zeros), IPv6 as colon-separated groups without a zone.
    /// <see cref="IPAddress.TryParse(ReadOnlySpan{char}, out IPAddress?)"/> alone also reads legacy forms (<c>10.1</c> is
    /// 10.0.0.1, <c>0xa.0.0.1</c> and <c>012.0.0.1</c> are 10.0.0.1, <c>167772161</c> is 10.0.0.1), which no request carries:
    /// read as addresses, a typo in a context value would be allowed by a range it does not name.
    /// </summary>
    public static bool TryParseAddress(ReadOnlySpan<char> text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.Contains(':'))
        {
            return !text.Contains('%') && IPAddress.TryParse(text, out address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        }

        Span<byte> octets = stackalloc byte[4];
        for (int i = 0; i < 4; i++)
        {
            int dot = i < 3 ? text.IndexOf('.') : text.Length;
            if (dot <= 0 || dot > 3 || !IsDigits(text[..dot]) || (dot > 1 && text[0] == '0'))
            {
                return false;
            }

            int octet = int.Parse(text[..dot], NumberStyles.None, CultureInfo.InvariantCulture);
            if (octet > 255)
            {
                return false;
            }

            octets[i] = (byte)octet;
            text = i < 3 ? text[(dot + 1)..] : default;
        }

        address = new IPAddress(octets);
        return true;
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        byte[] bytes = address.GetAddressBytes();
        for (int i = 0; i < bytes.Length; i++)
        {
            int keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }

}

/// <summary>Levenshtein distance for "did you mean" suggestions (case-insensitive).</summary>
internal static class EditDistance
{
    /// <summary>The candidate closest to <paramref name="name"/> within <paramref name="maxDistance"/> edits, case ignored; a candidate equal but for case wins.</summary>
    public static string? Closest(string name, IEnumerable<string> candidates, int maxDistance)
    {
        string? best = null;
        int bestDistance = maxDistance + 1;
        string upper = name.ToUpperInvariant();
        foreach (string candidate in candidates)
        {
            int d = Distance(upper, candidate.ToUpperInvariant());
            if (d < bestDistance)
            {
                (best, bestDistance) = (candidate, d);
            }
        }

        return best;
    }

    /// <summary>The Levenshtein distance between two strings (ordinal).</summary>
    public static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            prev[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (prev, cur) = (cur, prev);
        }

        return prev[b.Length];
    }
}
