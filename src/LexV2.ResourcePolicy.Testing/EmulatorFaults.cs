using System.Net;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>
/// Faults the emulator injects into the next requests: throttles, server errors, dropped connections and latency before it
/// looks at a request, and lost answers after it has applied a write. Thread-safe; each counted fault is used up by one request.
/// </summary>
public sealed class EmulatorFaults
{
    private readonly object _gate = new();
    private int _throttles;
    private TimeSpan? _throttleRetryAfter;
    private int _failures;
    private HttpStatusCode _failureStatus = HttpStatusCode.InternalServerError;
    private string? _failureCode;
    private int _drops;
    private int _lostAnswers;
    private double? _ratePerSecond;
    private double _tokens;
    private long _lastRefill;

    /// <summary>The emulator's clock, for the rate limit.</summary>
    internal TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Added to every request's processing time (on the emulator's clock). Default: zero.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Answers the next <paramref name="count"/> requests with 429 <c>ThrottlingException</c>.</summary>
    /// <param name="count">How many requests to throttle.</param>
    /// <param name="retryAfter">The <c>Retry-After</c> to send (whole seconds), or none.</param>
    public void ThrottleNext(int count, TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            _throttles = count;
            _throttleRetryAfter = retryAfter;
        }
    }

    /// <summary>Answers the next <paramref name="count"/> requests with an error.</summary>
    /// <param name="count">How many requests to fail.</param>
    /// <param name="status">The status, 400 to 599. Default: 500.</param>
    /// <param name="errorCode">
    /// The AWS error code to answer with (<c>x-amzn-ErrorType</c> and a JSON <c>{"message": ...}</c>), for example
    /// <c>ServiceQuotaExceededException</c>: letters, digits and dots, starting with a letter, at most 128 characters. Default:
    /// <c>InternalServerException</c> for 500; for any other status none, so the answer is a proxy's HTML page (as 502, 503
    /// and 504 come from a load balancer).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">The count is negative, or the status is not 400 to 599.</exception>
    /// <exception cref="ArgumentException">The error code is empty or has other characters.</exception>
    public void FailNext(int count, HttpStatusCode status = HttpStatusCode.InternalServerError, string? errorCode = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if ((int)status is < 400 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(status), (int)status, "An injected failure's status must be 400 to 599.");
        }

        if (errorCode is not null && !IsErrorCode(errorCode))
        {
            throw new ArgumentException($"The error code must be 1 to 128 letters, digits and dots, starting with a letter (was '{errorCode}').", nameof(errorCode));
        }

        lock (_gate)
        {
            _failures = count;
            _failureStatus = status;
            _failureCode = errorCode;
        }
    }

    /// <summary>Drops the connection of the next <paramref name="count"/> requests without answering.</summary>
    /// <param name="count">How many requests to drop.</param>
    public void DropNextConnections(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            _drops = count;
        }
    }

    /// <summary>
    /// Applies the next <paramref name="count"/> authenticated writes (Create/Update/Delete operations) exactly as without the
    /// fault, then drops their connection instead of answering: the change is committed and the caller never learns it.
    /// Served, the TCP connection is reset; in memory the send throws <see cref="HttpRequestException"/>. Reads and requests
    /// that fail authentication are answered normally and do not use it up.
    /// </summary>
    /// <param name="count">How many writes lose their answer.</param>
    public void DropNextResponsesAfterCommit(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            _lostAnswers = count;
        }
    }

    /// <summary>
    /// Throttles like a service with a request-rate quota: from now on, requests beyond <paramref name="requestsPerSecond"/> (a
    /// token bucket holding one second's worth, refilled continuously on the emulator's clock) are answered 429
    /// <c>ThrottlingException</c> without a <c>Retry-After</c>. Throttled requests use no token. Counted faults come first.
    /// <see cref="Clear"/> lifts the limit.
    /// </summary>
    /// <param name="requestsPerSecond">The sustained rate answered normally; more than 0.</param>
    public void ThrottleAbove(double requestsPerSecond)
    {
        if (!(requestsPerSecond > 0) || double.IsInfinity(requestsPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(requestsPerSecond), requestsPerSecond, "The rate must be a positive, finite number of requests per second.");
        }

        lock (_gate)
        {
            _ratePerSecond = requestsPerSecond;
            _tokens = Math.Max(1, requestsPerSecond);
            _lastRefill = Clock.GetTimestamp();
        }
    }

    /// <summary>Clears every pending fault, the rate limit and the latency.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _throttles = _failures = _drops = _lostAnswers = 0;
            _ratePerSecond = null;
            Latency = TimeSpan.Zero;
        }
    }

    /// <summary>Uses up one lost-answer fault, if any is pending, for an authenticated write.</summary>
    internal bool TakeLostAnswer()
    {
        lock (_gate)
        {
            if (_lostAnswers == 0)
            {
                return false;
            }

            _lostAnswers--;
            return true;
        }
    }

    internal Fault Take()
    {
        lock (_gate)
        {
            if (_drops > 0)
            {
                _drops--;
                return new Fault(FaultKind.Drop, default, null, null);
            }

            if (_throttles > 0)
            {
                _throttles--;
                return new Fault(FaultKind.Throttle, (HttpStatusCode)429, _throttleRetryAfter, null);
            }

            if (_failures > 0)
            {
                _failures--;
                return new Fault(FaultKind.Fail, _failureStatus, null, _failureCode);
            }

            if (_ratePerSecond is { } rate)
            {
                long now = Clock.GetTimestamp();
                _tokens = Math.Min(Math.Max(1, rate), _tokens + (Clock.GetElapsedTime(_lastRefill, now).TotalSeconds * rate));
                _lastRefill = now;
                if (_tokens < 1)
                {
                    return new Fault(FaultKind.Throttle, (HttpStatusCode)429, null, null);
                }

                _tokens -= 1;
            }

            return new Fault(FaultKind.None, default, null, null);
        }
    }

    internal enum FaultKind
    {
        None,
        Drop,
        Throttle,
        Fail,
    }

    private static bool IsErrorCode(string code) =>
        code.Length is > 0 and <= 128 && char.IsAsciiLetter(code[0]) && code.All(c => char.IsAsciiLetterOrDigit(c) || c == '.');

    internal readonly record struct Fault(FaultKind Kind, HttpStatusCode Status, TimeSpan? RetryAfter, string? Code);
}
