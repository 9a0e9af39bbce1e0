namespace LexV2.ResourcePolicy;

/// <summary>Input of <see cref="ILexPolicyClient.CreateResourcePolicyStatementAsync"/>: adds one statement to the policy of a bot or bot alias, creating the policy when there is none.</summary>
public sealed record CreateResourcePolicyStatementRequest
{
    /// <summary>The ARN of the bot or bot alias that the policy is attached to (1–1011 characters).</summary>
    public required string ResourceArn { get; init; }

    /// <summary>The statement's name, the IAM <c>Sid</c>: unique within the policy, 1–100 characters of <c>[0-9a-zA-Z]</c> with single <c>_</c> or <c>-</c> between them.</summary>
    public required string StatementId { get; init; }

    /// <summary>Whether the statement allows or denies the actions.</summary>
    public required Effect Effect { get; init; }

    /// <summary>The principals the statement applies to; each has exactly one of <see cref="Principal.Service"/> or <see cref="Principal.Arn"/>.</summary>
    public required IReadOnlyList<Principal> Principal { get; init; }

    /// <summary>The Lex actions, each matching <c>lex:[a-zA-Z*]+</c> (5–50 characters), for example <c>lex:RecognizeText</c>.</summary>
    public required IReadOnlyList<string> Action { get; init; }

    /// <summary>
    /// Conditions, as operator → (key → value), for example <c>StringEquals → aws:SourceAccount → 123456789012</c>.
    /// A service principal needs both an <c>aws:SourceAccount</c> and an <c>aws:SourceArn</c> key. At most 10 operators and 10 keys per operator.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? Condition { get; init; }

    /// <summary>The revision the caller expects the policy to be at (digits, 1–5 characters); a mismatch fails with <see cref="PreconditionFailedException"/>. Omit to skip the check.</summary>
    public string? ExpectedRevisionId { get; init; }
}

/// <summary>Input of <see cref="ILexPolicyClient.DeleteResourcePolicyStatementAsync"/>: removes one statement from a policy.</summary>
public sealed record DeleteResourcePolicyStatementRequest
{
    /// <summary>The ARN of the bot or bot alias that the policy is attached to.</summary>
    public required string ResourceArn { get; init; }

    /// <summary>The <c>Sid</c> of the statement to remove.</summary>
    public required string StatementId { get; init; }

    /// <summary>The revision the caller expects the policy to be at; omit to skip the check.</summary>
    public string? ExpectedRevisionId { get; init; }
}

/// <summary>Input of <see cref="ILexPolicyClient.CreateResourcePolicyAsync"/>: attaches a whole policy document to a bot or bot alias that has none.</summary>
public sealed record CreateResourcePolicyRequest
{
    /// <summary>The ARN of the bot or bot alias to attach the policy to.</summary>
    public required string ResourceArn { get; init; }

    /// <summary>The IAM policy document, as JSON (at least 2 characters).</summary>
    public required string Policy { get; init; }
}

/// <summary>Input of <see cref="ILexPolicyClient.DescribeResourcePolicyAsync"/>: reads the policy of a bot or bot alias.</summary>
public sealed record DescribeResourcePolicyRequest
{
    /// <summary>The ARN of the bot or bot alias whose policy to read.</summary>
    public required string ResourceArn { get; init; }
}

/// <summary>Input of <see cref="ILexPolicyClient.UpdateResourcePolicyAsync"/>: replaces the whole policy document of a bot or bot alias.</summary>
public sealed record UpdateResourcePolicyRequest
{
    /// <summary>The ARN of the bot or bot alias whose policy to replace.</summary>
    public required string ResourceArn { get; init; }

    /// <summary>The new IAM policy document, as JSON (at least 2 characters).</summary>
    public required string Policy { get; init; }

    /// <summary>The revision the caller expects the policy to be at; omit to overwrite unconditionally.</summary>
    public string? ExpectedRevisionId { get; init; }
}

/// <summary>Input of <see cref="ILexPolicyClient.DeleteResourcePolicyAsync"/>: removes the whole policy of a bot or bot alias.</summary>
public sealed record DeleteResourcePolicyRequest
{
    /// <summary>The ARN of the bot or bot alias whose policy to delete.</summary>
    public required string ResourceArn { get; init; }

    /// <summary>The revision the caller expects the policy to be at; omit to skip the check.</summary>
    public string? ExpectedRevisionId { get; init; }
}
