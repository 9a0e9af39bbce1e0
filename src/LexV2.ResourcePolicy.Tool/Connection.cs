using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;

namespace LexV2.ResourcePolicy.Tool;

/// <summary>
/// The global options every command takes (<c>--region</c>, <c>--profile</c>, <c>--endpoint-url</c>) turned into client options,
/// the way the library resolves them: with <c>--profile</c>, that profile's credentials and region (through AWSSDK.Core's
/// profile store, so SSO, assume-role and credential processes work); otherwise the library's default chains.
/// </summary>
internal sealed class Connection
{
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

    public static Connection Resolve(string? region, string? profileName, string? endpointUrl, ToolEnvironment env)
    {
        Uri? endpoint = null;
        if (endpointUrl is not null &&
            (!Uri.TryCreate(endpointUrl, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https")))
        {
            throw new ToolException($"--endpoint-url '{endpointUrl}' is not an absolute http or https URL.");
        }

        if (region is not null && string.IsNullOrWhiteSpace(region))
        {
            throw new ToolException("--region is empty.");
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

    public LexPolicyClientOptions ToOptions() => new()
    {
        Region = Region,
        ServiceUrl = EndpointUrl,
        Credentials = Credentials,
        Profile = Profile,
        ApplicationName = "lexpolicy",
    };

    /// <summary>Creates the client; a configuration problem (no region, a bad endpoint) becomes a <see cref="ToolException"/>.</summary>
    public LexPolicyClient CreateClient(ToolEnvironment env)
    {
        try
        {
            return env.Transport is null ? new LexPolicyClient(ToOptions()) : new LexPolicyClient(ToOptions(), env.Transport);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new ToolException(e.Message + " Use --region, --profile or --endpoint-url.");
        }
    }
}
