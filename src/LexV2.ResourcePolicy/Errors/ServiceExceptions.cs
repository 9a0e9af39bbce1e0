using System.Net;

namespace LexV2.ResourcePolicy;

/// <summary>400: an input member is invalid. Raised by the service, and by the client before sending (see <see cref="RequestValidationException"/>).</summary>
public class ValidationException : LexPolicyException
{
    /// <summary>Creates the exception as the service would raise it.</summary>
    /// <param name="message">The service's message.</param>
    public ValidationException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates the exception as the service would raise it.</summary>
    /// <param name="message">The service's message.</param>
    /// <param name="requestId">The request id, if known.</param>
    public ValidationException(string message, string? requestId)
        : base(message, HttpStatusCode.BadRequest, nameof(ValidationException), requestId)
    {
    }

    /// <summary>Creates the exception with a specific status and code (for subclasses and mapped answers).</summary>
    /// <param name="message">The message.</param>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="errorCode">The error code.</param>
    /// <param name="requestId">The request id, if known.</param>
    protected ValidationException(string message, HttpStatusCode statusCode, string? errorCode, string? requestId)
        : base(message, statusCode, errorCode, requestId)
    {
    }
}

/// <summary>402: a quota for the bot was reached (for example the size of its resource policy).</summary>
public sealed class ServiceQuotaExceededException : LexPolicyException
{
    /// <summary>Creates the exception as the service would raise it.</summary>
    /// <param name="message">The service's message.</param>
    /// <param name="requestId">The request id, if known.</param>
    public ServiceQuotaExceededException(string message, string? requestId = null)
        : base(message, HttpStatusCode.PaymentRequired, nameof(ServiceQuotaExceededException), requestId)
    {
    }
}

/// <summary>404: the bot, bot alias, policy or statement does not exist.</summary>
public sealed class ResourceNotFoundException : LexPolicyException
{
    /// <summary>Creates the exception as the service would raise it.</summary>
    /// <param name="message">The service's message.</param>
    /// <param name="requestId">The request id, if known.</param>
    public ResourceNotFoundException(string message, string? requestId = null)
        : base(message, HttpStatusCode.NotFound, nameof(ResourceNotFoundException), requestId)
    {
    }
}

/// <summary>409: the resource is in a conflicting state, for example a statement with the same id already exists.</summary>
public sealed class ConflictException : LexPolicyException
{
    /// <summary>Creates the exception as the service would raise it, or as <c>EnsureStatementAsync</c> / <c>RemoveStatementAsync</c> raise it when concurrent writers outlasted their rounds.</summary>
    /// <param name="message">The service's message.</param>
    /// <param name="requestId">The request id, if known.</param>
    /// <param name="innerException">The answer that caused it, if any (the last round's).</param>
    public ConflictException(string message, string? requestId = null, Exception? innerException = null)
        : base(message, HttpStatusCode.Conflict, nameof(ConflictException), requestId, innerException)
    {
    }
}

/// <summary>412: the <c>ExpectedRevisionId</c> does not match the policy's current revision; re-read the policy and try again.</summary>
public sealed class PreconditionFailedException : LexPolicyException
{
    /// <summary>Creates the exception as the service would raise it.</summary>
    /// <param name="message">The service's message.</param>
    /// <param name="requestId">The request id, if known.</param>
    public PreconditionFailedException(string message, string? requestId = null)
        : base(message, HttpStatusCode.PreconditionFailed, nameof(PreconditionFailedException), requestId)
    {
    }
}

/// <summary>429: the request rate is too high. The client retries these; this is raised when the retries are exhausted.</summary>
public sealed class ThrottlingException : LexPolicyException
{
    /// <summary>Creates the exception as the service would raise it.</summary>
    /// <param name="message">The service's message.</param>
    /// <param name="retryAfter">The wait the service asked for in its <c>Retry-After</c> header.</param>
    /// <param name="requestId">The request id, if known.</param>
    /// <param name="errorCode">The throttling error code the service used (defaults to <c>ThrottlingException</c>).</param>
    public ThrottlingException(string message, TimeSpan? retryAfter = null, string? requestId = null, string? errorCode = null)
        : base(message, (HttpStatusCode)429, errorCode ?? nameof(ThrottlingException), requestId)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>The wait the service asked for in its <c>Retry-After</c> header, if it sent one.</summary>
    public TimeSpan? RetryAfter { get; }
}

/// <summary>500: the service met an unexpected condition. The client retries these; this is raised when the retries are exhausted.</summary>
public sealed class InternalServerException : LexPolicyException
{
    /// <summary>Creates the exception as the service would raise it.</summary>
    /// <param name="message">The service's message.</param>
    /// <param name="requestId">The request id, if known.</param>
    public InternalServerException(string message, string? requestId = null)
        : base(message, HttpStatusCode.InternalServerError, nameof(InternalServerException), requestId)
    {
    }
}

/// <summary>An attempt, or the whole call with its retries, took longer than the configured timeout. Distinct from the caller's own cancellation, which surfaces as <see cref="OperationCanceledException"/>.</summary>
public sealed class LexPolicyTimeoutException : LexPolicyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Which timeout elapsed and how to change it.</param>
    /// <param name="isOverallTimeout"><see langword="true"/> when the whole call's timeout elapsed, <see langword="false"/> for one attempt's.</param>
    /// <param name="innerException">The cause, if any.</param>
    public LexPolicyTimeoutException(string message, bool isOverallTimeout, Exception? innerException = null)
        : base(message, default, isOverallTimeout ? "OverallTimeout" : "AttemptTimeout", null, innerException)
    {
        IsOverallTimeout = isOverallTimeout;
    }

    /// <summary><see langword="true"/> when the whole call (all attempts) timed out; <see langword="false"/> when a single attempt did and no retry was left.</summary>
    public bool IsOverallTimeout { get; }
}
