using System.Reflection;
using Amazon.Runtime;
using LexV2.ResourcePolicy.Endpoints;
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
    internal static readonly string PackageVersion =
        typeof(LexClientRuntime).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

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
        Region = RegionResolver.Resolve(options.Region);
        Endpoint = LexEndpoint.Resolve(Region, options.ServiceUrl, options.UseFips, options.UseDualStack);
        SigningRegion = SigningRegionFor(options, Region, Endpoint);
        Credentials = new CredentialSource(options.Credentials);
        Time = timeProvider ?? TimeProvider.System;
        Logger = (ILogger?)loggerFactory?.CreateLogger("LexV2.ResourcePolicy") ?? NullLogger.Instance;
        Budget = new RetryBudget(options.RetryBudget);
        UserAgent = "LexV2.ResourcePolicy/" + PackageVersion + " dotnet/" + Environment.Version.ToString(2) +
            (options.ApplicationName is { } app ? " app/" + app : string.Empty);
    }

    /// <summary>The client's own copy of the settings, taken when it was built.</summary>
    public LexPolicyClientOptions Options { get; }

    /// <summary>
    /// The region to sign for: the configured <c>Region</c>; else, for a custom endpoint on an AWS host (a VPC endpoint, say), the
    /// region its host names; else the ambient region (environment, profile); else <c>us-east-1</c> (emulators accept any).
    /// </summary>
    internal static string SigningRegionFor(LexPolicyClientOptions options, string? resolvedRegion, Uri endpoint) =>
        (string.IsNullOrWhiteSpace(options.Region) ? null : options.Region.Trim())
        ?? (options.ServiceUrl is not null ? LexEndpoint.RegionOfHost(endpoint) : null)
        ?? resolvedRegion
        ?? "us-east-1";

    /// <summary>The resolved region, or <see langword="null"/> when only a ServiceUrl is configured.</summary>
    public string? Region { get; }

    public string SigningRegion { get; }

    public Uri Endpoint { get; }

    public CredentialSource Credentials { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public RetryBudget Budget { get; }

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

/// <summary>Finds the region the AWS SDKs would use when none is configured, without probing instance metadata.</summary>
internal static class RegionResolver
{
    public static string? Resolve(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured.Trim();
        }

        foreach (string name in new[] { "AWS_REGION", "AWS_DEFAULT_REGION" })
        {
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
            {
                return value.Trim();
            }
        }

        try
        {
            return FallbackRegionFactory.GetRegionEndpoint(false)?.SystemName;
        }
        catch (AmazonClientException)
        {
            return null;
        }
    }
}
