namespace LexV2.ResourcePolicy.Reconcile;

/// <summary>
/// Reconciles the resource policies of many bots and bot aliases with a <see cref="DesiredState"/>: <see cref="PlanAsync"/>
/// reads each policy and lists, per resource, the statements to add, replace and remove (removal only where the resource says
/// <c>prune</c>) and the revision it saw; <see cref="ApplyAsync"/> writes them.
/// </summary>
/// <remarks>
/// <para>
/// <b>One write per resource, never blind.</b> All of a resource's changes are written at once, as the whole new policy
/// document: <c>UpdateResourcePolicy</c> with <c>ExpectedRevisionId</c> when a policy exists, <c>CreateResourcePolicy</c>
/// (which fails if one has appeared meanwhile) when none does, and <c>DeleteResourcePolicy</c> with <c>ExpectedRevisionId</c>
/// when no statement is left (the API deletes a policy with its last statement anyway). So a resource either gets every
/// planned change or none, behind one revision check; the statements the plan does not touch are written back exactly as read.
/// Statement equality is the one <see cref="LexPolicyClientExtensions.EnsureStatementAsync"/> uses (order-insensitive).
/// </para>
/// <para>
/// <b>Moved revisions.</b> Before writing, each policy is read again and compared with the revision and the policy digest the
/// plan was made from. When it moved, a plan made in code is re-planned from its desired state (up to
/// <see cref="ReconcileOptions.MaxReplans"/> times); a plan read from a file cannot be, and then nothing of the whole plan is
/// applied: every resource is checked first, the moved ones are <see cref="ApplyOutcome.Refused"/> and the others
/// <see cref="ApplyOutcome.Skipped"/>. A revision that moves between that read and the write fails the write (412), which is
/// handled the same way.
/// </para>
/// <para>
/// <b>Many resources.</b> Resources are read and written concurrently, at most <see cref="ReconcileOptions.MaxConcurrency"/>
/// at a time; one resource's failure does not stop the others, and the result says what happened to each.
/// </para>
/// </remarks>
public sealed class PolicyReconciler
{
    private readonly ILexPolicyClient _client;
    private readonly ReconcileOptions _options;

    /// <summary>Creates a reconciler.</summary>
    /// <param name="client">The client (a <see cref="LexPolicyClient"/>, the emulator's, or your own fake).</param>
    /// <param name="options">Settings; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public PolicyReconciler(ILexPolicyClient client, ReconcileOptions? options = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options ?? new ReconcileOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxConcurrency, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_options.MaxConcurrency, 64, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxReplans, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_options.MaxReplans, 20, nameof(options));
        ArgumentNullException.ThrowIfNull(_options.TimeProvider, nameof(options));
    }

    /// <summary>Reads every resource's policy and computes the changes that make it the desired one. Writes nothing.</summary>
    /// <param name="desired">The desired state; it is validated first (see <see cref="DesiredState.Validate"/>).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The plan; a resource that could not be read has <see cref="ResourcePlan.Error"/> set.</returns>
    /// <exception cref="DesiredStateException">The desired state breaks a rule; nothing was sent.</exception>
    public async Task<ReconcilePlan> PlanAsync(DesiredState desired, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.Validate() is { Count: > 0 } problems)
        {
            throw new DesiredStateException(null, problems);
        }

        var plans = new ResourcePlan[desired.Resources.Count];
        await ForEachAsync(plans.Length, async (i, ct) =>
        {
            var resource = desired.Resources[i];
            try
            {
                plans[i] = Compute(resource, await ReadAsync(resource.ResourceArn, ct).ConfigureAwait(false));
            }
            catch (Exception e) when (IsResourceFailure(e, ct))
            {
                plans[i] = new ResourcePlan { ResourceArn = resource.ResourceArn, Prune = resource.Prune, Desired = resource, Error = e };
            }
        }, cancellationToken).ConfigureAwait(false);
        return new ReconcilePlan(plans, _options.TimeProvider.GetUtcNow());
    }

    /// <summary>
    /// Applies a plan, one atomic write per changed resource with <c>ExpectedRevisionId</c>; see the class remarks for moved
    /// revisions. Never throws for one resource's failure: the result says what happened to each.
    /// </summary>
    /// <param name="plan">The plan, from <see cref="PlanAsync"/> or <see cref="ReconcilePlan.Parse"/>.</param>
    /// <param name="progress">Told each resource's result as it completes (from a worker thread); optional.</param>
    /// <param name="cancellationToken">Cancels the remaining work.</param>
    /// <returns>The per-resource results, in the plan's order.</returns>
    /// <exception cref="AccessExpectationException">An access expectation of the plan does not hold; nothing was written.</exception>
    public async Task<ReconcileResult> ApplyAsync(ReconcilePlan plan, IProgress<ResourceApplyResult>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Resources.GroupBy(r => r.ResourceArn, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"The plan holds {twice.Key} more than once; each resource is planned and applied once.", nameof(plan));
        }

        if (plan.FailedExpectations is { Count: > 0 } unmet)
        {
            throw new AccessExpectationException(unmet);
        }

        var results = new ResourceApplyResult?[plan.Resources.Count];
        var reads = new CurrentPolicy?[plan.Resources.Count];
        if (plan.Resources.Any(r => r.Error is null && !CanReplan(r)))
        {
            // A plan that cannot be re-planned is applied only if no resource moved: check them all before writing any.
            await ForEachAsync(reads.Length, async (i, ct) =>
            {
                var r = plan.Resources[i];
                try
                {
                    reads[i] = r.Error is null ? await ReadAsync(r.ResourceArn, ct).ConfigureAwait(false) : null;
                }
                catch (Exception e) when (IsResourceFailure(e, ct))
                {
                    results[i] = Failed(r, e, 0);
                }
            }, cancellationToken).ConfigureAwait(false);

            var moved = Enumerable.Range(0, reads.Length).Where(i => reads[i] is { } read && !CanReplan(plan.Resources[i]) && Moved(plan.Resources[i], read)).ToList();
            if (moved.Count > 0)
            {
                for (int i = 0; i < results.Length; i++)
                {
                    var r = plan.Resources[i];
                    results[i] ??= moved.Contains(i)
                        ? new() { ResourceArn = r.ResourceArn, Outcome = ApplyOutcome.Refused, Plan = r, RevisionId = reads[i]!.RevisionId, Message = MovedMessage(r, reads[i]!) }
                        : r.Error is not null ? Failed(r, r.Error, 0)
                        : new() { ResourceArn = r.ResourceArn, Outcome = ApplyOutcome.Skipped, Plan = r, Message = $"not applied: the revision of {moved.Count} resource(s) moved since the plan was made, so the plan is refused; make a new plan" };
                    progress?.Report(results[i]!);
                }

                return new ReconcileResult(results!);
            }
        }

        await ForEachAsync(results.Length, async (i, ct) =>
        {
            results[i] ??= await ApplyResourceAsync(plan.Resources[i], reads[i], ct).ConfigureAwait(false);
            progress?.Report(results[i]!);
        }, cancellationToken).ConfigureAwait(false);
        return new ReconcileResult(results!);
    }

    /// <summary>Plans and applies in one go (re-planning any resource whose revision moves in between).</summary>
    /// <param name="desired">The desired state.</param>
    /// <param name="progress">Told each resource's result as it completes; optional.</param>
    /// <param name="cancellationToken">Cancels the remaining work.</param>
    /// <returns>The per-resource results.</returns>
    /// <exception cref="DesiredStateException">The desired state breaks a rule; nothing was sent.</exception>
    /// <exception cref="AccessExpectationException">An access expectation does not hold for the planned policies; nothing was written.</exception>
    public async Task<ReconcileResult> ReconcileAsync(DesiredState desired, IProgress<ResourceApplyResult>? progress = null, CancellationToken cancellationToken = default) =>
        await ApplyAsync(await PlanAsync(desired, cancellationToken).ConfigureAwait(false), progress, cancellationToken).ConfigureAwait(false);

    /// <summary>The changes that turn <paramref name="current"/> into the desired policy.</summary>
    internal static ResourcePlan Compute(DesiredResource desired, CurrentPolicy current)
    {
        var existing = current.Document?.Statement ?? [];
        var changes = new List<StatementPlan>();
        var unchanged = new List<string>();
        foreach (var statement in desired.Statements)
        {
            var same = existing.Where(s => s.Sid == statement.StatementId).ToList();
            if (same.Count == 0)
            {
                changes.Add(new StatementPlan { Change = PlannedChange.Add, StatementId = statement.StatementId, Desired = statement });
            }
            else if (same.Count == 1 && StatementComparer.Matches(same[0], statement))
            {
                unchanged.Add(statement.StatementId);
            }
            else
            {
                changes.Add(new StatementPlan { Change = PlannedChange.Replace, StatementId = statement.StatementId, Desired = statement, Current = same[0], Differences = Differences(same[0], statement) });
            }
        }

        if (desired.Prune)
        {
            var named = new HashSet<string>(desired.Statements.Select(s => s.StatementId), StringComparer.Ordinal);
            changes.AddRange(existing
                .Where(s => s.Sid is null || !named.Contains(s.Sid))
                .Select(s => new StatementPlan { Change = PlannedChange.Remove, StatementId = s.Sid, Current = s }));
        }

        return new ResourcePlan
        {
            ResourceArn = desired.ResourceArn,
            Prune = desired.Prune,
            RevisionId = current.RevisionId,
            PolicySha256 = current.Sha256,
            Changes = changes,
            Unchanged = unchanged,
            Desired = desired,
            Expectations = AccessExpectations.Evaluate(desired, ApplyChanges(current.Document, changes)),
        };
    }

    /// <summary>
    /// The policy after the changes: statements the plan does not touch stay as read and where they were, replacements take the
    /// place of the statement they replace, additions go at the end. <see langword="null"/> when no statement is left.
    /// </summary>
    internal static PolicyDocument? ApplyChanges(PolicyDocument? current, IReadOnlyList<StatementPlan> changes)
    {
        var removeIds = changes.Where(c => c.Change == PlannedChange.Remove && c.StatementId is not null).Select(c => c.StatementId!).ToHashSet(StringComparer.Ordinal);
        var removeUnnamed = changes.Where(c => c.Change == PlannedChange.Remove && c.StatementId is null && c.Current is not null).Select(c => c.Current!).ToList();
        var replace = changes.Where(c => c.Change == PlannedChange.Replace).ToDictionary(c => c.StatementId!, c => c.Desired!, StringComparer.Ordinal);
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        var statements = new List<PolicyStatement>();
        foreach (var s in current?.Statement ?? [])
        {
            if (s.Sid is null ? removeUnnamed.Remove(s) : removeIds.Contains(s.Sid))
            {
                continue;
            }

            if (s.Sid is not null && replace.TryGetValue(s.Sid, out var desired))
            {
                if (replaced.Add(s.Sid))
                {
                    statements.Add(StatementComparer.ToPolicyStatement(desired));
                }

                continue;
            }

            statements.Add(s);
        }

        statements.AddRange(changes.Where(c => c.Change == PlannedChange.Add).Select(c => StatementComparer.ToPolicyStatement(c.Desired!)));
        return statements.Count == 0 ? null : (current ?? new PolicyDocument()) with { Statement = statements };
    }

    private async Task<ResourceApplyResult> ApplyResourceAsync(ResourcePlan plan, CurrentPolicy? read, CancellationToken cancellationToken)
    {
        if (plan.Error is not null)
        {
            return Failed(plan, plan.Error, 0);
        }

        int replans = 0;
        for (int round = 0; ; round++)
        {
            try
            {
                var current = read ?? await ReadAsync(plan.ResourceArn, cancellationToken).ConfigureAwait(false);
                read = null;
                if (Moved(plan, current))
                {
                    if (!CanReplan(plan))
                    {
                        return new() { ResourceArn = plan.ResourceArn, Outcome = ApplyOutcome.Refused, Plan = plan, RevisionId = current.RevisionId, Message = MovedMessage(plan, current), Replans = replans };
                    }

                    if (replans == _options.MaxReplans)
                    {
                        return Failed(plan, new PreconditionFailedException($"The policy of {plan.ResourceArn} kept changing while it was applied (re-planned {replans} times); try again later."), replans);
                    }

                    plan = Compute(plan.Desired!, current);
                    replans++;
                    if (plan.Expectations.FirstOrDefault(e => !e.Holds) is { } unmet)
                    {
                        return new() { ResourceArn = plan.ResourceArn, Outcome = ApplyOutcome.Refused, Plan = plan, RevisionId = current.RevisionId, Message = $"the policy moved, and re-planned from it an access expectation does not hold ({unmet}: {unmet.Decision.Summary}); nothing was written", Replans = replans };
                    }
                }

                if (!plan.HasChanges)
                {
                    return new() { ResourceArn = plan.ResourceArn, Outcome = ApplyOutcome.Unchanged, Plan = plan, RevisionId = current.RevisionId, Replans = replans };
                }

                string? revision = await WriteAsync(plan.ResourceArn, current, ApplyChanges(current.Document, plan.Changes), cancellationToken).ConfigureAwait(false);
                return new() { ResourceArn = plan.ResourceArn, Outcome = ApplyOutcome.Applied, Plan = plan, RevisionId = revision, Replans = replans };
            }
            catch (LexPolicyException e) when (e is PreconditionFailedException or ConflictException)
            {
                // The policy moved between our read and our write: the next round reads it again and re-plans or refuses.
                if (!CanReplan(plan))
                {
                    return new() { ResourceArn = plan.ResourceArn, Outcome = ApplyOutcome.Refused, Plan = plan, Message = "the policy changed while it was being applied (" + e.Message + "); make a new plan", Error = e, Replans = replans };
                }

                if (round >= _options.MaxReplans)
                {
                    return Failed(plan, e, replans);
                }
            }
            catch (Exception e) when (IsResourceFailure(e, cancellationToken))
            {
                return Failed(plan, e, replans);
            }
        }
    }

    /// <summary>The one write: the whole new document behind the revision check, or a delete when nothing is left.</summary>
    private async Task<string?> WriteAsync(string resourceArn, CurrentPolicy current, PolicyDocument? next, CancellationToken cancellationToken)
    {
        if (next is null)
        {
            if (current.Document is not null)
            {
                await _client.DeleteResourcePolicyAsync(new DeleteResourcePolicyRequest { ResourceArn = resourceArn, ExpectedRevisionId = current.RevisionId }, cancellationToken).ConfigureAwait(false);
            }

            return null;
        }

        if (current.Document is null)
        {
            // CreateResourcePolicy takes no revision, but cannot overwrite: it fails when a policy has appeared meanwhile.
            var created = await _client.CreateResourcePolicyAsync(new CreateResourcePolicyRequest { ResourceArn = resourceArn, Policy = next.ToJson() }, cancellationToken).ConfigureAwait(false);
            return created.RevisionId;
        }

        var updated = await _client.UpdateResourcePolicyAsync(
            new UpdateResourcePolicyRequest { ResourceArn = resourceArn, Policy = next.ToJson(), ExpectedRevisionId = current.RevisionId },
            cancellationToken).ConfigureAwait(false);
        return updated.RevisionId;
    }

    private async Task<CurrentPolicy> ReadAsync(string resourceArn, CancellationToken cancellationToken)
    {
        var (document, revision) = await LexPolicyClientExtensions.ReadAsync(_client, resourceArn, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return new CurrentPolicy(null, null, null); // no policy (the API answers 404 for a resource without one)
        }

        if (string.IsNullOrEmpty(revision))
        {
            throw new LexPolicyException($"The policy of {resourceArn} was described without a revision id, so it cannot be changed safely (every write must name the revision it replaces).");
        }

        return new CurrentPolicy(document, revision, ReconcilePlan.Digest(document));
    }

    private bool CanReplan(ResourcePlan plan) => plan.Desired is not null && _options.ReplanOnMovedRevision;

    private static bool Moved(ResourcePlan plan, CurrentPolicy current) =>
        plan.RevisionId != current.RevisionId || plan.PolicySha256 != current.Sha256;

    private static string MovedMessage(ResourcePlan plan, CurrentPolicy current) =>
        $"the policy moved since the plan was made (revision {plan.RevisionId ?? "none"} then, {current.RevisionId ?? "none"} now" +
        (plan.RevisionId == current.RevisionId ? ", with other content" : string.Empty) + "); make a new plan";

    private static ResourceApplyResult Failed(ResourcePlan plan, Exception e, int replans) =>
        new() { ResourceArn = plan.ResourceArn, Outcome = ApplyOutcome.Failed, Plan = plan, Error = e, Message = e.Message, Replans = replans };

    /// <summary>Any failure of one resource is kept to that resource, except the caller's cancellation.</summary>
    private static bool IsResourceFailure(Exception e, CancellationToken cancellationToken) =>
        !(e is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private Task ForEachAsync(int count, Func<int, CancellationToken, Task> body, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrency, CancellationToken = cancellationToken },
            async (i, ct) => await body(i, ct).ConfigureAwait(false));

    private static List<string> Differences(PolicyStatement current, CreateResourcePolicyStatementRequest desired)
    {
        // A member differs when putting the current one into the desired statement breaks the match.
        var target = StatementComparer.ToPolicyStatement(desired);
        var differences = new List<string>();
        if (!StatementComparer.Matches(target with { Effect = current.Effect }, desired))
        {
            differences.Add("effect");
        }

        if (!StatementComparer.Matches(target with { Principal = current.Principal, NotPrincipal = current.NotPrincipal }, desired))
        {
            differences.Add("principal");
        }

        if (!StatementComparer.Matches(target with { Action = current.Action, NotAction = current.NotAction }, desired))
        {
            differences.Add("action");
        }

        if (!StatementComparer.Matches(target with { Condition = current.Condition }, desired))
        {
            differences.Add("condition");
        }

        if (!StatementComparer.Matches(target with { Resource = current.Resource, NotResource = current.NotResource }, desired))
        {
            differences.Add("resource");
        }

        if (differences.Count == 0)
        {
            differences.Add("other");
        }

        return differences;
    }
}

/// <summary>A policy as read: the document (<see langword="null"/> when there is none), its revision and its digest.</summary>
internal sealed record CurrentPolicy(PolicyDocument? Document, string? RevisionId, string? Sha256);
