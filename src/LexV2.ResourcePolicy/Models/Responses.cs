namespace LexV2.ResourcePolicy;

/// <summary>Result of <see cref="ILexPolicyClient.CreateResourcePolicyStatementAsync"/>.</summary>
public sealed record CreateResourcePolicyStatementResponse
{
    /// <summary>The ARN of the bot or bot alias that the policy is attached to.</summary>
    public string? ResourceArn { get; init; }

    /// <summary>The policy's revision after the change; pass it as <c>ExpectedRevisionId</c> to the next change.</summary>
    public string? RevisionId { get; init; }
}

/// <summary>Result of <see cref="ILexPolicyClient.DeleteResourcePolicyStatementAsync"/>. The service answers 204 with no body, so the members are usually <see langword="null"/>.</summary>
public sealed record DeleteResourcePolicyStatementResponse
{
    /// <summary>The ARN of the bot or bot alias, when the service sends it.</summary>
    public string? ResourceArn { get; init; }

    /// <summary>The policy's revision after the change, when the service sends it.</summary>
    public string? RevisionId { get; init; }
}

/// <summary>Result of <see cref="ILexPolicyClient.CreateResourcePolicyAsync"/>.</summary>
public sealed record CreateResourcePolicyResponse
{
    /// <summary>The ARN of the bot or bot alias that the policy is attached to.</summary>
    public string? ResourceArn { get; init; }

    /// <summary>The new policy's revision.</summary>
    public string? RevisionId { get; init; }
}

/// <summary>Result of <see cref="ILexPolicyClient.DescribeResourcePolicyAsync"/>.</summary>
public sealed record DescribeResourcePolicyResponse
{
    /// <summary>The ARN of the bot or bot alias that the policy is attached to.</summary>
    public string? ResourceArn { get; init; }

    /// <summary>The IAM policy document, as the JSON string the service returned.</summary>
    public string? Policy { get; init; }

    /// <summary>The policy's current revision.</summary>
    public string? RevisionId { get; init; }
}

/// <summary>Result of <see cref="ILexPolicyClient.UpdateResourcePolicyAsync"/>.</summary>
public sealed record UpdateResourcePolicyResponse
{
    /// <summary>The ARN of the bot or bot alias that the policy is attached to.</summary>
    public string? ResourceArn { get; init; }

    /// <summary>The policy's revision after the change.</summary>
    public string? RevisionId { get; init; }
}

/// <summary>Result of <see cref="ILexPolicyClient.DeleteResourcePolicyAsync"/>. The service answers 204 with no body, so the members are usually <see langword="null"/>.</summary>
public sealed record DeleteResourcePolicyResponse
{
    /// <summary>The ARN of the bot or bot alias, when the service sends it.</summary>
    public string? ResourceArn { get; init; }

    /// <summary>The policy's revision after the change, when the service sends it.</summary>
    public string? RevisionId { get; init; }
}
