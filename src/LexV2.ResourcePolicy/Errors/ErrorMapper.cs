using System.Globalization;
using System.Net;

namespace LexV2.ResourcePolicy.Errors;

/// <summary>The one place that turns an error answer into the exception a caller catches: by error code first, then by status.</summary>
internal static class ErrorMapper
{
    /// <summary>The error codes AWS SDKs treat as throttling (standard retry mode), all raised as <see cref="ThrottlingException"/>.</summary>
    internal static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "ThrottlingException", "Throttling", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    };

    /// <summary>The error codes the AWS SDKs' standard retry mode treats as transient and retries like a 5xx.</summary>
    internal static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
    };

    /// <summary>
    /// Added to the message of an error that would have been retried but for the client's empty retry budget: that is why the
    /// call failed so soon, and what to do about it (<see cref="RetryBudgetHint(bool)"/>).
    /// </summary>
    internal const string RetryBudgetCause =
        " It was not retried further because the client's retry budget is spent: many of its recent calls needed retries " +
        "(LexPolicyClientOptions.RetryBudget, shared by all calls of one client).";

    /// <summary>
    /// <see cref="RetryBudgetCause"/> and what to do: in standard mode, let the client pace itself; in adaptive mode it already
    /// does, so the advice is to make fewer calls.
    /// </summary>
    internal static string RetryBudgetHint(bool adaptive) => RetryBudgetCause + (adaptive
        ? " The client already paces itself (adaptive retry mode), so the service accepts fewer calls than are being made: make fewer calls at once (lexpolicy: a lower --concurrency), try again later, or raise RetryBudget."
        : " Make fewer calls at once, let the client pace itself with adaptive retry mode (RetryMode = Adaptive, AWS_RETRY_MODE=adaptive, or lexpolicy --retry-mode adaptive), or raise RetryBudget.");

    public static LexPolicyException Map(string operation, in ErrorResponse error, int attempts, string? resourceArn = null, bool retryBudgetExhausted = false, bool adaptive = false)
    {
        if ((int)error.Status is >= 300 and < 400)
        {
            var redirect = new LexPolicyException(
                string.Format(
                    CultureInfo.InvariantCulture,
                    "{0} failed: the endpoint answered HTTP {1}, a redirect to {2}. Redirects are never followed: they would carry the signed request, its session token and its body to another origin. Check the region and LexPolicyClientOptions.ServiceUrl (request id {3}).",
                    operation,
                    (int)error.Status,
                    error.RedirectTo ?? "(no Location header)",
                    error.RequestId ?? "none"),
                error.Status,
                "Redirect",
                error.RequestId);
            redirect.SetAttempts(attempts);
            return redirect;
        }

        bool modelled = error.Code is null ? (int)error.Status is 400 or 402 or 404 or 409 or 412 or 429 or 500 : ModelledCodes.Contains(error.Code) || ThrottlingCodes.Contains(error.Code);
        string? excerpt = modelled && error.BodyIsJson ? null : error.Excerpt;
        string text = Describe(operation, (error.Message ?? DefaultMessage(error)) + Hint(operation, error.Code, resourceArn), error, excerpt) +
            (retryBudgetExhausted ? RetryBudgetHint(adaptive) : string.Empty);
        string? id = error.RequestId;
        LexPolicyException ex = error.Code switch
        {
            null => (int)error.Status switch
            {
                400 => new ValidationException(text, id),
                402 => new ServiceQuotaExceededException(text, id),
                404 => new ResourceNotFoundException(text, id),
                409 => new ConflictException(text, id),
                412 => new PreconditionFailedException(text, id),
                429 => new ThrottlingException(text, error.RetryAfter, id),
                500 => new InternalServerException(text, id),
                _ => new LexPolicyException(text, error.Status, null, id),
            },
            "ValidationException" => new ValidationException(text, id),
            "ServiceQuotaExceededException" => new ServiceQuotaExceededException(text, id),
            "ResourceNotFoundException" => new ResourceNotFoundException(text, id),
            "ConflictException" => new ConflictException(text, id),
            "PreconditionFailedException" => new PreconditionFailedException(text, id),
            "InternalServerException" => new InternalServerException(text, id),
            { } c when ThrottlingCodes.Contains(c) => new ThrottlingException(text, error.RetryAfter, id, c),
            _ => new LexPolicyException(text, error.Status, error.Code, id),
        };
        if (error.Code is { } code && !IsListed(code))
        {
            ex.SetUnlistedCode(); // the server's own text: any value, so not a metric tag
        }

        ex.SetAttempts(attempts);
        ex.SetResponseExcerpt(excerpt);
        return ex;
    }

    private static string Hint(string operation, string? code, string? resourceArn) => code switch
    {
        "InvalidSignatureException" or "SignatureDoesNotMatch" or "IncompleteSignature" =>
            " The request signature was rejected: check the region, the credentials and the machine's clock.",
        "UnrecognizedClientException" or "InvalidClientTokenId" =>
            " The access key is not known to AWS: check which credentials the client resolved.",
        "ExpiredTokenException" or "ExpiredToken" =>
            " The session token has expired: refresh the credentials (for example with aws sso login).",
        "AccessDeniedException" or "AccessDenied" =>
            $" The caller's IAM identity needs {RequiredActions(operation)} on {resourceArn ?? "the resource"} (CallerPolicy.For builds that policy).",
        _ => string.Empty,
    };

    /// <summary>The IAM actions an operation needs, in words, e.g. <c>lex:DescribeResourcePolicy</c>.</summary>
    internal static string RequiredActions(string operation) =>
        Enum.TryParse<ResourcePolicyOperation>(operation, out var op)
            ? string.Join(op is ResourcePolicyOperation.CreateResourcePolicyStatement or ResourcePolicyOperation.DeleteResourcePolicyStatement ? " or " : " and ", CallerPolicy.ActionsFor(op))
            : "lex:" + operation;

    /// <summary>
    /// Whether <paramref name="code"/> is an error code the client knows (modelled, throttling, transient or common to AWS
    /// services): only those are metric tag values, as any other is the server's free text.
    /// </summary>
    internal static bool IsListed(string code) =>
        ModelledCodes.Contains(code) || ThrottlingCodes.Contains(code) || TransientCodes.Contains(code) || CommonCodes.Contains(code);

    /// <summary>
    /// The errors every AWS service may answer (authentication, authorization, request form, availability), in the JSON and
    /// query protocols' spellings: with the modelled and throttling codes, the <c>error.type</c> values the errors counter takes.
    /// </summary>
    private static readonly HashSet<string> CommonCodes = new(StringComparer.Ordinal)
    {
        "AccessDeniedException", "AccessDenied", "IncompleteSignature", "IncompleteSignatureException", "InvalidSignatureException",
        "SignatureDoesNotMatch", "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredTokenException", "ExpiredToken",
        "MissingAuthenticationToken", "MissingAuthenticationTokenException", "NotAuthorized", "OptInRequired", "RequestExpired",
        "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException", "UnknownOperationException", "InvalidAction",
        "SerializationException", "MalformedQueryString", "InvalidQueryParameter", "InvalidParameterValue",
        "InvalidParameterCombination", "MissingParameter", "MissingAction", "ValidationError", "RequestTimeout",
        "RequestTimeoutException",
    };

    private static readonly HashSet<string> ModelledCodes = new(StringComparer.Ordinal)
    {
        "ValidationException", "ServiceQuotaExceededException", "ResourceNotFoundException", "ConflictException",
        "PreconditionFailedException", "InternalServerException",
    };

    private static string Describe(string operation, string message, in ErrorResponse error, string? excerpt)
    {
        string text = string.Format(
            CultureInfo.InvariantCulture,
            "{0} failed: {1} (HTTP {2}, code {3}, request id {4})",
            operation,
            message,
            (int)error.Status,
            error.Code ?? "none",
            error.RequestId ?? "none");
        return excerpt is { } x ? text + " Response began: " + x : text;
    }

    private static string DefaultMessage(in ErrorResponse error) => error.Status switch
    {
        HttpStatusCode.BadRequest => "One of the input members is not valid.",
        HttpStatusCode.PaymentRequired => "A service quota for the bot was exceeded.",
        HttpStatusCode.Forbidden => "The request was not authorized.",
        HttpStatusCode.NotFound => "The resource or policy was not found.",
        HttpStatusCode.Conflict => "The resource is in a conflicting state.",
        HttpStatusCode.PreconditionFailed => "The expected revision does not match the policy's current revision.",
        (HttpStatusCode)429 => "The request rate is too high.",
        HttpStatusCode.InternalServerError => "The service met an unexpected condition.",
        _ => "The service answered with an error status.",
    };
}
