namespace LexV2.ResourcePolicy;

/// <summary>The resource of an <see cref="AccessRequest"/>, parsed once when it is set: its ARN and owning account.</summary>
internal sealed class ResourceIdentity
{
    private ResourceIdentity(string arn, string? account, string? problem, string? partition = null)
    {
        Arn = arn;
        Account = account;
        Problem = problem;
        Partition = partition;
    }

    /// <summary>The partition of the ARN (<c>aws</c>, <c>aws-cn</c>, …).</summary>
    public string? Partition { get; }

    /// <summary>The ARN as given.</summary>
    public string Arn { get; }

    /// <summary>The 12-digit account that owns the resource (and whose resource policy is evaluated).</summary>
    public string? Account { get; }

    /// <summary>Why the ARN is not usable; <see langword="null"/> when it is.</summary>
    public string? Problem { get; }

    /// <summary>Parses a resource ARN; never throws.</summary>
    public static ResourceIdentity Parse(string? arn)
    {
        if (string.IsNullOrWhiteSpace(arn))
        {
            return new(arn ?? string.Empty, null, "is required: the bot or bot-alias ARN, e.g. arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID12345/TSTALIASID");
        }

        string[] p = arn.Split(':', 6);
        if (p.Length < 6 || p[0] != "arn" || p[1].Length == 0 || p[2].Length == 0 || p[5].Length == 0)
        {
            return new(arn, null, $"'{arn}' is not an ARN: expected arn:{{partition}}:{{service}}:{{region}}:{{account}}:{{resource}}");
        }

        if (p[4].Length != 12 || !ConditionValues.IsDigits(p[4]))
        {
            return new(arn, null, $"'{arn}' has no 12-digit account id; the evaluator needs the resource's account to tell same-account from cross-account requests");
        }

        return arn.AsSpan().IndexOfAny('*', '?') >= 0
            ? new(arn, null, $"'{arn}' contains a wildcard; a request names one resource")
            : new(arn, p[4], null, p[1]);
    }
}
