using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;

namespace LexV2.ResourcePolicy.Tool;

/// <summary>
/// The global options every command takes (<c>--region</c>, <c>--profile</c>, <c>--endpoint-url</c>) turned into client options,
/// the way the library resolves them: with <c>--profile</c>, that profile's credentials and region (through AWSSDK.Core's
/// profile store, so SSO, assume-role and credential processes work); otherwise the library's default chains.
/// </summary>
internal sealed partial class Connection
{
    /// <summary>The AWS SDKs' <c>EndpointSource</c> of an endpoint built from the region (no endpoint configured).</summary>
    public const string RegionalEndpointSource = "regional endpoint";

    private Connection(string? region, string regionSource, Uri? endpointUrl, AWSCredentials? credentials, string credentialSource, string? profile = null)
    {
        Profile = profile;
        Region = region;
        RegionSource = regionSource;
        EndpointUrl = endpointUrl;
        Credentials = credentials;
        CredentialSource = credentialSource;
    }

    /// <summary>The <c>--profile</c> given: the library also takes that profile's endpoint and retry settings.</summary>
    public string? Profile { get; }

    /// <summary>The region given or found (<see langword="null"/>: left to the library's chain).</summary>
    public string? Region { get; }

    /// <summary>Where the region comes from, in words.</summary>
    public string RegionSource { get; }

    public Uri? EndpointUrl { get; }

    /// <summary>The profile's credentials; <see langword="null"/>: the library's default chain.</summary>
    public AWSCredentials? Credentials { get; }

    /// <summary>Where the credentials come from, in words (never a secret).</summary>
    public string CredentialSource { get; }

    /// <summary>The retry mode chosen with <c>--retry-mode</c>; <see langword="null"/>: AWS_RETRY_MODE, the profile's, else adaptive.</summary>
    public LexRetryMode? RetryMode { get; private set; }

    /// <summary>The attempts per call chosen with <c>--max-attempts</c> (first included); <see langword="null"/>: the shared config's.</summary>
    public int? MaxAttempts { get; private set; }

    public static Connection Resolve(string? region, string? profileName, string? endpointUrl, ToolEnvironment env, string? retryMode = null, int? maxAttempts = null)
    {
        if (maxAttempts is < 1 or > 21)
        {
            throw new ToolException($"--max-attempts must be between 1 and 21 (was {maxAttempts}); it counts the first attempt.");
        }

        var connection = ResolveCore(region, profileName, endpointUrl, env);
        connection.RetryMode = retryMode switch
        {
            null => null,
            "adaptive" => LexRetryMode.Adaptive,
            _ => LexRetryMode.Standard, // standard, or legacy, which the AWS SDKs map to standard
        };
        connection.MaxAttempts = maxAttempts;
        return connection;
    }

    /// <summary>Whether <paramref name="region"/> looks like an AWS region name (<c>us-east-1</c>, <c>us-gov-west-1</c>, <c>eu-isoe-west-1</c>).</summary>
    public static bool IsRegionName(string region) => RegionPattern().IsMatch(region);

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();

    private static Connection ResolveCore(string? region, string? profileName, string? endpointUrl, ToolEnvironment env)
    {
        Uri? endpoint = null;
        if (endpointUrl is not null &&
            (!Uri.TryCreate(endpointUrl, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https")))
        {
            throw new ToolException($"--endpoint-url '{endpointUrl}' is not an absolute http or https URL.");
        }

        if (region is not null && string.IsNullOrWhiteSpace(region))
        {
            throw new ToolException("--region is empty; give a region such as us-east-1, or leave it out.");
        }

        if (region is not null && !IsRegionName(region))
        {
            throw new ToolException($"--region '{region}' is not an AWS region name; give one such as us-east-1 or eu-west-2 (or leave it out: commands on resources use each ARN's region).");
        }

        string? regionSource = region is null ? null : "--region";
        if (profileName is null)
        {
            regionSource ??= env.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } ? "AWS_REGION"
                : env.GetEnvironmentVariable("AWS_DEFAULT_REGION") is { Length: > 0 } ? "AWS_DEFAULT_REGION"
                : "the shared config file's profile";
            return new Connection(region, regionSource, endpoint, null, "the AWS SDK default chain (environment, AWS_PROFILE, web identity, container, instance)");
        }

        var store = new CredentialProfileStoreChain(env.ProfilesLocation);
        if (!store.TryGetProfile(profileName, out var profile))
        {
            throw new ToolException($"--profile '{profileName}': no such profile in the shared credentials or config file{(env.ProfilesLocation is null ? string.Empty : " " + env.ProfilesLocation)}.");
        }

        if (!store.TryGetAWSCredentials(profileName, out var credentials))
        {
            throw new ToolException($"--profile '{profileName}': the profile has no usable credentials.");
        }

        if (region is null && profile.Region is { } profileRegion)
        {
            region = profileRegion.SystemName;
            regionSource = $"profile '{profileName}'";
        }

        // The library also takes the profile's endpoint and retry settings, from the shared files it finds itself; with a profile
        // store of the tool's own (tests), only the credentials and region come from it.
        return new Connection(region, regionSource ?? "the library's chain (AWS_REGION, AWS_DEFAULT_REGION, default profile)", endpoint, credentials, $"profile '{profileName}' ({credentials.GetType().Name})", env.ProfilesLocation is null ? profileName : null);
    }

    /// <summary>The client options; <paramref name="region"/> (a resource's region) wins over the connection's own.</summary>
    public LexPolicyClientOptions ToOptions(string? region = null)
    {
        var options = new LexPolicyClientOptions
        {
            Region = region ?? Region,
            ServiceUrl = EndpointUrl,
            Credentials = Credentials,
            Profile = Profile,
            ApplicationName = "lexpolicy",
            RetryMode = RetryMode,
        };
        if (MaxAttempts is { } attempts)
        {
            options.MaxRetries = attempts - 1; // set only when given: otherwise AWS_MAX_ATTEMPTS and the profile's max_attempts apply
        }

        return options;
    }

    /// <summary>
    /// Creates the client for <paramref name="region"/> (default: the connection's region); a configuration problem (no region, a
    /// bad endpoint) becomes a <see cref="ToolException"/>. Unless the user chose a retry mode (<c>--retry-mode</c>,
    /// <c>AWS_RETRY_MODE</c>, the profile's <c>retry_mode</c>), the client uses adaptive mode: a bulk run is throttled, and adaptive
    /// mode paces the client to the rate the service accepts instead of spending its retry budget in seconds.
    /// </summary>
    public LexPolicyClient CreateClient(ToolEnvironment env, string? region = null)
    {
        var options = ToOptions(region);
        var client = Create(env, options);
        if (RetryMode is null && client.RetryModeSource == "default")
        {
            client.Dispose();
            options.RetryMode = LexRetryMode.Adaptive;
            client = Create(env, options);
        }

        return client;
    }

    /// <summary>Where the client's retry mode comes from, in words.</summary>
    public string RetryModeSource(LexPolicyClient client) =>
        RetryMode is not null ? "--retry-mode"
        : client.RetryModeSource == "LexPolicyClientOptions.RetryMode" ? "the tool's default: bulk runs pace themselves"
        : client.RetryModeSource;

    private static LexPolicyClient Create(ToolEnvironment env, LexPolicyClientOptions options)
    {
        try
        {
            return env.Transport is null ? new LexPolicyClient(options) : new LexPolicyClient(options, env.Transport);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new ToolException(e.Message + " " + Advice(e.Message));
        }
    }

    /// <summary>
    /// What to do about a setting the client refused: the library's message names it (<c>AWS_MAX_ATTEMPTS is 'abc': ...</c>, a
    /// profile's <c>retry_mode</c>), and the flag that overrides a retry setting is the way out; anything else is about where
    /// the calls go.
    /// </summary>
    private static string Advice(string message) =>
        message.Contains("AWS_MAX_ATTEMPTS", StringComparison.Ordinal) || message.Contains("max_attempts", StringComparison.Ordinal)
            ? "Correct it, or override it with --max-attempts N (1-21)."
            : message.Contains("AWS_RETRY_MODE", StringComparison.Ordinal) || message.Contains("retry_mode", StringComparison.Ordinal)
                ? "Correct it, or override it with --retry-mode adaptive or --retry-mode standard."
                : "Use --region, --profile or --endpoint-url.";
}
