using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LexV2.ResourcePolicy.Diagnostics;

/// <summary>
/// The client's traces and metrics, both named <c>LexV2.ResourcePolicy</c>: one span per operation, and counters and a
/// duration histogram per call; one span per <c>EnsureStatementAsync</c> / <c>RemoveStatementAsync</c> call, parent of its
/// operations' spans. An answer the caller handles itself (see <c>HandledAnswers</c>) is not an error. Instruments cost nothing
/// until something listens.
/// </summary>
internal static class LexTelemetry
{
    public const string Name = "LexV2.ResourcePolicy";

    public static readonly ActivitySource Source = new(Name, LexClientRuntime.PackageVersion);

    private static readonly Meter Meter = new(Name, LexClientRuntime.PackageVersion);

    /// <summary><c>lexv2.resourcepolicy.calls</c>: completed calls, tagged with operation and HTTP status (0 when none arrived).</summary>
    public static readonly Counter<long> Calls = Meter.CreateCounter<long>("lexv2.resourcepolicy.calls", "{call}", "Completed calls of the Lex resource-policy API.");

    /// <summary><c>lexv2.resourcepolicy.retries</c>: retries, tagged with operation and reason (error code or status).</summary>
    public static readonly Counter<long> Retries = Meter.CreateCounter<long>("lexv2.resourcepolicy.retries", "{retry}", "Retried attempts.");

    /// <summary><c>lexv2.resourcepolicy.errors</c>: failed calls, tagged with operation and error code.</summary>
    public static readonly Counter<long> Errors = Meter.CreateCounter<long>("lexv2.resourcepolicy.errors", "{call}", "Calls that ended in an exception.");

    /// <summary><c>lexv2.resourcepolicy.duration</c>: call duration in seconds, retries included, tagged with operation and status.</summary>
    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("lexv2.resourcepolicy.duration", "s", "Duration of calls, retries and waits included.");

    /// <summary>The span of one <c>EnsureStatementAsync</c> call.</summary>
    public const string EnsureStatement = "lex.ensure_statement";

    /// <summary>The span of one <c>RemoveStatementAsync</c> call.</summary>
    public const string RemoveStatement = "lex.remove_statement";

    /// <summary>
    /// Runs <paramref name="change"/> inside a span named <paramref name="name"/> (when anything listens), the parent of the spans
    /// of the operations it calls, tagged with the outcome as <c>lex.statement_change</c> (<c>Added</c>, <c>Replaced</c>,
    /// <c>None</c>, <c>Removed</c>) and the rounds it took as <c>lex.rounds</c>, or with <c>error.type</c> and status Error.
    /// </summary>
    public static Task<StatementChangeResult> TraceStatementChange(string name, string resourceArn, Func<Task<StatementChangeResult>> change) =>
        Source.HasListeners() ? TracedAsync(name, resourceArn, change) : change();

    private static async Task<StatementChangeResult> TracedAsync(string name, string resourceArn, Func<Task<StatementChangeResult>> change)
    {
        using Activity? activity = Source.StartActivity(name, ActivityKind.Internal);
        activity?.SetTag("aws.lex.resource_arn", resourceArn);
        try
        {
            StatementChangeResult result = await change().ConfigureAwait(false);
            activity?.SetTag("lex.statement_change", result.Change switch
            {
                StatementChange.Added => "Added",
                StatementChange.Replaced => "Replaced",
                StatementChange.Removed => "Removed",
                _ => "None",
            });
            activity?.SetTag("lex.rounds", result.Rounds);
            return result;
        }
        catch (Exception e) when (activity is not null)
        {
            string errorType = e switch
            {
                LexPolicyException { ErrorCode: { } code } => code,
                OperationCanceledException => "Canceled",
                _ => e.GetType().Name,
            };
            activity.SetTag("error.type", errorType);
            activity.SetStatus(ActivityStatusCode.Error, errorType);
            throw;
        }
    }

    /// <summary>Starts the span of one operation, when anything listens.</summary>
    public static Activity? Start(string operation, string? resourceArn)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(operation, ActivityKind.Client);
        if (activity is not null)
        {
            activity.SetTag("rpc.system", "aws-api");
            activity.SetTag("rpc.service", "LexModelsV2");
            activity.SetTag("rpc.method", operation);
            activity.SetTag("aws.lex.resource_arn", resourceArn);
        }

        return activity;
    }

    /// <summary>
    /// Records the end of a call on its span and in the metrics; <paramref name="errorCode"/> (the span's <c>error.type</c>) and
    /// <paramref name="metricErrorType"/> (the errors counter's, from a bounded set) <see langword="null"/> for a success or an
    /// answer the caller handles.
    /// </summary>
    public static void Stop(Activity? activity, string operation, int status, int attempts, string? requestId, string? errorCode, string? metricErrorType, double seconds)
    {
        if (activity is not null)
        {
            activity.SetTag("http.response.status_code", status);
            activity.SetTag("aws.request_id", requestId);
            activity.SetTag("lexv2.attempts", attempts);
            if (errorCode is not null)
            {
                activity.SetTag("error.type", errorCode);
                activity.SetStatus(ActivityStatusCode.Error, errorCode);
            }

            activity.Dispose();
        }

        if (!Calls.Enabled && !Duration.Enabled && !(metricErrorType is not null && Errors.Enabled))
        {
            return; // nothing listens: no tags to build (the status would be boxed)
        }

        var op = new KeyValuePair<string, object?>("operation", operation);
        var code = new KeyValuePair<string, object?>("http.response.status_code", status);
        if (Calls.Enabled)
        {
            Calls.Add(1, op, code);
        }

        if (Duration.Enabled)
        {
            Duration.Record(seconds, op, code);
        }

        if (metricErrorType is not null && Errors.Enabled)
        {
            Errors.Add(1, op, new KeyValuePair<string, object?>("error.type", metricErrorType));
        }
    }
}
