using LexV2.ResourcePolicy.Diagnostics;

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
/// <param name="Rounds">
/// How many read-modify-write rounds it took: 1, or more when concurrent writers interfered (at most
/// <see cref="LexPolicyClientExtensions.MaxRounds"/>). Not HTTP attempts: each call's retries are its own, as
/// <see cref="LexPolicyException.Attempts"/> counts them.
/// </param>
public sealed record StatementChangeResult(StatementChange Change, string? RevisionId, int Rounds)
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
/// re-reads and tries again, at most <see cref="MaxRounds"/> rounds with jitter. The answers they handle (a 404 for a
/// resource without a policy, a concurrent writer's 409 or 412) are logged at Debug and are not errors in metrics or spans;
/// each call has its own span (<c>lex.ensure_statement</c>, <c>lex.remove_statement</c>) tagged <c>lex.statement_change</c>.
/// </summary>
public static class LexPolicyClientExtensions
{
    /// <summary>How many read-modify-write rounds are tried before giving up with <see cref="ConflictException"/>.</summary>
    public const int MaxRounds = 8;

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
    /// <exception cref="ConflictException">
    /// Concurrent writers changed the policy between each read and write for <see cref="MaxRounds"/> rounds; its
    /// <see cref="Exception.InnerException"/> is the last round's answer (a <see cref="ConflictException"/> or <see cref="PreconditionFailedException"/>).
    /// </exception>
    /// <exception cref="LexPolicyException">Any other failure of the underlying calls.</exception>
    public static Task<StatementChangeResult> EnsureStatementAsync(this ILexPolicyClient client, CreateResourcePolicyStatementRequest desired, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(desired);
        return LexTelemetry.TraceStatementChange(LexTelemetry.EnsureStatement, desired.ResourceArn, () => EnsureCoreAsync(client, desired, cancellationToken));
    }

    private static async Task<StatementChangeResult> EnsureCoreAsync(ILexPolicyClient client, CreateResourcePolicyStatementRequest desired, CancellationToken cancellationToken)
    {
        for (int round = 1; ; round++)
        {
            var (document, revision) = await ReadAsync(client, desired.ResourceArn, cancellationToken).ConfigureAwait(false);
            var existing = document?.Statement.FirstOrDefault(s => s.Sid == desired.StatementId);
            if (existing is not null && StatementComparer.Matches(existing, desired))
            {
                return new(StatementChange.None, revision, round) { StatementId = desired.StatementId };
            }

            if (document?.Statement.FirstOrDefault(s => s.Sid != desired.StatementId && StatementComparer.Matches(s, desired)) is { } equivalent)
            {
                return new(StatementChange.None, revision, round) { StatementId = equivalent.Sid };
            }

            try
            {
                // A concurrent writer's 409 or 412 is handled by the next round; in the last round it is a failure.
                using var handled = HandledAnswers.Handle(round < MaxRounds ? ConcurrentWrite : []);
                if (existing is null)
                {
                    var added = await client.CreateResourcePolicyStatementAsync(desired with { ExpectedRevisionId = revision }, cancellationToken).ConfigureAwait(false);
                    return new(StatementChange.Added, added.RevisionId, round) { StatementId = desired.StatementId };
                }

                var replaced = document! with
                {
                    Statement = [.. document!.Statement.Select(s => s.Sid == desired.StatementId ? StatementComparer.ToPolicyStatement(desired) : s)],
                };
                var updated = await client.UpdateResourcePolicyAsync(
                    new UpdateResourcePolicyRequest { ResourceArn = desired.ResourceArn, Policy = replaced.ToJson(), ExpectedRevisionId = revision },
                    cancellationToken).ConfigureAwait(false);
                return new(StatementChange.Replaced, updated.RevisionId, round) { StatementId = desired.StatementId };
            }
            catch (LexPolicyException e) when (HandledAnswers.IsOneOf(ConcurrentWrite, e))
            {
                await NextRoundAsync(round, nameof(EnsureStatementAsync), desired.ResourceArn, e, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Removes a statement if it is there; absent (or no policy at all) is success.</summary>
    /// <param name="client">The client.</param>
    /// <param name="resourceArn">The bot or bot alias.</param>
    /// <param name="statementId">The statement id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>What was done and the resulting revision.</returns>
    /// <exception cref="ConflictException">
    /// Concurrent writers changed the policy between each read and delete for <see cref="MaxRounds"/> rounds; its
    /// <see cref="Exception.InnerException"/> is the last round's answer (a <see cref="PreconditionFailedException"/> or <see cref="ResourceNotFoundException"/>).
    /// </exception>
    /// <exception cref="LexPolicyException">Any other failure of the underlying calls.</exception>
    public static Task<StatementChangeResult> RemoveStatementAsync(this ILexPolicyClient client, string resourceArn, string statementId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(resourceArn);
        ArgumentNullException.ThrowIfNull(statementId);
        return LexTelemetry.TraceStatementChange(LexTelemetry.RemoveStatement, resourceArn, () => RemoveCoreAsync(client, resourceArn, statementId, cancellationToken));
    }

    private static async Task<StatementChangeResult> RemoveCoreAsync(ILexPolicyClient client, string resourceArn, string statementId, CancellationToken cancellationToken)
    {
        for (int round = 1; ; round++)
        {
            var (document, revision) = await ReadAsync(client, resourceArn, cancellationToken).ConfigureAwait(false);
            if (document is null || !document.Statement.Any(s => s.Sid == statementId))
            {
                return new(StatementChange.None, revision, round) { StatementId = statementId };
            }

            try
            {
                // A concurrent writer's 412 (or its removal of the statement, 404) is handled by the next round; in the last round it is a failure.
                using var handled = HandledAnswers.Handle(round < MaxRounds ? ConcurrentDelete : []);
                var deleted = await client.DeleteResourcePolicyStatementAsync(
                    new DeleteResourcePolicyStatementRequest { ResourceArn = resourceArn, StatementId = statementId, ExpectedRevisionId = revision },
                    cancellationToken).ConfigureAwait(false);
                string? after = deleted.RevisionId ?? (await ReadAsync(client, resourceArn, cancellationToken).ConfigureAwait(false)).Revision;
                return new(StatementChange.Removed, after, round) { StatementId = statementId };
            }
            catch (LexPolicyException e) when (HandledAnswers.IsOneOf(ConcurrentDelete, e))
            {
                await NextRoundAsync(round, nameof(RemoveStatementAsync), resourceArn, e, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The errors of a concurrent writer to a statement write (409 statement exists, 412 revision moved) and to a delete (412, 404
    /// statement gone), and of a read of a resource without a policy (404): what the helpers' catch clauses take, and so what
    /// the client does not count as a failure while they wait for it.
    /// </summary>
    private static readonly Type[] ConcurrentWrite = [typeof(ConflictException), typeof(PreconditionFailedException)],
        ConcurrentDelete = [typeof(PreconditionFailedException), typeof(ResourceNotFoundException)],
        NoPolicy = [typeof(ResourceNotFoundException)];

    /// <summary>Waits before the next round, or ends the rounds with one exception type, <see cref="ConflictException"/>, holding the last answer.</summary>
    private static Task NextRoundAsync(int round, string helper, string resourceArn, LexPolicyException last, CancellationToken cancellationToken) =>
        round < MaxRounds
            ? BackOffAsync(round, cancellationToken)
            : throw new ConflictException(
                $"{helper} gave up on {resourceArn} after {MaxRounds} rounds: concurrent writers changed the policy between each read and write (last answer: {last.ErrorCode ?? last.GetType().Name}). Try again later.",
                last.RequestId,
                last) { Attempts = last.Attempts };

    /// <summary>The current policy and its revision: no document when there is none (404, or no policy member); a policy that does not parse is an error, so nothing is written over it.</summary>
    internal static async Task<(PolicyDocument? Document, string? Revision)> ReadAsync(ILexPolicyClient client, string resourceArn, CancellationToken cancellationToken)
    {
        DescribeResourcePolicyResponse described;
        try
        {
            using var handled = HandledAnswers.Handle(NoPolicy); // 404: no policy yet, an answer, not a failure
            described = await client.DescribeResourcePolicyAsync(new DescribeResourcePolicyRequest { ResourceArn = resourceArn }, cancellationToken).ConfigureAwait(false);
        }
        catch (LexPolicyException e) when (HandledAnswers.IsOneOf(NoPolicy, e))
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

    private static Task BackOffAsync(int round, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(10, 60) * Math.Min(round, 5)), cancellationToken);
}
