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

    /// <summary>The key under which a request message records its operation name, for handlers and logs.</summary>
    public static readonly HttpRequestOptionsKey<string> NameKey = new("LexV2.ResourcePolicy.Operation");

    /// <summary>The key under which a request message records its resource ARN, for error messages.</summary>
    public static readonly HttpRequestOptionsKey<string> ResourceArnKey = new("LexV2.ResourcePolicy.ResourceArn");

    /// <summary>The key under which the retry handler reports how many attempts it sent.</summary>
    public static readonly HttpRequestOptionsKey<int> AttemptsKey = new("LexV2.ResourcePolicy.Attempts");
}
