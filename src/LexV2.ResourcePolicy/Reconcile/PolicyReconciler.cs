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
/// handled the same way. Two applies running at once are therefore safe: each write names the revision it replaces, and the
/// other run's writes show up as moved revisions.
/// </para>
/// <para>
/// <b>Many resources, and throttling.</b> Resources are read and written concurrently, at most
/// <see cref="ReconcileOptions.MaxConcurrency"/> at a time; one resource's failure does not stop the others, and the result
/// says what happened to each. A call that is still throttled after the client's own retries halves the number of calls in
/// flight (it grows back as calls succeed) and is retried after a wait (<see cref="ReconcileOptions.MaxThrottleRetries"/>). When
/// a call is throttled through all of those retries, or ends without an answer (timed out, connection failed), and no call of
/// the run was answered meanwhile, the service accepts nothing: no more resources are started, and each one not started fails
/// with an exception that says so (a <see cref="ThrottlingException"/> for throttling).
/// </para>
/// <para>
/// <b>Cancellation.</b> A cancelled <see cref="ApplyAsync"/> starts no new write, lets the writes in flight finish (up to
/// <see cref="ReconcileOptions.CancellationGracePeriod"/>) and throws <see cref="ReconcileCancelledException"/>, whose result
/// lists every resource: written, unchanged, failed or <see cref="ApplyOutcome.NotStarted"/>.
/// </para>
/// </remarks>
public sealed class PolicyReconciler
{
    private static readonly TimeSpan ThrottleBaseDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ThrottleMaxDelay = TimeSpan.FromSeconds(20);

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
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxThrottleRetries, 0, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_options.MaxThrottleRetries, 20, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.CancellationGracePeriod, TimeSpan.Zero, nameof(options));
        ArgumentNullException.ThrowIfNull(_options.TimeProvider, nameof(options));
    }

    /// <summary>
    /// Reads every resource's policy and computes the changes that make it the desired one. Writes nothing. The plan carries the
    /// linter's findings on the desired state as <see cref="ReconcilePlan.Warnings"/>.
    /// </summary>
    /// <param name="desired">The desired state; it is validated first (see <see cref="DesiredState.Validate"/>).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The plan; a resource that could not be read has <see cref="ResourcePlan.Error"/> set.</returns>
    /// <exception cref="DesiredStateException">The desired state breaks a rule; nothing was sent.</exception>
    public async Task<ReconcilePlan> PlanAsync(DesiredState desired, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var checks = desired.Validate(lint: true);
        if (checks.Where(p => !p.IsLintFinding).ToList() is { Count: > 0 } problems)
        {
            throw new DesiredStateException(null, problems);
        }

        var gate = new ThrottleGate(_options.MaxConcurrency);
        var plans = new ResourcePlan[desired.Resources.Count];
        await ForEachAsync(plans.Length, gate, async i =>
        {
            var resource = desired.Resources[i];
            try
            {
                plans[i] = Compute(resource, await ReadAsync(gate, resource.ResourceArn, cancellationToken, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (!IsCancellation(e, cancellationToken))
            {
                plans[i] = new ResourcePlan { ResourceArn = resource.ResourceArn, Prune = resource.Prune, Desired = resource, Error = e };
            }
        }, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        for (int i = 0; i < plans.Length; i++)
        {
            // Not read: the service throttled everything (the gate stalled), so the run stopped starting resources.
            var resource = desired.Resources[i];
            plans[i] ??= new ResourcePlan { ResourceArn = resource.ResourceArn, Prune = resource.Prune, Desired = resource, Error = gate.Stalled };
        }

        return new ReconcilePlan(plans, _options.TimeProvider.GetUtcNow()) { Warnings = [.. checks.Where(p => p.IsLintFinding)] };
    }

    /// <summary>
    /// Applies a plan, one atomic write per changed resource with <c>ExpectedRevisionId</c>; see the class remarks for moved
    /// revisions, throttling and cancellation. Never throws for one resource's failure: the result says what happened to each.
    /// </summary>
    /// <param name="plan">The plan, from <see cref="PlanAsync"/> or <see cref="ReconcilePlan.Parse"/>.</param>
    /// <param name="progress">Told each resource's result as it completes (from a worker thread); optional.</param>
    /// <param name="cancellationToken">Stops the run: no write starts after it, the writes in flight may finish.</param>
    /// <returns>The per-resource results, in the plan's order.</returns>
    /// <exception cref="ReconcileCancelledException">
    /// <paramref name="cancellationToken"/> was cancelled before every resource was done; its result says what was written.
    /// </exception>
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

        using var run = new ApplyRun(_options, cancellationToken);
        var results = new ResourceApplyResult?[plan.Resources.Count];
        var reads = new CurrentPolicy?[plan.Resources.Count];
        if (plan.Resources.Any(r => r.Error is null && !CanReplan(r)))
        {
            // A plan that cannot be re-planned is applied only if no resource moved: check them all before writing any.
            await ForEachAsync(reads.Length, run.Gate, async i =>
            {
                var r = plan.Resources[i];
                try
                {
                    reads[i] = r.Error is null ? await ReadAsync(run.Gate, r.ResourceArn, run.Stop, run.Stop).ConfigureAwait(false) : null;
                }
                catch (Exception e) when (!IsCancellation(e, run.Stop))
                {
                    results[i] = Failed(r, e, 0);
                }
            }, run.Stop).ConfigureAwait(false);
            if (run.Stop.IsCancellationRequested)
            {
                throw Cancelled(plan, results, new bool[results.Length], progress, run.Stop); // nothing was written
            }

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

        var reported = new bool[results.Length];
        await ForEachAsync(results.Length, run.Gate, async i =>
        {
            results[i] ??= await ApplyResourceAsync(plan.Resources[i], reads[i], run).ConfigureAwait(false);
            if (results[i] is { } done)
            {
                reported[i] = true;
                progress?.Report(done);
            }
        }, run.Stop).ConfigureAwait(false);
        if (reported.Any(r => !r) && (run.Stop.IsCancellationRequested || run.Gate.Stalled is null))
        {
            throw Cancelled(plan, results, reported, progress, run.Stop);
        }

        for (int i = 0; i < results.Length; i++)
        {
            if (!reported[i] && run.Gate.Stalled is { } stalled)
            {
                // Not started: the service throttled everything, so the run stopped starting resources; nothing was written.
                results[i] ??= Failed(plan.Resources[i], plan.Resources[i].Error ?? stalled, 0);
                progress?.Report(results[i]!);
            }
        }

        return new ReconcileResult(results!);
    }

    /// <summary>Plans and applies in one go (re-planning any resource whose revision moves in between).</summary>
    /// <param name="desired">The desired state.</param>
    /// <param name="progress">Told each resource's result as it completes; optional.</param>
    /// <param name="cancellationToken">Cancels the remaining work (see <see cref="ApplyAsync"/>).</param>
    /// <returns>The per-resource results.</returns>
    /// <exception cref="DesiredStateException">The desired state breaks a rule; nothing was sent.</exception>
    /// <exception cref="ReconcileCancelledException">Cancelled while applying; its result says what was written.</exception>
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

    /// <summary>One resource: re-read, re-plan or refuse if it moved, then the one write. <see langword="null"/>: not started (cancelled).</summary>
    private async Task<ResourceApplyResult?> ApplyResourceAsync(ResourcePlan plan, CurrentPolicy? read, ApplyRun run)
    {
        if (plan.Error is not null)
        {
            return Failed(plan, plan.Error, 0);
        }

        int replans = 0;
        bool writing = false;
        try
        {
            for (int round = 0; ; round++)
            {
                try
                {
                    var current = read ?? await ReadAsync(run.Gate, plan.ResourceArn, run.Stop, run.Stop).ConfigureAwait(false);
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

                    // No write starts once the run is stopped; one already sent is let finish (bounded by the grace period).
                    run.Stop.ThrowIfCancellationRequested();
                    writing = true;
                    string? revision = await WriteAsync(run, plan.ResourceArn, current, ApplyChanges(current.Document, plan.Changes)).ConfigureAwait(false);
                    return new() { ResourceArn = plan.ResourceArn, Outcome = ApplyOutcome.Applied, Plan = plan, RevisionId = revision, Replans = replans };
                }
                catch (LexPolicyException e) when (e is PreconditionFailedException or ConflictException)
                {
                    // The policy moved between our read and our write: the next round reads it again and re-plans or refuses.
                    writing = false;
                    if (!CanReplan(plan))
                    {
                        return new() { ResourceArn = plan.ResourceArn, Outcome = ApplyOutcome.Refused, Plan = plan, Message = "the policy changed while it was being applied (" + e.Message + "); make a new plan", Error = e, Replans = replans };
                    }

                    if (round >= _options.MaxReplans)
                    {
                        return Failed(plan, e, replans);
                    }
                }
                catch (Exception e) when (!IsCancellation(e, run.Stop, run.Abort))
                {
                    return Failed(plan, e, replans);
                }
            }
        }
        catch (OperationCanceledException e) when (writing && run.Abort.IsCancellationRequested)
        {
            return Failed(plan, new LexPolicyException($"The run was cancelled while the write of {plan.ResourceArn} was in flight, and it did not finish within {_options.CancellationGracePeriod.TotalSeconds:0.#} s: whether it was written is unknown; plan again to see.", e), replans);
        }
        catch (OperationCanceledException) when (run.Stop.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>The one write: the whole new document behind the revision check, or a delete when nothing is left.</summary>
    private async Task<string?> WriteAsync(ApplyRun run, string resourceArn, CurrentPolicy current, PolicyDocument? next)
    {
        if (next is null)
        {
            if (current.Document is not null)
            {
                var request = new DeleteResourcePolicyRequest { ResourceArn = resourceArn, ExpectedRevisionId = current.RevisionId };
                await CallAsync(run.Gate, ct => _client.DeleteResourcePolicyAsync(request, ct), run.Stop, run.Abort).ConfigureAwait(false);
            }

            return null;
        }

        if (current.Document is null)
        {
            // CreateResourcePolicy takes no revision, but cannot overwrite: it fails when a policy has appeared meanwhile.
            var create = new CreateResourcePolicyRequest { ResourceArn = resourceArn, Policy = next.ToJson() };
            return (await CallAsync(run.Gate, ct => _client.CreateResourcePolicyAsync(create, ct), run.Stop, run.Abort).ConfigureAwait(false)).RevisionId;
        }

        var update = new UpdateResourcePolicyRequest { ResourceArn = resourceArn, Policy = next.ToJson(), ExpectedRevisionId = current.RevisionId };
        return (await CallAsync(run.Gate, ct => _client.UpdateResourcePolicyAsync(update, ct), run.Stop, run.Abort).ConfigureAwait(false)).RevisionId;
    }

    private async Task<CurrentPolicy> ReadAsync(ThrottleGate gate, string resourceArn, CancellationToken wait, CancellationToken call)
    {
        var (document, revision) = await CallAsync(gate, ct => LexPolicyClientExtensions.ReadAsync(_client, resourceArn, ct), wait, call).ConfigureAwait(false);
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

    /// <summary>
    /// One call, holding a place in the gate. A call still throttled after the client's retries lowers the gate's limit and is
    /// retried after a wait (a throttled call was not carried out). <paramref name="wait"/> ends the waits; <paramref name="call"/>
    /// is the call's own token (for a write: cancelled only after the grace period).
    /// </summary>
    private async Task<T> CallAsync<T>(ThrottleGate gate, Func<CancellationToken, Task<T>> send, CancellationToken wait, CancellationToken call)
    {
        long answersBefore = gate.Answers;
        long started = _options.TimeProvider.GetTimestamp();
        for (int retry = 0; ; retry++)
        {
            var permit = await gate.EnterAsync(wait).ConfigureAwait(false);
            try
            {
                T result = await send(call).ConfigureAwait(false);
                permit.Succeeded();
                return result;
            }
            catch (ThrottlingException e)
            {
                permit.Throttled();
                if (retry >= _options.MaxThrottleRetries || wait.IsCancellationRequested || gate.Stalled is not null)
                {
                    if (retry == 0)
                    {
                        throw;
                    }

                    if (retry >= _options.MaxThrottleRetries && gate.Answers == answersBefore)
                    {
                        gate.Stall(new ThrottlingException(
                            NotAttempted($"the service throttled every call of this run for {Elapsed(started)} s (one call was retried {retry} time(s) after the client's own retries, and no other call was answered meanwhile)") +
                            "Try again later, with less concurrency.",
                            e.RetryAfter,
                            null,
                            e.ErrorCode));
                    }

                    throw new ThrottlingException(
                        e.Message + $" The reconciler also retried it {retry} time(s), each time with fewer calls in flight; try again later, with less concurrency.",
                        e.RetryAfter,
                        e.RequestId,
                        e.ErrorCode) { Attempts = e.Attempts };
                }
            }
            catch (Exception e) when (e is not ThrottlingException)
            {
                permit.Abandoned();
                if (e is LexPolicyTimeoutException or LexPolicyException { ErrorCode: "RequestFailed" } or HttpRequestException)
                {
                    if (gate.Answers == answersBefore && !wait.IsCancellationRequested)
                    {
                        // No answer for this call after the client's retries, and none for any other call meanwhile: the
                        // endpoint answers nothing now (down, unreachable, or hanging), and every other resource would only wait
                        // out the same timeouts. The run starts no more resources.
                        string cause = NotAttempted($"the service answered no call of this run ({Elapsed(started)} s; the last: {e.Message.TrimEnd('.')})") +
                            "Check the endpoint and the network, and try again.";
                        gate.Stall(e is LexPolicyTimeoutException timeout
                            ? new LexPolicyTimeoutException(cause, timeout.IsOverallTimeout)
                            : new LexPolicyException(cause, default, "RequestFailed", null));
                    }
                }
                else if (e is LexPolicyException)
                {
                    gate.Answered(); // the service answered: it is not refusing everything
                }

                throw;
            }

            await Task.Delay(ThrottleDelay(retry), _options.TimeProvider, wait).ConfigureAwait(false);
        }
    }

    /// <summary>The message of a resource the run did not start because the service accepts nothing (see <see cref="ThrottleGate.Stalled"/>).</summary>
    private static string NotAttempted(string why) => $"Not attempted: {why}, so no more resources were started; nothing was written for this one. ";

    private string Elapsed(long since) => _options.TimeProvider.GetElapsedTime(since).TotalSeconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Exponential from 1 s, capped at 20 s, jittered into [half, full] of the step.</summary>
    private static TimeSpan ThrottleDelay(int retry) =>
        TimeSpan.FromMilliseconds(Math.Min(ThrottleBaseDelay.TotalMilliseconds * Math.Pow(2, retry), ThrottleMaxDelay.TotalMilliseconds) * (0.5 + (0.5 * Random.Shared.NextDouble())));

    private bool CanReplan(ResourcePlan plan) => plan.Desired is not null && _options.ReplanOnMovedRevision;

    private static bool Moved(ResourcePlan plan, CurrentPolicy current) =>
        plan.RevisionId != current.RevisionId || plan.PolicySha256 != current.Sha256;

    private static string MovedMessage(ResourcePlan plan, CurrentPolicy current) =>
        $"the policy moved since the plan was made (revision {plan.RevisionId ?? "none"} then, {current.RevisionId ?? "none"} now" +
        (plan.RevisionId == current.RevisionId ? ", with other content" : string.Empty) + "); make a new plan";

    private static ResourceApplyResult Failed(ResourcePlan plan, Exception e, int replans) =>
        new() { ResourceArn = plan.ResourceArn, Outcome = ApplyOutcome.Failed, Plan = plan, Error = e, Message = e.Message, Replans = replans };

    /// <summary>Whether <paramref name="e"/> is the run's own cancellation (which ends the run) rather than one resource's failure.</summary>
    private static bool IsCancellation(Exception e, CancellationToken stop, CancellationToken abort = default) =>
        e is OperationCanceledException && (stop.IsCancellationRequested || abort.IsCancellationRequested);

    /// <summary>
    /// The result of a cancelled run: the resources not started are listed as such, and every result not yet reported (those
    /// and any failure found before the run stopped) is reported now.
    /// </summary>
    private static ReconcileCancelledException Cancelled(ReconcilePlan plan, ResourceApplyResult?[] results, bool[] reported, IProgress<ResourceApplyResult>? progress, CancellationToken stop)
    {
        for (int i = 0; i < results.Length; i++)
        {
            var r = plan.Resources[i];
            results[i] ??= new() { ResourceArn = r.ResourceArn, Outcome = ApplyOutcome.NotStarted, Plan = r, Message = "not started: the apply was cancelled before its write began; nothing was written" };
            if (!reported[i])
            {
                progress?.Report(results[i]!);
            }
        }

        return new ReconcileCancelledException(new ReconcileResult(results!) { Cancelled = true }, stop);
    }

    /// <summary>
    /// Runs <paramref name="body"/> for 0..count-1 on at most <see cref="ReconcileOptions.MaxConcurrency"/> workers, which take no
    /// new item once <paramref name="stop"/> is cancelled or <paramref name="gate"/> is stalled; the items already started run to
    /// their end.
    /// </summary>
    private async Task ForEachAsync(int count, ThrottleGate gate, Func<int, Task> body, CancellationToken stop)
    {
        int next = -1;
        async Task WorkAsync()
        {
            await Task.Yield();
            int i;
            while (!stop.IsCancellationRequested && gate.Stalled is null && (i = Interlocked.Increment(ref next)) < count)
            {
                try
                {
                    await body(i).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Min(_options.MaxConcurrency, count)).Select(_ => WorkAsync())).ConfigureAwait(false);
    }

    /// <summary>The state of one apply: the gate, the stop token, and the abort token that ends writes after the grace period.</summary>
    private sealed class ApplyRun : IDisposable
    {
        private readonly CancellationTokenSource _abort;
        private readonly CancellationTokenRegistration _onStop;

        public ApplyRun(ReconcileOptions options, CancellationToken stop)
        {
            Gate = new ThrottleGate(options.MaxConcurrency);
            Stop = stop;
            _abort = new CancellationTokenSource(Timeout.InfiniteTimeSpan, options.TimeProvider);
            TimeSpan grace = options.CancellationGracePeriod;
            _onStop = stop.Register(() => _abort.CancelAfter(grace));
        }

        public ThrottleGate Gate { get; }

        public CancellationToken Stop { get; }

        public CancellationToken Abort => _abort.Token;

        public void Dispose()
        {
            _onStop.Dispose();
            _abort.Dispose();
        }
    }

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
