using LexV2.ResourcePolicy.Configuration;
using LexV2.ResourcePolicy.Resilience;
using LexV2.ResourcePolicy.Signing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LexV2.ResourcePolicy;

/// <summary>
/// Everything one configured client shares across its calls and its handler instances (which HttpClientFactory recycles):
/// resolved endpoint and region, credentials, clock skew, retry budget, clock and logger.
/// </summary>
internal sealed class LexClientRuntime
{
    /// <summary>The package version (written into the build as a constant: no reflection at start-up).</summary>
    internal const string PackageVersion = BuildInfo.PackageVersion;

    public LexClientRuntime(LexPolicyClientOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid LexPolicyClientOptions: " + string.Join(" ", problems), nameof(options));
        }

        // Settings are read once: later changes to the caller's options object do not reach a built client.
        options = options.Clone();
        Options = options;
        Settings = ClientSettings.Resolve(options);
        Region = Settings.Region;
        Endpoint = Settings.Endpoint;
        SigningRegion = Settings.SigningRegion;
        // The profile the settings were read from is the one the credentials come from, even where AWSSDK.Core's chain on its
        // own would read another (it knows only AWS_PROFILE; the profile may come from AWS_DEFAULT_PROFILE).
        Time = timeProvider ?? TimeProvider.System;
        Credentials = options.Profile is { Length: > 0 } || Settings.CredentialProfile is not { } chosen
            ? new CredentialSource(options.Credentials, options.Profile, credentialsFile: Settings.CredentialsFile, time: Time)
            : new CredentialSource(options.Credentials, chosen.Name, chosen.Source, Settings.CredentialsFile, Time);
        Logger = (ILogger?)loggerFactory?.CreateLogger("LexV2.ResourcePolicy") ?? NullLogger.Instance;
        Budget = new RetryBudget(options.RetryBudget);
        Limiter = Settings.RetryMode == LexRetryMode.Adaptive ? new AdaptiveRateLimiter(Time) : null;
        UserAgent = "LexV2.ResourcePolicy/" + PackageVersion + " dotnet/" + Environment.Version.ToString(2) +
            (options.ApplicationName is { } app ? " app/" + app : string.Empty);
    }

    /// <summary>The client's own copy of the settings, taken when it was built.</summary>
    public LexPolicyClientOptions Options { get; }

    /// <summary>Endpoint, region, retry settings and their sources, resolved once from options, environment and profile.</summary>
    public ClientSettings Settings { get; }

    /// <summary>How many times a call may be retried (the option, else <c>AWS_MAX_ATTEMPTS</c> / <c>max_attempts</c> minus one).</summary>
    public int MaxRetries => Settings.MaxRetries;

    /// <summary>The resolved region, or <see langword="null"/> when only an endpoint is configured.</summary>
    public string? Region { get; }

    public string SigningRegion { get; }

    public Uri Endpoint { get; }

    public CredentialSource Credentials { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public RetryBudget Budget { get; }

    /// <summary>The client-side rate limiter of adaptive retry mode, shared by all calls; <see langword="null"/> in standard mode.</summary>
    public AdaptiveRateLimiter? Limiter { get; }

    public ClockSkew Skew { get; } = new();

    public string UserAgent { get; }

    /// <summary>The handlers the client puts around any user handlers: retries outermost, signing innermost.</summary>
    public RetryHandler CreateRetryHandler() => new(this);

    public AwsSigV4Handler CreateSigningHandler() => new(Credentials, SigningRegion, "lex", Time, Skew);

    /// <summary>Builds the whole chain over a transport: retry → signing → transport.</summary>
    public HttpMessageHandler CreateChain(HttpMessageHandler transport)
    {
        var signer = CreateSigningHandler();
        signer.InnerHandler = transport;
        var retry = CreateRetryHandler();
        retry.InnerHandler = signer;
        return retry;
    }
}
