namespace LexV2.ResourcePolicy.Endpoints;

/// <summary>An AWS partition: its name and DNS suffixes.</summary>
internal sealed record Partition(string Name, string DnsSuffix, string DualStackDnsSuffix);

/// <summary>
/// Resolves the Lex V2 model-building endpoint for a region: <c>https://models-v2-lex.{region}.{dnsSuffix}</c>, with the
/// FIPS (<c>models-v2-lex-fips</c>) and dual-stack variants, or an explicit <c>ServiceUrl</c>.
/// </summary>
internal static class LexEndpoint
{
    internal static readonly Partition Aws = new("aws", "amazonaws.com", "api.aws");
    internal static readonly Partition AwsCn = new("aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn");
    internal static readonly Partition AwsUsGov = new("aws-us-gov", "amazonaws.com", "api.aws");

    /// <summary>The partition a region belongs to.</summary>
    public static Partition PartitionOf(string region) =>
        region.StartsWith("cn-", StringComparison.Ordinal) ? AwsCn :
        region.StartsWith("us-gov-", StringComparison.Ordinal) ? AwsUsGov :
        Aws;

    /// <summary>Whether a region name is well formed (lower-case letters, digits and dashes), so that it cannot alter the host name.</summary>
    public static bool IsValidRegion(string? region) => region is not null && Validation.Patterns.IsRegion(region);

    /// <summary>Resolves the endpoint, or throws <see cref="InvalidOperationException"/> naming the setting to fix.</summary>
    public static Uri Resolve(string? region, Uri? serviceUrl, bool useFips, bool useDualStack)
    {
        if (serviceUrl is not null)
        {
            if (useFips || useDualStack)
            {
                throw new InvalidOperationException("LexPolicyClientOptions.ServiceUrl cannot be combined with UseFips or UseDualStack: a custom endpoint is used exactly as given.");
            }

            if (!serviceUrl.IsAbsoluteUri || (serviceUrl.Scheme != Uri.UriSchemeHttps && serviceUrl.Scheme != Uri.UriSchemeHttp))
            {
                throw new InvalidOperationException($"LexPolicyClientOptions.ServiceUrl must be an absolute http or https URL (was '{Display(serviceUrl)}').");
            }

            if (!string.IsNullOrEmpty(serviceUrl.UserInfo))
            {
                // SigV4 never uses it, and a password in it would be shown wherever the endpoint is.
                throw new InvalidOperationException($"LexPolicyClientOptions.ServiceUrl must not contain a user name or password (was '{Display(serviceUrl)}').");
            }

            if (!string.IsNullOrEmpty(serviceUrl.Query) || !string.IsNullOrEmpty(serviceUrl.Fragment))
            {
                throw new InvalidOperationException("LexPolicyClientOptions.ServiceUrl must not have a query or fragment.");
            }

            return serviceUrl;
        }

        if (string.IsNullOrEmpty(region))
        {
            throw new InvalidOperationException(
                "No AWS region is configured for the Lex policy client: set LexPolicyClientOptions.Region (for example \"us-east-1\"), " +
                "the AWS_REGION environment variable or a region in the AWS profile, or set ServiceUrl to use a local emulator.");
        }

        if (!IsValidRegion(region))
        {
            throw new InvalidOperationException($"LexPolicyClientOptions.Region '{region}' is not a valid AWS region name (expected lower-case letters, digits and dashes, for example \"us-east-1\").");
        }

        var p = PartitionOf(region);
        string host = (useFips ? "models-v2-lex-fips." : "models-v2-lex.") + region + "." + (useDualStack ? p.DualStackDnsSuffix : p.DnsSuffix);
        return new Uri("https://" + host + "/", UriKind.Absolute);
    }

    /// <summary>A URL as it may be shown: without any user name or password it carries.</summary>
    public static string Display(Uri url) =>
        url.IsAbsoluteUri && !string.IsNullOrEmpty(url.UserInfo) ? new UriBuilder(url) { UserName = string.Empty, Password = string.Empty }.Uri.ToString() : url.ToString();

    /// <summary>
    /// The region an AWS endpoint host names: <c>*.{region}.amazonaws.com</c>, <c>*.{region}.vpce.amazonaws.com</c>,
    /// <c>*.{region}.amazonaws.com.cn</c> and the dual-stack <c>*.{region}.api.aws</c>; <see langword="null"/> for any other host
    /// (a local emulator, a proxy), which then signs for the configured or default region.
    /// </summary>
    public static string? RegionOfHost(Uri endpoint)
    {
        if (endpoint.HostNameType != UriHostNameType.Dns)
        {
            return null;
        }

        string[] labels = endpoint.IdnHost.ToLowerInvariant().TrimEnd('.').Split('.');
        int suffix = labels switch
        {
            [.., "amazonaws", "com", "cn"] => 3,
            [.., "amazonaws", "com"] => 2,
            [.., "api", "aws"] => 2,
            [.., "api", "amazonwebservices", "com", "cn"] => 4,
            _ => -1,
        };
        if (suffix < 0)
        {
            return null;
        }

        int at = labels.Length - suffix - 1;
        if (at >= 1 && labels[at] == "vpce")
        {
            at--;
        }

        return at >= 1 && IsValidRegion(labels[at]) && labels[at].Contains('-', StringComparison.Ordinal) ? labels[at] : null;
    }
}
