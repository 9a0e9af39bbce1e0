using System.CommandLine;
using LexV2.ResourcePolicy.Reconcile;
using LexV2.ResourcePolicy.Tool.Output;

namespace LexV2.ResourcePolicy.Tool.Commands;

/// <summary>
/// <c>lexpolicy apply PLAN | --file FILE</c>: the library's <see cref="PolicyReconciler.ApplyAsync"/>, one client per region. A
/// saved plan is applied only if it is intact (its SHA-256), is the reviewed one (<c>--expect-sha256</c>) and targets what this
/// run would (endpoint per region, accounts). Progress streams per resource; SIGINT/SIGTERM stops it cleanly.
/// </summary>
internal static class ApplyCommand
{
    public static Command Create(GlobalOptions globals, ToolEnvironment env)
    {
        var planFile = new Argument<string?>("PLAN") { Description = "A plan saved with 'lexpolicy plan --out' (- reads standard input): applied exactly; refused (exit 4) when a resource's revision moved since, and (exit 5) when it was edited, is not --expect-sha256 or targets another endpoint, region or account.", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<string?>("--file", "-f") { Description = DesiredStateInput.FileHelp + " Planned and applied in one go; a resource whose revision moves meanwhile is re-planned." };
        var approve = new Option<bool>("--auto-approve") { Description = "Apply --file without asking for confirmation (required when not run at a terminal)." };
        var strict = new Option<bool>("--strict") { Description = "Treat the linter's findings as errors; without it they are warnings." };
        var expect = new Option<string?>("--expect-sha256") { Description = "The SHA-256 of the reviewed plan (printed by 'plan --out'): the saved plan is applied only if it has exactly this hash." };
        var concurrency = ConcurrencyOption("written");
        var command = new Command("apply", "Apply a saved plan, or a desired-state file (--file ... --auto-approve): one atomic write per changed resource, always with the revision it was planned from. One line per resource as it completes, then a summary. On SIGINT/SIGTERM no new write starts, the ones in flight finish, and the output says which resources were written (exit 130/143).")
        {
            planFile, file, approve, strict, expect, concurrency,
        };
        Invocation.SetAction(command, globals, env, async (run, ct) =>
        {
            string? saved = run.Get(planFile);
            string? desiredFile = run.Get(file);
            if ((saved is null) == (desiredFile is null))
            {
                throw new ToolException("give either a saved plan (lexpolicy apply PLAN) or a desired-state file (lexpolicy apply --file FILE --auto-approve).");
            }

            if (desiredFile is not null && run.Get(expect) is not null)
            {
                throw new ToolException("--expect-sha256 checks a saved plan: give the plan (lexpolicy apply PLAN --expect-sha256 HASH), not --file.");
            }

            int max = Concurrency(run, concurrency);
            return saved is not null
                ? await ApplySavedAsync(run, saved, ExpectedSha256(run.Get(expect)), max, ct)
                : await ApplyFileAsync(run, desiredFile!, run.Get(strict), run.Get(approve), max, ct);
        });
        return command;
    }

    /// <summary>
    /// The <c>--expect-sha256</c> value, trimmed and in lower case; one that is not 64 hexadecimal digits (empty, say, from a CI
    /// variable that did not carry over, or with a <c>sha256:</c> prefix) is a mistake in the invocation, not an edited plan, and is
    /// refused as such before the plan is read.
    /// </summary>
    private static string? ExpectedSha256(string? given)
    {
        if (given is null)
        {
            return null;
        }

        string hash = given.Trim();
        return hash.Length == 64 && hash.All(char.IsAsciiHexDigit)
            ? hash.ToLowerInvariant()
            : throw new ToolException($"--expect-sha256 '{given}' {(hash.Length == 0 ? "is empty" : "is not a SHA-256")}: give the 64 hexadecimal digits 'lexpolicy plan --out' printed (SHA-256 ...), as they are. Nothing was sent.");
    }

    public static Option<int> ConcurrencyOption(string what) =>
        new("--concurrency") { Description = $"How many resources are {what} at the same time (1-64); fewer while the service throttles.", DefaultValueFactory = _ => 4 };

    public static int Concurrency(Invocation run, Option<int> option) =>
        run.Get(option) is var max and >= 1 and <= 64 ? max : throw new ToolException($"--concurrency must be between 1 and 64 (was {run.Get(option)}).");

    private static async Task<int> ApplySavedAsync(Invocation run, string path, string? expected, int concurrency, CancellationToken ct)
    {
        string shown = Invocation.Shown(path);
        var plan = DesiredStateInput.LoadPlan(run, path);
        if (expected is not null && !string.Equals(expected, plan.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ToolException($"{shown} has SHA-256 {plan.Sha256}, not the reviewed {expected} (--expect-sha256): it is not the plan that was reviewed. Nothing was sent; make and review a new plan.", ExitCodes.PlanRefused);
        }

        if (plan.Target is null)
        {
            throw new ToolException($"{shown} records no target (the endpoint per region it was made against), so it cannot be shown to be for this one; it was not made by 'lexpolicy plan --out'. Nothing was sent; make and review a new plan.", ExitCodes.PlanRefused);
        }

        using var clients = run.CreateClients(DesiredStateInput.Resources(plan, path));
        var differences = plan.Target.DifferencesFrom(clients.TargetOf(plan.Resources.Select(r => r.ResourceArn)));
        if (differences.Count > 0)
        {
            foreach (string difference in differences)
            {
                await run.Error.WriteLineAsync($"error: {shown}: {difference}.");
            }

            throw new ToolException($"{shown} was made for another target, so it is not applied here. Nothing was sent; apply it against the endpoint and region it was made for, or make and review a new plan.", ExitCodes.PlanRefused);
        }

        await Messages.WarningsAsync(run.Error, plan.Warnings, shown + " (made from a desired state with this finding)");
        var (result, code) = await RunAsync(run, new PolicyReconciler(clients, new ReconcileOptions { MaxConcurrency = concurrency }), plan, ct);
        // 4 promises "nothing was written: plan again"; once any resource was written, a refusal is an error like any other.
        return code ?? (result.Succeeded ? ExitCodes.Success
            : result.Resources.Any(r => r.Outcome is ApplyOutcome.Failed or ApplyOutcome.Applied) ? ExitCodes.Error
            : ExitCodes.PlanStale);
    }

    private static async Task<int> ApplyFileAsync(Invocation run, string path, bool strict, bool approve, int concurrency, CancellationToken ct)
    {
        var desired = DesiredStateInput.Load(run, path, strict);
        if (!approve && !run.Env.IsInteractive)
        {
            throw new ToolException("apply --file needs --auto-approve when not run at a terminal (or save a plan with 'plan --out' and apply that).");
        }

        using var clients = run.CreateClients(DesiredStateInput.Resources(desired, path));
        var reconciler = new PolicyReconciler(clients, new ReconcileOptions { MaxConcurrency = concurrency });
        ReconcilePlan plan;
        try
        {
            plan = await reconciler.PlanAsync(desired, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped while reading: nothing was written. The same report as a cancelled apply, every resource not started.
            return await ReportCancelledAsync(run, new ReconcileResult([.. desired.Resources.Select(r => new ResourceApplyResult { ResourceArn = r.ResourceArn, Outcome = ApplyOutcome.NotStarted, Message = "not started: the apply was cancelled while planning; nothing was written" })]) { Cancelled = true }, []);
        }

        await Messages.WarningsAsync(run.Error, plan.Warnings, Invocation.Shown(path));
        if (plan.FailedExpectations.Count > 0)
        {
            return await DecisionOutput.RefusePlanAsync(run, plan, "nothing was written");
        }

        if (!approve)
        {
            Render.Plan(run.Out, plan, new Palette(run.Color));
            if (!plan.HasChanges || plan.HasErrors)
            {
                foreach (var failed in plan.Resources.Where(r => r.Error is not null))
                {
                    await run.Error.WriteLineAsync(Messages.ResourceError(failed.ResourceArn, failed.Error, null));
                }

                return plan.HasErrors ? ExitCodes.Error : ExitCodes.Success;
            }

            await run.Error.WriteAsync("Apply these changes? Only 'yes' is accepted: ");
            string? answer;
            try
            {
                answer = await Invocation.ReadInput(run.Env.In.ReadLine, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                string signal = run.Env.Interrupt.Requested ? run.Env.Interrupt.SignalName : "cancellation";
                await run.Error.WriteLineAsync($"\nNot applied: stopped by {signal} at the confirmation; nothing was written.");
                return run.Env.Interrupt.Requested ? run.Env.Interrupt.ExitCode : ExitCodes.Error;
            }

            if (!string.Equals(answer?.Trim(), "yes", StringComparison.Ordinal))
            {
                await run.Error.WriteLineAsync("Not applied.");
                return ExitCodes.Error;
            }
        }

        var (result, code) = await RunAsync(run, reconciler, plan, ct);
        return code ?? (result.Succeeded ? ExitCodes.Success : ExitCodes.Error);
    }

    /// <summary>Applies with per-resource progress; a cancelled run is reported like a finished one and ends with the signal's exit code.</summary>
    private static async Task<(ReconcileResult Result, int? Code)> RunAsync(Invocation run, PolicyReconciler reconciler, ReconcilePlan plan, CancellationToken ct)
    {
        ReconcileResult result;
        try
        {
            result = await reconciler.ApplyAsync(plan, new ApplyProgress(run), ct);
        }
        catch (ReconcileCancelledException e)
        {
            return (e.Result, await ReportCancelledAsync(run, e.Result, plan.Warnings));
        }

        await ApplyOutput.WriteResultAsync(run, result, plan.Warnings);
        return (result, null);
    }

    private static async Task<int> ReportCancelledAsync(Invocation run, ReconcileResult result, IReadOnlyList<DesiredStateProblem> warnings)
    {
        await ApplyOutput.WriteResultAsync(run, result, warnings);
        string signal = run.Env.Interrupt.Requested ? run.Env.Interrupt.SignalName : "cancellation";
        await run.Error.WriteLineAsync(
            $"Stopped by {signal}: no write was started after it and the writes in flight finished; {result.Count(ApplyOutcome.Applied)} resource(s) were written, " +
            $"{result.Count(ApplyOutcome.NotStarted)} not started (each resource is written whole or not at all). Run 'lexpolicy plan' to see what is left.");
        return run.Env.Interrupt.Requested ? run.Env.Interrupt.ExitCode : ExitCodes.Error;
    }
}
