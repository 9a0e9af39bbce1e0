namespace LexV2.ResourcePolicy.Reconcile;

/// <summary>Settings of a <see cref="PolicyReconciler"/>.</summary>
public sealed class ReconcileOptions
{
    /// <summary>How many resources are read or written at the same time (1–64). Default: 4.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>
    /// How many times one resource is re-planned when its revision keeps moving during an apply (1–20); then it fails.
    /// Default: 3.
    /// </summary>
    public int MaxReplans { get; set; } = 3;

    /// <summary>
    /// When a resource's revision has moved since the plan was made, re-plan it from its desired state and apply that (the
    /// default), or refuse it. A plan read from a file has no desired state and is always refused. Default: <see langword="true"/>.
    /// </summary>
    public bool ReplanOnMovedRevision { get; set; } = true;

    /// <summary>
    /// How many more times the reconciler itself retries a call that still failed with a throttling error after the client's own
    /// retries (0–20). Each such throttle halves the number of calls the reconciler keeps in flight (it grows back by one for
    /// every that-many calls that succeed) and waits before the retry: 1 s, doubling, at most 20 s, jittered. A throttled call
    /// was not carried out, so retrying a write is safe. Default: 8.
    /// </summary>
    public int MaxThrottleRetries { get; set; } = 8;

    /// <summary>
    /// After <see cref="PolicyReconciler.ApplyAsync"/> is cancelled, how long the writes already in flight may take to finish
    /// before they are abandoned too (their outcome is then unknown). No new write starts once cancelled. Default: 30 s.
    /// </summary>
    public TimeSpan CancellationGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock that stamps plans and times the throttling waits and the grace period. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

/// <summary>What applying a plan did to one resource.</summary>
public enum ApplyOutcome
{
    /// <summary>Nothing to do: the policy already was as desired.</summary>
    Unchanged = 0,

    /// <summary>The policy was written (created, updated, or deleted when no statement was left).</summary>
    Applied = 1,

    /// <summary>The revision had moved since the plan was made and the plan could not be re-planned (a saved plan); nothing was written.</summary>
    Refused = 2,

    /// <summary>Not attempted: a saved plan is applied only when no resource's revision has moved, and one had.</summary>
    Skipped = 3,

    /// <summary>
    /// Reading, planning or writing failed (see <see cref="ResourceApplyResult.Error"/>); nothing was written, unless the message
    /// says the run was cancelled while the write was in flight (then its outcome is unknown: plan again).
    /// </summary>
    Failed = 4,

    /// <summary>Not started: the apply was cancelled before this resource's write began; nothing was written.</summary>
    NotStarted = 5,
}

/// <summary>The result for one resource.</summary>
public sealed record ResourceApplyResult
{
    /// <summary>The bot or bot-alias ARN.</summary>
    public required string ResourceArn { get; init; }

    /// <summary>What happened.</summary>
    public required ApplyOutcome Outcome { get; init; }

    /// <summary>The policy's revision afterwards (<see langword="null"/> when it has no policy, or when unknown after a failure).</summary>
    public string? RevisionId { get; init; }

    /// <summary>The plan that was applied: the original, or the re-planned one when the revision had moved.</summary>
    public ResourcePlan? Plan { get; init; }

    /// <summary>How many times the resource was re-planned because its revision moved.</summary>
    public int Replans { get; init; }

    /// <summary>Why it was refused, skipped or failed.</summary>
    public string? Message { get; init; }

    /// <summary>The failure (<see cref="ApplyOutcome.Failed"/>), usually a <see cref="LexPolicyException"/>.</summary>
    public Exception? Error { get; init; }
}

/// <summary>The result of <see cref="PolicyReconciler.ApplyAsync"/>: one entry per resource of the plan, in its order.</summary>
public sealed class ReconcileResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="resources">The per-resource results.</param>
    public ReconcileResult(IReadOnlyList<ResourceApplyResult> resources)
    {
        Resources = resources ?? throw new ArgumentNullException(nameof(resources));
    }

    /// <summary>The per-resource results.</summary>
    public IReadOnlyList<ResourceApplyResult> Resources { get; }

    /// <summary>
    /// Whether the apply was cancelled: the resources that had not started are <see cref="ApplyOutcome.NotStarted"/>, the others
    /// say what was written.
    /// </summary>
    public bool Cancelled { get; init; }

    /// <summary>Whether every resource is now as planned (each <see cref="ApplyOutcome.Applied"/> or <see cref="ApplyOutcome.Unchanged"/>).</summary>
    public bool Succeeded => Resources.All(r => r.Outcome is ApplyOutcome.Applied or ApplyOutcome.Unchanged);

    /// <summary>How many resources had the given outcome.</summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns>The count.</returns>
    public int Count(ApplyOutcome outcome) => Resources.Count(r => r.Outcome == outcome);

    /// <summary>
    /// A one-line summary, e.g. <c>2 applied, 1 unchanged, 0 refused, 0 skipped, 0 failed</c>; a cancelled apply adds
    /// <c>, 5 not started (cancelled)</c>.
    /// </summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        $"{Count(ApplyOutcome.Applied)} applied, {Count(ApplyOutcome.Unchanged)} unchanged, {Count(ApplyOutcome.Refused)} refused, {Count(ApplyOutcome.Skipped)} skipped, {Count(ApplyOutcome.Failed)} failed" +
        (Cancelled || Count(ApplyOutcome.NotStarted) > 0 ? $", {Count(ApplyOutcome.NotStarted)} not started{(Cancelled ? " (cancelled)" : string.Empty)}" : string.Empty);
}

/// <summary>
/// <see cref="PolicyReconciler.ApplyAsync"/> was cancelled: it started no write after the cancellation, let the writes in flight
/// finish (up to <see cref="ReconcileOptions.CancellationGracePeriod"/>), and <see cref="Result"/> says what happened to every
/// resource, those not started included. Each resource was written whole or not at all.
/// </summary>
public sealed class ReconcileCancelledException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="result">What happened to each resource (<see cref="ReconcileResult.Cancelled"/> set).</param>
    /// <param name="cancellationToken">The token that was cancelled.</param>
    public ReconcileCancelledException(ReconcileResult result, CancellationToken cancellationToken)
        : base(Describe(result), cancellationToken)
    {
        Result = result;
    }

    /// <summary>What happened to each resource.</summary>
    public ReconcileResult Result { get; }

    private static string Describe(ReconcileResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return $"The apply was cancelled: {result}.";
    }
}
