using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace LexV2.ResourcePolicy.DependencyInjection;

/// <summary>
/// The settings of <see cref="LexPolicyClientOptions"/> that configuration can hold: all but <c>Credentials</c> (an abstract
/// type, and secrets do not belong in configuration). Read key by key through <see cref="IConfiguration"/> with the parsing
/// rules of the configuration binder (invariant culture, enums by name ignoring case, an empty value of a non-string setting
/// leaves it unset) and the binder's message for a malformed value, naming its key: no reflection and no source generator, so
/// reading stays trimming- and AOT-clean and needs nothing from Microsoft.Extensions beyond Configuration.Abstractions 8.0.
/// Only the keys present in configuration change the options.
/// </summary>
internal sealed class BoundSettings
{
    public string? Region { get; set; }

    public Uri? ServiceUrl { get; set; }

    public string? Profile { get; set; }

    public bool? UseFips { get; set; }

    public bool? UseDualStack { get; set; }

    public int? MaxRetries { get; set; }

    public LexRetryMode? RetryMode { get; set; }

    public TimeSpan? BaseRetryDelay { get; set; }

    public TimeSpan? MaxRetryDelay { get; set; }

    public TimeSpan? MaxRetryAfter { get; set; }

    public TimeSpan? AttemptTimeout { get; set; }

    public TimeSpan? OverallTimeout { get; set; }

    public int? RetryBudget { get; set; }

    public bool? ValidateRequests { get; set; }

    public bool? RejectLintFindings { get; set; }

    public string? ApplicationName { get; set; }

    /// <summary>Reads the settings present in <paramref name="configuration"/>.</summary>
    /// <exception cref="InvalidOperationException">A value does not convert: "Failed to convert configuration value at '{path}' to type '{type}'.", as the binder says it.</exception>
    public static BoundSettings From(IConfiguration configuration) => new()
    {
        Region = configuration[nameof(Region)],
        ServiceUrl = Value(configuration, nameof(ServiceUrl)) is { } url ? Convert(configuration, nameof(ServiceUrl), url, static v => new Uri(v, UriKind.RelativeOrAbsolute)) : null,
        Profile = configuration[nameof(Profile)],
        UseFips = Read(configuration, nameof(UseFips), bool.Parse),
        UseDualStack = Read(configuration, nameof(UseDualStack), bool.Parse),
        MaxRetries = Read(configuration, nameof(MaxRetries), ParseInt),
        RetryMode = Read(configuration, nameof(RetryMode), static v => Enum.Parse<LexRetryMode>(v, ignoreCase: true)),
        BaseRetryDelay = Read(configuration, nameof(BaseRetryDelay), ParseTimeSpan),
        MaxRetryDelay = Read(configuration, nameof(MaxRetryDelay), ParseTimeSpan),
        MaxRetryAfter = Read(configuration, nameof(MaxRetryAfter), ParseTimeSpan),
        AttemptTimeout = Read(configuration, nameof(AttemptTimeout), ParseTimeSpan),
        OverallTimeout = Read(configuration, nameof(OverallTimeout), ParseTimeSpan),
        RetryBudget = Read(configuration, nameof(RetryBudget), ParseInt),
        ValidateRequests = Read(configuration, nameof(ValidateRequests), bool.Parse),
        RejectLintFindings = Read(configuration, nameof(RejectLintFindings), bool.Parse),
        ApplicationName = configuration[nameof(ApplicationName)],
    };

    private static int ParseInt(string value) => int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static TimeSpan ParseTimeSpan(string value) => TimeSpan.Parse(value, CultureInfo.InvariantCulture);

    /// <summary>The value at <paramref name="key"/>; <see langword="null"/> when absent or empty (the binder leaves a nullable setting unset then).</summary>
    private static string? Value(IConfiguration configuration, string key) => configuration[key] is { Length: > 0 } value ? value : null;

    private static T? Read<T>(IConfiguration configuration, string key, Func<string, T> parse)
        where T : struct => Value(configuration, key) is { } value ? Convert(configuration, key, value, parse) : null;

    private static T Convert<T>(IConfiguration configuration, string key, string value, Func<string, T> parse)
    {
        try
        {
            return parse(value);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            string path = configuration is IConfigurationSection section && section.Path.Length > 0 ? ConfigurationPath.Combine(section.Path, key) : key;
            throw new InvalidOperationException($"Failed to convert configuration value at '{path}' to type '{typeof(T).FullName}'.", e);
        }
    }

    public void ApplyTo(LexPolicyClientOptions o)
    {
        o.Region = Region ?? o.Region;
        o.ServiceUrl = ServiceUrl ?? o.ServiceUrl;
        o.Profile = Profile ?? o.Profile;
        o.UseFips = UseFips ?? o.UseFips;
        o.UseDualStack = UseDualStack ?? o.UseDualStack;
        if (MaxRetries is { } retries)
        {
            o.MaxRetries = retries;
        }

        o.RetryMode = RetryMode ?? o.RetryMode;
        o.BaseRetryDelay = BaseRetryDelay ?? o.BaseRetryDelay;
        o.MaxRetryDelay = MaxRetryDelay ?? o.MaxRetryDelay;
        o.MaxRetryAfter = MaxRetryAfter ?? o.MaxRetryAfter;
        o.AttemptTimeout = AttemptTimeout ?? o.AttemptTimeout;
        o.OverallTimeout = OverallTimeout ?? o.OverallTimeout;
        o.RetryBudget = RetryBudget ?? o.RetryBudget;
        o.ValidateRequests = ValidateRequests ?? o.ValidateRequests;
        o.RejectLintFindings = RejectLintFindings ?? o.RejectLintFindings;
        o.ApplicationName = ApplicationName ?? o.ApplicationName;
    }
}
