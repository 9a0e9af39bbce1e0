using System.Net;

namespace LexV2.ResourcePolicy;

/// <summary>
/// The base of every error this client raises: a service error answer (modelled ones have subclasses), an authentication
/// failure, an unreadable response, a timeout or a transport failure. It carries what a support case needs:
/// <see cref="StatusCode"/>, <see cref="ErrorCode"/>, <see cref="RequestId"/> and the number of attempts made. It never carries
/// credentials, signatures or the <c>Authorization</c> header.
/// </summary>
public class LexPolicyException : Exception
{
    /// <summary>Creates an exception with a message only (status 0, no code), for tests and wrappers.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    public LexPolicyException(string message)
        : this(message, default, null, null, null)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public LexPolicyException(string message, Exception? innerException)
        : this(message, default, null, null, innerException)
    {
    }

    /// <summary>Creates an exception describing a service answer; consumers' tests may construct it freely.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="statusCode">The HTTP status of the answer (0 when no answer arrived).</param>
    /// <param name="errorCode">The AWS error code, for example <c>AccessDeniedException</c>.</param>
    /// <param name="requestId">The <c>x-amzn-RequestId</c> of the answer.</param>
    /// <param name="innerException">The cause, if any.</param>
    public LexPolicyException(string message, HttpStatusCode statusCode, string? errorCode, string? requestId, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
        RequestId = requestId;
    }

    /// <summary>The HTTP status of the service's answer; <c>0</c> when no answer arrived (timeout, transport failure, client-side validation).</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The AWS error code (for example <c>ConflictException</c>), without namespace prefix or suffix; <see langword="null"/> when none was sent.</summary>
    public string? ErrorCode { get; }

    /// <summary>The request id the service assigned (<c>x-amzn-RequestId</c>); quote it in support cases.</summary>
    public string? RequestId { get; }

    private int _attempts;
    private string? _responseExcerpt;

    /// <summary>
    /// How many attempts were sent before this error was raised (1 when the first attempt failed and was not retried; 0 when
    /// nothing was sent). Settable by consumers' tests, for example to fake "failed after 4 attempts".
    /// </summary>
    public int Attempts { get => _attempts; init => _attempts = value; }

    /// <summary>
    /// The start of the response body (at most 256 characters, control and formatting characters removed, credentials and
    /// signatures redacted) when the answer was not a modelled error; otherwise <see langword="null"/>. Settable by consumers' tests.
    /// </summary>
    public string? ResponseExcerpt { get => _responseExcerpt; init => _responseExcerpt = value; }

    /// <summary>Records the attempts once the client knows them (the exception may be raised before).</summary>
    internal void SetAttempts(int attempts) => _attempts = attempts;

    internal void SetResponseExcerpt(string? excerpt) => _responseExcerpt = excerpt;

    private bool _unlistedCode;

    /// <summary>Marks <see cref="ErrorCode"/> as a server's code the client does not know, so that metrics do not take it as a tag value.</summary>
    internal void SetUnlistedCode() => _unlistedCode = true;

    /// <summary>
    /// The <c>error.type</c> of the errors counter: <see cref="ErrorCode"/>, else the type name, or <c>_OTHER</c> (OpenTelemetry's
    /// fallback) for a server's code the client does not know, so that the counter's tag values stay a bounded set.
    /// </summary>
    internal string MetricErrorType => _unlistedCode ? "_OTHER" : ErrorCode ?? GetType().Name;
}
