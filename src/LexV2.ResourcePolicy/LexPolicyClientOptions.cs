using System.Globalization;
using Amazon.Runtime;

namespace LexV2.ResourcePolicy;

/// <summary>
/// Settings of a <see cref="LexPolicyClient"/>. Every plain setting binds from configuration (for example a
/// <c>"LexPolicy"</c> section with <c>Region</c>, <c>ServiceUrl</c>, <c>MaxRetries</c>); <see cref="Credentials"/> is set in code.
/// The defaults are those an AWS SDK user expects.
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

    /// <summary>Use the FIPS endpoint (<c>models-v2-lex-fips</c>). Default: <see langword="false"/>.</summary>
    public bool UseFips { get; set; }

    /// <summary>Use the dual-stack (IPv4 and IPv6) endpoint. Default: <see langword="false"/>.</summary>
    public bool UseDualStack { get; set; }

    /// <summary>How many times a throttled or transiently failed call is retried; <c>0</c> disables retries. Default: 3.</summary>
    public int MaxRetries { get; set; } = 3;

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

    /// <summary>Validate every request against the documented constraints before sending it. Turn off only for exotic cases. Default: <see langword="true"/>.</summary>
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
        "LexPolicyClientOptions {{ Region = {0}, ServiceUrl = {1}, Credentials = {2}, UseFips = {3}, UseDualStack = {4}, MaxRetries = {5}, AttemptTimeout = {6}, OverallTimeout = {7}, ValidateRequests = {8} }}",
        Region ?? "(default chain)",
        ServiceUrl?.GetLeftPart(UriPartial.Path) ?? "(regional endpoint)",
        Credentials is null ? "(default chain)" : Credentials.GetType().Name,
        UseFips,
        UseDualStack,
        MaxRetries,
        AttemptTimeout,
        OverallTimeout,
        ValidateRequests);

    /// <summary>
    /// Sets every plain setting present in <paramref name="section"/> (keys named as the properties, case-insensitive). Written out
    /// by hand rather than with the reflection binder, so it is trimming- and AOT-safe; a malformed value names its key.
    /// </summary>
    internal void BindFrom(Microsoft.Extensions.Configuration.IConfiguration section)
    {
        Region = section[nameof(Region)] is { Length: > 0 } region ? region : Region;
        if (section[nameof(ServiceUrl)] is { Length: > 0 } url)
        {
            ServiceUrl = Uri.TryCreate(url, UriKind.Absolute, out var u) ? u : throw BadValue(nameof(ServiceUrl), url, "an absolute URL");
        }

        UseFips = Bool(section, nameof(UseFips), UseFips);
        UseDualStack = Bool(section, nameof(UseDualStack), UseDualStack);
        ValidateRequests = Bool(section, nameof(ValidateRequests), ValidateRequests);
        RejectLintFindings = Bool(section, nameof(RejectLintFindings), RejectLintFindings);
        if (section[nameof(MaxRetries)] is { Length: > 0 } retries)
        {
            MaxRetries = int.TryParse(retries, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : throw BadValue(nameof(MaxRetries), retries, "a whole number");
        }

        if (section[nameof(RetryBudget)] is { Length: > 0 } budget)
        {
            RetryBudget = int.TryParse(budget, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : throw BadValue(nameof(RetryBudget), budget, "a whole number");
        }

        BaseRetryDelay = Duration(section, nameof(BaseRetryDelay), BaseRetryDelay);
        MaxRetryDelay = Duration(section, nameof(MaxRetryDelay), MaxRetryDelay);
        MaxRetryAfter = Duration(section, nameof(MaxRetryAfter), MaxRetryAfter);
        AttemptTimeout = Duration(section, nameof(AttemptTimeout), AttemptTimeout);
        OverallTimeout = Duration(section, nameof(OverallTimeout), OverallTimeout);
        ApplicationName = section[nameof(ApplicationName)] is { Length: > 0 } app ? app : ApplicationName;

        static bool Bool(Microsoft.Extensions.Configuration.IConfiguration c, string key, bool current) =>
            c[key] is { Length: > 0 } s ? (bool.TryParse(s, out bool b) ? b : throw BadValue(key, s, "true or false")) : current;

        static TimeSpan Duration(Microsoft.Extensions.Configuration.IConfiguration c, string key, TimeSpan current) =>
            c[key] is { Length: > 0 } s ? (TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out var t) ? t : throw BadValue(key, s, "a time span such as 00:00:30")) : current;

        static InvalidOperationException BadValue(string key, string value, string expected) =>
            new($"Configuration value '{value}' for LexPolicyClientOptions.{key} is not valid: expected {expected}.");
    }

    /// <summary>Checks the settings, returning a message per problem (empty when valid). Region resolution is not part of this.</summary>
    internal IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (MaxRetries is < 0 or > 20)
        {
            problems.Add($"MaxRetries must be between 0 and 20 (was {MaxRetries}).");
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

        if (ApplicationName is { } app && (app.Length > 64 || !app.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '/')))
        {
            problems.Add("ApplicationName must be at most 64 characters of letters, digits and . - _ /.");
        }

        try
        {
            _ = Endpoints.LexEndpoint.Resolve(Region ?? "us-east-1", ServiceUrl, UseFips, UseDualStack);
        }
        catch (InvalidOperationException e)
        {
            problems.Add(e.Message);
        }

        return problems;
    }
}
