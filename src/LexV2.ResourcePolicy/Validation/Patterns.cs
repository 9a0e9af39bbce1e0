namespace LexV2.ResourcePolicy.Validation;

/// <summary>
/// The API model's patterns for the members the client checks on every call, as plain character loops: each matches exactly
/// the strings its regular expression (quoted on each method) matches, without the start-up cost of regular expressions on a
/// client's first call. Tests hold the expressions and compare both on random input.
/// </summary>
internal static class Patterns
{
    /// <summary>
    /// <c>^[a-z0-9]+(-[a-z0-9]+)*\z</c>: lower-case labels joined by single dashes, nothing after them (a region goes into host
    /// names and the credential scope, so not even the final line feed that a regular expression's <c>$</c> would let through).
    /// </summary>
    public static bool IsRegion(string value)
    {
        ReadOnlySpan<char> s = value;
        bool afterDash = true; // nor at the start
        foreach (char c in s)
        {
            if (c == '-')
            {
                if (afterDash)
                {
                    return false;
                }

                afterDash = true;
            }
            else if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c))
            {
                afterDash = false;
            }
            else
            {
                return false;
            }
        }

        return !afterDash;
    }

    /// <summary><c>^([0-9a-zA-Z][_-]?)+\z</c>: letters and digits, each optionally followed by one <c>_</c> or <c>-</c>.</summary>
    public static bool IsStatementId(string value)
    {
        bool afterAlphanumeric = false;
        foreach (char c in value)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                afterAlphanumeric = true;
            }
            else if (c is '_' or '-' && afterAlphanumeric)
            {
                afterAlphanumeric = false;
            }
            else
            {
                return false;
            }
        }

        return value.Length > 0;
    }

    /// <summary><c>^[0-9]+\z</c>.</summary>
    public static bool IsRevisionId(string value) => value.Length > 0 && !value.AsSpan().ContainsAnyExceptInRange('0', '9');

    /// <summary><c>^[0-9a-zA-Z_.]+\z</c>.</summary>
    public static bool IsServicePrincipal(string value)
    {
        foreach (char c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.'))
            {
                return false;
            }
        }

        return value.Length > 0;
    }

    /// <summary><c>^arn:aws:iam::[0-9]{12}:(root|(user|role)/.*)\z</c>, <c>.</c> matching any character.</summary>
    public static bool IsPrincipalArn(string value)
    {
        const string Prefix = "arn:aws:iam::";
        if (!value.StartsWith(Prefix, StringComparison.Ordinal) || value.Length < Prefix.Length + 13)
        {
            return false;
        }

        ReadOnlySpan<char> account = value.AsSpan(Prefix.Length, 12);
        ReadOnlySpan<char> rest = value.AsSpan(Prefix.Length + 12);
        return !account.ContainsAnyExceptInRange('0', '9') && rest[0] == ':' &&
            (rest[1..] is "root" || rest[1..].StartsWith("user/", StringComparison.Ordinal) || rest[1..].StartsWith("role/", StringComparison.Ordinal));
    }

    /// <summary>
    /// <c>lex:[a-zA-Z*]+\z</c> (not anchored at the start): the text after the last <c>:</c> is letters and <c>*</c>, and that colon
    /// ends <c>lex:</c> (the letters cannot hold a colon, so no other <c>lex:</c> could start the match).
    /// </summary>
    public static bool IsAction(string value)
    {
        int colon = value.LastIndexOf(':');
        if (colon < 3 || colon == value.Length - 1 || !value.AsSpan(colon - 3, 4).SequenceEqual("lex:"))
        {
            return false;
        }

        foreach (char c in value.AsSpan(colon + 1))
        {
            if (!char.IsAsciiLetter(c) && c != '*')
            {
                return false;
            }
        }

        return true;
    }
}
