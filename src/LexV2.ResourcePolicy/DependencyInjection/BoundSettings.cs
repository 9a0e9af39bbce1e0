using Microsoft.Extensions.Configuration;

namespace LexV2.ResourcePolicy.DependencyInjection;

/// <summary>
/// The settings of <see cref="LexPolicyClientOptions"/> that configuration can hold: all but <c>Credentials</c> (an abstract
/// type, and secrets do not belong in configuration). Bound by the configuration binder's source generator, so binding needs
/// no reflection and stays trimming- and AOT-clean; a malformed value fails with the binder's message naming its key. Only
/// the keys present in configuration change the options.
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

    public static BoundSettings From(IConfiguration configuration)
    {
        var settings = new BoundSettings();
        configuration.Bind(settings);
        return settings;
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
