namespace LexV2.ResourcePolicy;

/// <summary>
/// The condition keys a request to Amazon Lex V2 can carry: the AWS global condition context keys, cross-service keys included
/// ("AWS global condition context keys" in the IAM User Guide). Lex V2 defines no service-specific condition keys ("Condition keys for Amazon Lex V2" in the
/// Service Authorization Reference lists only <c>aws:RequestTag/${TagKey}</c>, <c>aws:ResourceTag/${TagKey}</c> and
/// <c>aws:TagKeys</c>), so a key outside this table can never match in a Lex resource policy. Key names are case-insensitive,
/// as IAM compares them. Used by the <see cref="PolicyLinter"/> to report misspelled keys (<c>aws:SoruceArn</c>).
/// </summary>
internal static class ConditionKeys
{
    /// <summary>The single keys, in the order of the IAM documentation's sections (principal, session, network, resource, request).</summary>
    private static readonly string[] Global =
    [
        // Properties of the principal
        "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgPaths", "aws:PrincipalOrgID", "aws:PrincipalIsAWSService",
        "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList", "aws:PrincipalType", "aws:userid", "aws:username", "aws:AssumedRoot",

        // Properties of a role session
        "aws:FederatedProvider", "aws:TokenIssueTime", "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent", "aws:ChatbotSourceArn",
        "aws:Ec2InstanceSourceVpc", "aws:Ec2InstanceSourcePrivateIPv4", "aws:SourceIdentity",

        // Properties of the network
        "aws:SourceIp", "aws:SourceVpc", "aws:SourceVpcArn", "aws:SourceVpce", "aws:VpcSourceIp", "aws:VpceAccount", "aws:VpceOrgID", "aws:VpceOrgPaths",

        // Properties of the resource
        "aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths",

        // Properties of the request
        "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:ViaAWSService", "aws:CurrentTime", "aws:EpochTime", "aws:referer",
        "aws:RequestedRegion", "aws:TagKeys", "aws:SecureTransport", "aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID",
        "aws:SourceOrgPaths", "aws:UserAgent",

        // Cross-service keys: set by one service, present in the request context of any (role sessions they started)
        "ec2:RoleDelivery", "ec2:SourceInstanceArn", "glue:RoleAssumedBy", "glue:CredentialIssuingService", "lambda:SourceFunctionArn",
        "ssm:SourceInstanceArn", "identitystore:UserId",
    ];

    /// <summary>The keys that end in a name of the caller's choosing (<c>aws:PrincipalTag/team</c>).</summary>
    private static readonly string[] Prefixes = ["aws:PrincipalTag/", "aws:RequestTag/", "aws:ResourceTag/"];

    private static readonly HashSet<string> GlobalSet = new(Global, StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="key"/> is a condition key a Lex V2 request can carry.</summary>
    /// <param name="key">The key as written in the policy.</param>
    /// <returns>Whether it is known.</returns>
    public static bool IsKnown(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (GlobalSet.Contains(key))
        {
            return true;
        }

        foreach (string prefix in Prefixes)
        {
            if (key.Length > prefix.Length && key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Why <paramref name="key"/> is not a key a Lex V2 request carries, with the nearest known key where one is close
    /// (<c>did you mean 'aws:SourceArn'?</c>); <see langword="null"/> when it is known.
    /// </summary>
    /// <param name="key">The key as written in the policy.</param>
    /// <returns>The problem, or <see langword="null"/>.</returns>
    public static string? Problem(string key)
    {
        if (IsKnown(key))
        {
            return null;
        }

        int colon = key.IndexOf(':', StringComparison.Ordinal);
        string prefix = colon < 0 ? string.Empty : key[..colon];
        string name = colon < 0 ? key : key[(colon + 1)..];
        if (colon >= 0 && !IsAwsPrefixTypo(prefix))
        {
            return string.Equals(prefix, "lex", StringComparison.OrdinalIgnoreCase)
                ? $"'{key}' is not a condition key: Amazon Lex V2 defines no service-specific condition keys, so the condition never matches; use the AWS global keys (aws:...)."
                : $"'{key}' is not a condition key Amazon Lex V2 requests carry (the AWS global keys, aws:..., and a few cross-service keys such as lambda:SourceFunctionArn), so the condition never matches" +
                  (EditDistance.Closest(key, Global.Where(k => !k.StartsWith("aws:", StringComparison.Ordinal)), maxDistance: 2) is { } near ? $"; did you mean '{near}'?" : ".");
        }

        // A misspelled global key, a misspelled "aws" prefix, or no prefix at all ("SourceArn").
        string? closest = Closest(name);
        return $"'{key}' is not an AWS global condition key, so the condition never matches" + (closest is null ? "." : $"; did you mean '{closest}'?");
    }

    /// <summary><c>aws</c> itself, or a slip of it: one edit away (<c>aw</c>, <c>awss</c>) or its letters swapped (<c>asw</c>).</summary>
    private static bool IsAwsPrefixTypo(string prefix)
    {
        string upper = prefix.ToUpperInvariant();
        return EditDistance.Distance(upper, "AWS") <= 1 || (upper.Length == 3 && string.Concat(upper.Order()) == "ASW");
    }

    /// <summary>The known key nearest to <paramref name="name"/> (the part after <c>aws:</c>), or <see langword="null"/>.</summary>
    private static string? Closest(string name)
    {
        foreach (string prefix in Prefixes)
        {
            string bare = prefix[4..^1];
            int slash = name.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && slash < name.Length - 1 && EditDistance.Distance(name[..slash].ToUpperInvariant(), bare.ToUpperInvariant()) <= 2)
            {
                return prefix + name[(slash + 1)..];
            }
        }

        return EditDistance.Closest(name, Global.Where(k => k.StartsWith("aws:", StringComparison.Ordinal)).Select(k => k[4..]), maxDistance: Math.Max(2, name.Length / 5)) is { } best ? "aws:" + best : null;
    }
}
