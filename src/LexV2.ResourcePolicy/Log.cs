using Microsoft.Extensions.Logging;

namespace LexV2.ResourcePolicy;

/// <summary>
/// The client's log events, with stable ids (category <c>LexV2.ResourcePolicy</c>). None carries credentials or signatures:
/// what a server sent (request ids, error text, the response headers logged at Trace) has the attempt's signature, session
/// token and secret key scrubbed.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = "RequestCompleted", Level = LogLevel.Debug,
        Message = "{Operation} completed with HTTP {Status} after {Attempts} attempt(s) in {ElapsedMs:0.0} ms (request id {RequestId})")]
    public static partial void RequestCompleted(ILogger logger, string operation, int status, int attempts, double elapsedMs, string? requestId);

    [LoggerMessage(EventId = 2, EventName = "Retrying", Level = LogLevel.Information,
        Message = "{Operation} attempt {Attempt} failed ({Status} {Reason}); retrying in {DelayMs:0} ms")]
    public static partial void Retrying(ILogger logger, string operation, int attempt, int status, string reason, double delayMs);

    /// <summary>Warning, or Debug for an answer the caller handles itself (see <see cref="HandledAnswers"/>).</summary>
    [LoggerMessage(EventId = 3, EventName = "RequestFailed",
        Message = "{Operation} failed with HTTP {Status} {ErrorCode} after {Attempts} attempt(s) (request id {RequestId})")]
    public static partial void RequestFailed(ILogger logger, LogLevel level, string operation, int status, string? errorCode, int attempts, string? requestId);

    [LoggerMessage(EventId = 4, EventName = "RetryBudgetExhausted", Level = LogLevel.Warning,
        Message = "{Operation} is not retried after attempt {Attempt}: the client's retry budget is exhausted (the service is failing many calls)")]
    public static partial void RetryBudgetExhausted(ILogger logger, string operation, int attempt);

    [LoggerMessage(EventId = 5, EventName = "ClockSkewCorrected", Level = LogLevel.Warning,
        Message = "{Operation} was rejected for clock skew; signing times of this client are now offset by {OffsetSeconds:0} s")]
    public static partial void ClockSkewCorrected(ILogger logger, string operation, double offsetSeconds);

    /// <summary>The reason is the library's own text (which credential failed and how, never a key).</summary>
    [LoggerMessage(EventId = 6, EventName = "CredentialsUnavailable", Level = LogLevel.Warning,
        Message = "{Operation} was not sent: no usable AWS credentials. {Reason}")]
    public static partial void CredentialsUnavailable(ILogger logger, string operation, string reason);

    [LoggerMessage(EventId = 7, EventName = "AttemptSending", Level = LogLevel.Trace,
        Message = "{Operation} attempt {Attempt}: {Method} {Uri}")]
    public static partial void AttemptSending(ILogger logger, string operation, int attempt, string method, string uri);

    /// <summary>The answer to one attempt, its headers with the attempt's secrets scrubbed from every value.</summary>
    [LoggerMessage(EventId = 8, EventName = "AttemptAnswered", Level = LogLevel.Trace,
        Message = "{Operation} attempt {Attempt}: HTTP {Status} in {ElapsedMs:0.0} ms; response headers: {Headers}")]
    public static partial void AttemptAnswered(ILogger logger, string operation, int attempt, int status, double elapsedMs, string headers);
}

/// <summary>
/// The errors the current async flow handles itself (set by <c>EnsureStatementAsync</c> and <c>RemoveStatementAsync</c> around
/// each call, for the errors that call can meet and their catch clauses take), so the client logs those answers at Debug
/// instead of Warning and does not count them as errors in metrics and spans. Decided on the exception the answer maps to,
/// not on its status: a 404, 409 or 412 with another error code reaches the caller, so it is a failure. Flows with the async
/// context, so concurrent calls elsewhere are unaffected.
/// </summary>
internal static class HandledAnswers
{
    private static readonly AsyncLocal<Type[]?> Current = new();

    /// <summary>Whether the current flow handles <paramref name="error"/> itself.</summary>
    public static bool Contains(LexPolicyException error) => Current.Value is { } handled && IsOneOf(handled, error);

    /// <summary>Whether <paramref name="error"/> is of one of the exception types <paramref name="errors"/>.</summary>
    public static bool IsOneOf(Type[] errors, Exception error) => Array.IndexOf(errors, error.GetType()) >= 0;

    /// <summary>Marks the exception types <paramref name="errors"/> as handled until the returned scope is disposed.</summary>
    public static Scope Handle(params Type[] errors)
    {
        Type[]? previous = Current.Value;
        Current.Value = errors;
        return new Scope(previous);
    }

    public readonly struct Scope(Type[]? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}
