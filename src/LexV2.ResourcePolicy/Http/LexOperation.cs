namespace LexV2.ResourcePolicy.Http;

/// <summary>The six operations, with the names used in messages, logs and telemetry.</summary>
internal static class LexOperation
{
    public const string CreateResourcePolicyStatement = nameof(CreateResourcePolicyStatement);
    public const string DeleteResourcePolicyStatement = nameof(DeleteResourcePolicyStatement);
    public const string CreateResourcePolicy = nameof(CreateResourcePolicy);
    public const string DescribeResourcePolicy = nameof(DescribeResourcePolicy);
    public const string UpdateResourcePolicy = nameof(UpdateResourcePolicy);
    public const string DeleteResourcePolicy = nameof(DeleteResourcePolicy);
}

/// <summary>
/// The request message of one operation: carries the operation name, the resource ARN and (set by the retry handler) the
/// attempt count as plain properties, so a call needs no options dictionary.
/// </summary>
internal sealed class LexRequestMessage(HttpMethod method, Uri uri, string operation, string? resourceArn) : HttpRequestMessage(method, uri)
{
    public string Operation { get; } = operation;

    public string? ResourceArn { get; } = resourceArn;

    public int Attempts { get; set; } = 1;

    /// <summary>What the signer put on the last attempt, so server text the client keeps from its answer can be redacted.</summary>
    public Signing.SigningRecord? Record { get; set; }

    /// <summary>The final error answer as the retry handler already parsed it, so the client does not parse it again.</summary>
    public Errors.ErrorResponse? Error { get; set; }

    /// <summary>Whether a retry was refused because the client's retry budget was empty (set by the retry handler).</summary>
    public bool RetryBudgetExhausted { get; set; }

    /// <summary>The success body as the retry handler already read it (within the attempt's timeout); the client disposes it.</summary>
    public PooledBody? SuccessBody { get; set; }

    /// <summary>The operation name of any request (for messages not built by the client, its method).</summary>
    public static string OperationOf(HttpRequestMessage request) => request is LexRequestMessage lex ? lex.Operation : request.Method.Method;
}
