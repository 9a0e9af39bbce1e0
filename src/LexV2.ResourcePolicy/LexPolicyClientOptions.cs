using System.Globalization;
using Amazon.Runtime;

namespace LexV2.ResourcePolicy;

/// <summary>
/// Settings of a <see cref="LexPolicyClient"/>. Every plain setting binds from configuration (for example a
/// <c>"LexPolicy"</c> section with <c>Region</c>, <c>ServiceUrl</c>, <c>MaxRetries</c>); <see cref="Credentials"/> is set in code.
/// The defaults are those an AWS SDK user expects, and what is not set here comes from where the AWS SDKs and the AWS CLI take
/// it: the environment, then the profile of the shared config file.
/// </summary>
public sealed class LexPolicyClientOptions
{
    /// <summary>
    /// The AWS region, for example <c>us-east-1</c>. When <see langword="null"/>, the AWS SDK's usual sources are used:
    /// <c>AWS_REGION</c>, <c>AWS_DEFAULT_REGION</c>, then the profile's region (no instance-metadata probe). Default: <see langword="null"/>.
    /// </summary>
    public string? Region { get; set; }

    /// <summary>
    /// An explicit endpoint, used exactly as given instead of <c>https://models-v2-lex.{region}.{dnsSuffix}</c>; the only way to
    /// use plain <c>http</c> (for a local emulator). Cannot be combined with <see cref="UseFips"/> or <see cref="UseDualStack"/>. Default: <see langword="null"/>.
    /// </summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>
    /// The credentials to sign with. When <see langword="null"/>, AWSSDK.Core's default chain is used (environment, shared profile
    /// with SSO and assume-role, web identity, container, instance metadata), resolved on first use and refreshed as it expires.
    /// Default: <see langword="null"/>.
    /// </summary>
    public AWSCredentials? Credentials { get; set; }

    /// <summary>
    /// Use the FIPS endpoint (<c>models-v2-lex-fips</c>). Default: <see langword="false"/>, in which case the regional endpoint is
    /// still the FIPS one when <c>AWS_USE_FIPS_ENDPOINT</c>, else the profile's <c>use_fips_endpoint</c>, is <c>true</c> (as in
    /// the AWS CLI and SDKs).
    /// </summary>
    public bool UseFips { get; set; }

    /// <summary>
    /// Use the dual-stack (IPv4 and IPv6) endpoint. Default: <see langword="false"/>, in which case the regional endpoint is still
    /// the dual-stack one when <c>AWS_USE_DUALSTACK_ENDPOINT</c>, else the profile's <c>use_dualstack_endpoint</c>, is <c>true</c>.
    /// </summary>
    public bool UseDualStack { get; set; }

    /// <summary>The largest <see cref="MaxRetries"/> accepted.</summary>
    internal const int MaxAllowedRetries = 20;

    private int? _maxRetries;

    /// <summary>
    /// How many times a throttled or transiently failed call is retried; <c>0</c> disables retries. When not set, the AWS SDKs'
    /// shared setting applies: <c>AWS_MAX_ATTEMPTS</c>, else <c>max_attempts</c> of the profile (both count the first attempt:
    /// <c>max_attempts = 3</c> means 2 retries). Default: 3.
    /// </summary>
    public int MaxRetries
    {
        get => _maxRetries ?? Configuration.ClientSettings.DefaultMaxRetries;
        set => _maxRetries = value;
    }

    /// <summary>Whether <see cref="MaxRetries"/> was set (in code or from configuration), so that it wins over the environment.</summary>
    internal bool MaxRetriesIsSet => _maxRetries is not null;

    /// <summary>
    /// The retry mode. When <see langword="null"/>, the AWS SDKs' shared setting applies: <c>AWS_RETRY_MODE</c>, else
    /// <c>retry_mode</c> of the profile (<c>standard</c>, <c>legacy</c> = standard, <c>adaptive</c>), else
    /// <see cref="LexRetryMode.Standard"/>. Default: <see langword="null"/>.
    /// </summary>
    public LexRetryMode? RetryMode { get; set; }

    /// <summary>
    /// The AWS profile (in <c>~/.aws/config</c> and <c>~/.aws/credentials</c>) to take credentials, region, endpoint and retry
    /// settings from when they are not set here. When <see langword="null"/>, <c>AWS_DEFAULT_PROFILE</c>, else <c>AWS_PROFILE</c>, else <c>default</c>.
    /// Default: <see langword="null"/>.
    /// </summary>
    public string? Profile { get; set; }

    /// <summary>The first backoff delay; later delays double, with jitter, up to <see cref="MaxRetryDelay"/>. Default: 200 ms.</summary>
    public TimeSpan BaseRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest backoff delay between two attempts. Default: 20 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The longest <c>Retry-After</c> wait the client honours; a longer one is cut to this. Default: 20 s.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The longest one attempt (send and read the answer) may take before it is abandoned and retried. Default: 30 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest a whole call, retries and waits included, may take. Default: 2 min.</summary>
    public TimeSpan OverallTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The retry budget shared by all calls of a client, in tokens (a retry costs 5, a retry after a timeout 10, a success returns 1),
    /// as in the AWS SDKs' standard retry mode: a service-wide outage stops retries instead of multiplying load. Default: 500.
    /// </summary>
    public int RetryBudget { get; set; } = 500;

    /// <summary>
    /// Validate every request before sending it: the documented constraints, the IAM grammar of conditions and policy documents
    /// (operators, value types, no wildcard principal), and a resource ARN in the region and partition the client signs for.
    /// Turn off only for exotic cases. Default: <see langword="true"/>.
    /// </summary>
    public bool ValidateRequests { get; set; } = true;

    /// <summary>
    /// Run the <see cref="PolicyLinter"/> on every statement before sending it and reject it (with
    /// <see cref="RequestValidationException"/>) when there is any finding: unknown or misspelled actions, actions that do not
    /// apply to the resource type, wildcard principals, conditions naming another account. Applies while
    /// <see cref="ValidateRequests"/> is on. Default: <see langword="false"/>.
    /// </summary>
    public bool RejectLintFindings { get; set; }

    /// <summary>An application name appended to the <c>User-Agent</c> header (letters, digits and <c>.-_/</c>). Default: <see langword="null"/>.</summary>
    public string? ApplicationName { get; set; }

    /// <summary>A copy of these settings (the credentials object is shared, not copied).</summary>
    internal LexPolicyClientOptions Clone() => (LexPolicyClientOptions)MemberwiseClone();

    /// <summary>Describes the settings without secrets: the credentials appear by type name only.</summary>
    /// <returns>A one-line description.</returns>
    public override string ToString() => string.Format(
        CultureInfo.InvariantCulture,
        "LexPolicyClientOptions {{ Region = {0}, ServiceUrl = {1}, Credentials = {2}, Profile = {3}, UseFips = {4}, UseDualStack = {5}, MaxRetries = {6}, RetryMode = {7}, AttemptTimeout = {8}, OverallTimeout = {9}, ValidateRequests = {10} }}",
        Region ?? "(default chain)",
        ServiceUrl is { } url ? Endpoints.LexEndpoint.Display(url) : "(regional endpoint)",
        Credentials is null ? "(default chain)" : Credentials.GetType().Name,
        Profile ?? "(default)",
        UseFips,
        UseDualStack,
        MaxRetriesIsSet ? MaxRetries.ToString(CultureInfo.InvariantCulture) : "(shared config)",
        RetryMode?.ToString() ?? "(shared config)",
        AttemptTimeout,
        OverallTimeout,
        ValidateRequests);

    /// <summary>Checks the settings, returning a message per problem (empty when valid). Region resolution is not part of this.</summary>
    internal IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (MaxRetries is < 0 or > MaxAllowedRetries)
        {
            problems.Add($"MaxRetries must be between 0 and {MaxAllowedRetries} (was {MaxRetries}).");
        }

        if (RetryMode is { } mode && !Enum.IsDefined(mode))
        {
            problems.Add($"RetryMode must be Standard or Adaptive (was {(int)mode}).");
        }

        if (Profile is { } profile && (profile.Length == 0 || HasControl(profile)))
        {
            problems.Add("Profile must be a profile name.");
        }

        if (BaseRetryDelay <= TimeSpan.Zero || BaseRetryDelay > MaxRetryDelay)
        {
            problems.Add($"BaseRetryDelay must be positive and at most MaxRetryDelay (was {BaseRetryDelay}, MaxRetryDelay {MaxRetryDelay}).");
        }

        if (MaxRetryAfter < TimeSpan.Zero)
        {
            problems.Add("MaxRetryAfter must not be negative.");
        }

        if (AttemptTimeout <= TimeSpan.Zero || OverallTimeout <= TimeSpan.Zero)
        {
            problems.Add("AttemptTimeout and OverallTimeout must be positive.");
        }

        if (RetryBudget < 0)
        {
            problems.Add("RetryBudget must not be negative.");
        }

        if (ApplicationName is { } app && (app.Length > 64 || !IsApplicationName(app)))
        {
            problems.Add("ApplicationName must be at most 64 characters of letters, digits and . - _ /.");
        }

        if (Region is { Length: > 0 } region && !Endpoints.LexEndpoint.IsValidRegion(region.Trim()))
        {
            problems.Add($"Region '{region}' is not a valid AWS region name (expected lower-case letters, digits and dashes, for example \"us-east-1\").");
        }

        try
        {
            _ = Endpoints.LexEndpoint.Resolve("us-east-1", ServiceUrl, UseFips, UseDualStack);
        }
        catch (InvalidOperationException e)
        {
            problems.Add(e.Message);
        }

        return problems;
    }

    // Loops rather than LINQ over chars: these run when a client is built, where every generic instantiation is JIT work.
    private static bool HasControl(string value)
    {
        foreach (char c in value)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsApplicationName(string value)
    {
        foreach (char c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '-' or '_' or '/'))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>How a client retries, as the AWS SDKs name the modes.</summary>
public enum LexRetryMode
{
    /// <summary>Capped exponential backoff with jitter and a retry budget per client (the AWS SDKs' <c>standard</c> mode; <c>legacy</c> maps here).</summary>
    Standard = 0,

    /// <summary>
    /// <see cref="Standard"/>, plus a client-side rate limiter that starts after the first throttling answer, lowers its send rate on
    /// each throttle (CUBIC) and raises it as calls succeed, shared by all calls of one client (the AWS SDKs' <c>adaptive</c> mode).
    /// </summary>
    Adaptive = 1,
}
