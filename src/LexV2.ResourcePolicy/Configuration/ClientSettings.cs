using LexV2.ResourcePolicy.Endpoints;

namespace LexV2.ResourcePolicy.Configuration;

/// <summary>
/// What one client uses, resolved once from its options, the environment and the shared config file, in the order the AWS SDKs
/// use: an explicit option always wins, then environment variables, then the profile, then the default. Each value records its
/// source, for <c>lexpolicy doctor</c> and error messages.
/// </summary>
internal sealed record ClientSettings(
    Uri Endpoint,
    string EndpointSource,
    string? Region,
    string RegionSource,
    string SigningRegion,
    int MaxRetries,
    string MaxRetriesSource,
    LexRetryMode RetryMode,
    string RetryModeSource)
{
    /// <summary>
    /// The profile the credentials must come from when AWSSDK.Core's default chain would read another one (the profile
    /// <c>AWS_DEFAULT_PROFILE</c> chose), with what chose it; <see langword="null"/> otherwise.
    /// </summary>
    public (string Name, string Source)? CredentialProfile { get; init; }

    /// <summary>The shared credentials file as the AWS CLI finds it (variables and <c>~</c> expanded), when it exists.</summary>
    public string? CredentialsFile { get; init; }

    /// <summary>The number of retries when nothing configures it (4 attempts in all).</summary>
    public const int DefaultMaxRetries = 3;

    /// <summary>Resolves the settings, or throws <see cref="InvalidOperationException"/> naming the setting and its source.</summary>
    public static ClientSettings Resolve(LexPolicyClientOptions options, SharedConfig? config = null)
    {
        config ??= SharedConfig.Load(options.Profile);
        var (region, regionSource) = ResolveRegion(options, config);
        var (endpoint, endpointSource) = ResolveEndpoint(options, config, region);
        string signingRegion =
            (string.IsNullOrWhiteSpace(options.Region) ? null : options.Region.Trim())
            ?? (endpointSource != RegionalEndpoint ? LexEndpoint.RegionOfHost(endpoint) : null)
            ?? region
            ?? "us-east-1";
        var (maxRetries, maxRetriesSource) = ResolveMaxRetries(options, config);
        var (mode, modeSource) = ResolveRetryMode(options, config);
        return new ClientSettings(endpoint, endpointSource, region, regionSource, signingRegion, maxRetries, maxRetriesSource, mode, modeSource)
        {
            CredentialProfile = config.CredentialProfile is { } profile ? (profile, config.ProfileSource) : null,
            CredentialsFile = config.CredentialsPath,
        };
    }

    /// <summary>The <see cref="EndpointSource"/> of the endpoint built from the region.</summary>
    public const string RegionalEndpoint = "regional endpoint";

    private static (string? Region, string Source) ResolveRegion(LexPolicyClientOptions options, SharedConfig config)
    {
        if (!string.IsNullOrWhiteSpace(options.Region))
        {
            return (options.Region.Trim(), "LexPolicyClientOptions.Region");
        }

        // A profile named in code is the more specific choice: its region comes before the environment's (the AWS SDK for
        // .NET's convention; the AWS CLI lets AWS_DEFAULT_REGION win).
        if (options.Profile is { Length: > 0 } && config.Value("region") is { } profileRegion)
        {
            return Checked(profileRegion, config.Source("region"));
        }

        foreach (string name in new[] { "AWS_REGION", "AWS_DEFAULT_REGION" })
        {
            if (config.Environment(name) is { } value)
            {
                return Checked(value, name);
            }
        }

        return config.Value("region") is { } region ? Checked(region, config.Source("region")) : (null, "none");
    }

    /// <summary>A region read from the environment or a file, refused with its source when it is no region name.</summary>
    private static (string Region, string Source) Checked(string region, string source) =>
        LexEndpoint.IsValidRegion(region)
            ? (region, source)
            : throw new InvalidOperationException(
                $"The region configured by {source} is '{region.ReplaceLineEndings(" ")}', which is not a valid AWS region name (lower-case letters, digits and dashes, for example \"us-east-1\"). The AWS config file has no end-of-line comments: a '#' or ';' after a value is part of it.");

    private static (Uri Endpoint, string Source) ResolveEndpoint(LexPolicyClientOptions options, SharedConfig config, string? region)
    {
        if (options.ServiceUrl is not null)
        {
            return (LexEndpoint.Resolve(region, options.ServiceUrl, options.UseFips, options.UseDualStack), "LexPolicyClientOptions.ServiceUrl");
        }

        if (!config.Bool("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls"))
        {
            // botocore's order: the service's variable, the global variable, the profile's services section, the profile.
            (string? Url, string Source)? configured =
                config.Environment(SharedConfig.ServiceEndpointVariable) is { } serviceEnv ? (serviceEnv, SharedConfig.ServiceEndpointVariable) :
                config.Environment("AWS_ENDPOINT_URL") is { } globalEnv ? (globalEnv, "AWS_ENDPOINT_URL") :
                config.ServiceSection() is var (section, name) && section.TryGetValue("endpoint_url", out string? serviceUrl) && serviceUrl.Length > 0
                    ? (serviceUrl, $"{SharedConfig.ServiceKey} endpoint_url of the services section '{name}' of profile '{config.ProfileName}' in {config.ConfigPath}") :
                config.Value("endpoint_url") is { } profileUrl ? (profileUrl, config.Source("endpoint_url")) :
                null;
            if (configured is var (url, source) && url is not null)
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri))
                {
                    throw new InvalidOperationException($"The endpoint configured by {source} is not an absolute URL.");
                }

                if (options.UseFips || options.UseDualStack)
                {
                    throw new InvalidOperationException($"An endpoint is configured by {source}, which cannot be combined with UseFips or UseDualStack. Set AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true to use the FIPS or dual-stack endpoint.");
                }

                try
                {
                    return (LexEndpoint.Resolve(region, uri, false, false), source);
                }
                catch (InvalidOperationException e)
                {
                    throw new InvalidOperationException($"The endpoint configured by {source} is not usable: {e.Message}", e);
                }
            }
        }

        // FIPS and dual-stack: true in code, else AWS_USE_FIPS_ENDPOINT / use_fips_endpoint and AWS_USE_DUALSTACK_ENDPOINT /
        // use_dualstack_endpoint, read as botocore reads them; a configured endpoint above wins over them, as in botocore.
        bool fips = options.UseFips || config.Bool("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint");
        bool dualStack = options.UseDualStack || config.Bool("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint");
        return (LexEndpoint.Resolve(region, null, fips, dualStack), RegionalEndpoint);
    }

    private static (int MaxRetries, string Source) ResolveMaxRetries(LexPolicyClientOptions options, SharedConfig config)
    {
        if (options.MaxRetriesIsSet)
        {
            return (options.MaxRetries, "LexPolicyClientOptions.MaxRetries");
        }

        (string Value, string Source)? configured =
            config.Environment("AWS_MAX_ATTEMPTS") is { } env ? (env, "AWS_MAX_ATTEMPTS") :
            config.Value("max_attempts") is { } profile ? (profile, config.Source("max_attempts")) :
            null;
        if (configured is not var (value, source))
        {
            return (DefaultMaxRetries, "default");
        }

        // max_attempts counts the first attempt: max_attempts = 3 means 2 retries.
        int attempts = SharedConfig.ParseInt(value, source);
        if (attempts is < 1 or > LexPolicyClientOptions.MaxAllowedRetries + 1)
        {
            throw new InvalidOperationException($"{source} is '{value}': expected the number of attempts, first one included, from 1 to {LexPolicyClientOptions.MaxAllowedRetries + 1}.");
        }

        return (attempts - 1, source);
    }

    private static (LexRetryMode Mode, string Source) ResolveRetryMode(LexPolicyClientOptions options, SharedConfig config)
    {
        if (options.RetryMode is { } explicitMode)
        {
            return (explicitMode, "LexPolicyClientOptions.RetryMode");
        }

        (string Value, string Source)? configured =
            config.Environment("AWS_RETRY_MODE") is { } env ? (env, "AWS_RETRY_MODE") :
            config.Value("retry_mode") is { } profile ? (profile, config.Source("retry_mode")) :
            null;
        if (configured is not var (value, source))
        {
            return (LexRetryMode.Standard, "default");
        }

        return value.Trim().ToUpperInvariant() switch
        {
            "STANDARD" or "LEGACY" => (LexRetryMode.Standard, source),
            "ADAPTIVE" => (LexRetryMode.Adaptive, source),
            _ => throw new InvalidOperationException($"{source} is '{value}': expected standard, legacy or adaptive."),
        };
    }
}
