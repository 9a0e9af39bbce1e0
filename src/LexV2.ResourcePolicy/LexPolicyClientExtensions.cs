namespace LexV2.ResourcePolicy;

/// <summary>What <see cref="LexPolicyClientExtensions.EnsureStatementAsync"/> or <see cref="LexPolicyClientExtensions.RemoveStatementAsync"/> did.</summary>
public enum StatementChange
{
    /// <summary>Nothing: the policy already was as desired.</summary>
    None = 0,

    /// <summary>The statement was added.</summary>
    Added = 1,

    /// <summary>A different statement with the same id was replaced.</summary>
    Replaced = 2,

    /// <summary>The statement was removed.</summary>
    Removed = 3,
}

/// <summary>The outcome of an idempotent policy change.</summary>
/// <param name="Change">What was done.</param>
/// <param name="RevisionId">The policy's revision afterwards (<see langword="null"/> when there is no policy).</param>
/// <param name="Attempts">How many read-modify-write rounds it took (more than 1 when concurrent writers interfered).</param>
public sealed record StatementChangeResult(StatementChange Change, string? RevisionId, int Attempts)
{
    /// <summary>Whether the policy was changed.</summary>
    public bool Changed => Change != StatementChange.None;

    /// <summary>
    /// The id of the statement the call was about: the desired (or removed) statement's id, or, when
    /// <see cref="LexPolicyClientExtensions.EnsureStatementAsync"/> found an equivalent statement under another id (for example
    /// one granted under an older default id) and so changed nothing, that statement's id (<see langword="null"/> when it has no
    /// <c>Sid</c>).
    /// </summary>
    public string? StatementId { get; init; }
}

/// <summary>
/// Idempotent, concurrency-safe policy changes for deployment pipelines: run them ten times in parallel and the policy
/// converges. Each reads the current policy, writes only when needed, always with <c>ExpectedRevisionId</c> when a policy
/// exists, and on <see cref="PreconditionFailedException"/> or <see cref="ConflictException"/> from a concurrent writer
/// re-reads and tries again, a bounded number of times with jitter.
/// </summary>
public static class LexPolicyClientExtensions
{
    /// <summary>How many read-modify-write rounds are tried before giving up.</summary>
    public const int MaxAttempts = 8;

    /// <summary>
    /// Makes sure the policy holds <paramref name="desired"/>: does nothing when an equal statement (same id, effect, principals,
    /// actions and conditions, in any order, and a <c>Resource</c> that is this resource) exists, or when a statement under
    /// another id grants exactly the same (then <see cref="StatementChangeResult.StatementId"/> names that id, so a grant made
    /// under an older default id is not copied); adds it when absent; replaces a different statement with the same id.
    /// </summary>
    /// <param name="client">The client.</param>
    /// <param name="desired">The statement (its <c>ExpectedRevisionId</c> is ignored: the current one is used).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>What was done and the resulting revision.</returns>
    /// <exception cref="PreconditionFailedException">Concurrent writers kept changing the policy for <see cref="MaxAttempts"/> rounds.</exception>
    /// <exception cref="LexPolicyException">Any other failure of the underlying calls.</exception>
    public static Task<StatementChangeResult> EnsureStatementAsync(this ILexPolicyClient client, CreateResourcePolicyStatementRequest desired, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(desired);
        return EnsureCoreAsync(client, desired, cancellationToken);
    }

    private static async Task<StatementChangeResult> EnsureCoreAsync(ILexPolicyClient client, CreateResourcePolicyStatementRequest desired, CancellationToken cancellationToken)
    {
        using var quiet = HandledAnswers.Handle(404, 409, 412);
        for (int attempt = 1; ; attempt++)
        {
            var (document, revision) = await ReadAsync(client, desired.ResourceArn, cancellationToken).ConfigureAwait(false);
            var existing = document?.Statement.FirstOrDefault(s => s.Sid == desired.StatementId);
            if (existing is not null && StatementComparer.Matches(existing, desired))
            {
                return new(StatementChange.None, revision, attempt) { StatementId = desired.StatementId };
            }

            if (document?.Statement.FirstOrDefault(s => s.Sid != desired.StatementId && StatementComparer.Matches(s, desired)) is { } equivalent)
            {
                return new(StatementChange.None, revision, attempt) { StatementId = equivalent.Sid };
            }

            try
            {
                if (existing is null)
                {
                    var added = await client.CreateResourcePolicyStatementAsync(desired with { ExpectedRevisionId = revision }, cancellationToken).ConfigureAwait(false);
                    return new(StatementChange.Added, added.RevisionId, attempt) { StatementId = desired.StatementId };
                }

                var replaced = document! with
                {
                    Statement = [.. document!.Statement.Select(s => s.Sid == desired.StatementId ? StatementComparer.ToPolicyStatement(desired) : s)],
                };
                var updated = await client.UpdateResourcePolicyAsync(
                    new UpdateResourcePolicyRequest { ResourceArn = desired.ResourceArn, Policy = replaced.ToJson(), ExpectedRevisionId = revision },
                    cancellationToken).ConfigureAwait(false);
                return new(StatementChange.Replaced, updated.RevisionId, attempt) { StatementId = desired.StatementId };
            }
            catch (LexPolicyException e) when (e is PreconditionFailedException or ConflictException && attempt < MaxAttempts)
            {
                await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Removes a statement if it is there; absent (or no policy at all) is success.</summary>
    /// <param name="client">The client.</param>
    /// <param name="resourceArn">The bot or bot alias.</param>
    /// <param name="statementId">The statement id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>What was done and the resulting revision.</returns>
    /// <exception cref="PreconditionFailedException">Concurrent writers kept changing the policy for <see cref="MaxAttempts"/> rounds.</exception>
    /// <exception cref="LexPolicyException">Any other failure of the underlying calls.</exception>
    public static Task<StatementChangeResult> RemoveStatementAsync(this ILexPolicyClient client, string resourceArn, string statementId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(resourceArn);
        ArgumentNullException.ThrowIfNull(statementId);
        return RemoveCoreAsync(client, resourceArn, statementId, cancellationToken);
    }

    private static async Task<StatementChangeResult> RemoveCoreAsync(ILexPolicyClient client, string resourceArn, string statementId, CancellationToken cancellationToken)
    {
        using var quiet = HandledAnswers.Handle(404, 412);
        for (int attempt = 1; ; attempt++)
        {
            var (document, revision) = await ReadAsync(client, resourceArn, cancellationToken).ConfigureAwait(false);
            if (document is null || !document.Statement.Any(s => s.Sid == statementId))
            {
                return new(StatementChange.None, revision, attempt) { StatementId = statementId };
            }

            try
            {
                var deleted = await client.DeleteResourcePolicyStatementAsync(
                    new DeleteResourcePolicyStatementRequest { ResourceArn = resourceArn, StatementId = statementId, ExpectedRevisionId = revision },
                    cancellationToken).ConfigureAwait(false);
                string? after = deleted.RevisionId ?? (await ReadAsync(client, resourceArn, cancellationToken).ConfigureAwait(false)).Revision;
                return new(StatementChange.Removed, after, attempt) { StatementId = statementId };
            }
            catch (LexPolicyException e) when (e is PreconditionFailedException or ResourceNotFoundException && attempt < MaxAttempts)
            {
                await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The current policy and its revision: no document when there is none (404, or no policy member); a policy that does not parse is an error, so nothing is written over it.</summary>
    internal static async Task<(PolicyDocument? Document, string? Revision)> ReadAsync(ILexPolicyClient client, string resourceArn, CancellationToken cancellationToken)
    {
        DescribeResourcePolicyResponse described;
        try
        {
            described = await client.DescribeResourcePolicyAsync(new DescribeResourcePolicyRequest { ResourceArn = resourceArn }, cancellationToken).ConfigureAwait(false);
        }
        catch (ResourceNotFoundException)
        {
            return (null, null);
        }

        if (described.Policy is null)
        {
            return (null, described.RevisionId);
        }

        if (!PolicyDocument.TryParse(described.Policy, out var document, out string? error))
        {
            throw new LexPolicyException($"The current policy of {resourceArn} cannot be read, so it is not changed: {error}");
        }

        return (document, described.RevisionId);
    }

    private static Task BackOffAsync(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(10, 60) * Math.Min(attempt, 5)), cancellationToken);
}
