using System.CommandLine;
using System.Text.Json;
using LexV2.ResourcePolicy.Reconcile;
using LexV2.ResourcePolicy.Tool.Output;

namespace LexV2.ResourcePolicy.Tool.Commands;

/// <summary><c>lexpolicy plan</c> and <c>lexpolicy apply</c>: the library's <see cref="PolicyReconciler"/> over a desired-state file.</summary>
internal static class PlanApplyCommands
{
    private const string FileHelp = "The desired-state file (JSON: resources[] with resourceArn, prune and statements in the API's member names; schema: lexpolicy-desired-state.schema.json in the package).";

    public static Command Plan(GlobalOptions globals, ToolEnvironment env)
    {
        var file = new Option<string>("--file", "-f") { Description = FileHelp, Required = true };
        var output = new Option<string?>("--out") { Description = "Save the plan to this file, to apply exactly it later with 'lexpolicy apply PLAN'." };
        var detailed = new Option<bool>("--detailed-exitcode") { Description = "Exit 0 when nothing would change, 2 when changes are pending, 1 on error (for drift detection in CI)." };
        var strict = new Option<bool>("--strict") { Description = "Treat the linter's findings (misspelled actions, wildcard principals, ...) as errors." };
        var command = new Command("plan", "Show what apply would change: + add, ~ replace, - remove (only where the resource says prune), per statement, with the revision each resource is at.")
        {
            file, output, detailed, strict,
        };
        Invocation.SetAction(command, globals, env, async (run, ct) =>
        {
            var desired = Load(run.Get(file), run.Get(strict));
            using var client = run.CreateClient();
            var plan = await new PolicyReconciler(client).PlanAsync(desired, ct);
            if (plan.FailedExpectations.Count > 0)
            {
                return await DecisionOutput.RefusePlanAsync(run, plan, "no plan was saved");
            }

            await WritePlanAsync(run, plan);
            if (!run.Json && plan.Resources.SelectMany(r => r.Expectations).ToList() is { Count: > 0 } held)
            {
                await DecisionOutput.WriteExpectationsTextAsync(run.Out, held);
            }

            if (plan.HasErrors)
            {
                return ExitCodes.Error;
            }

            if (run.Get(output) is { } path)
            {
                try
                {
                    await File.WriteAllTextAsync(path, plan.ToJson() + "\n", ct);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new ToolException($"cannot write the plan to {path}: {e.Message}");
                }
                await run.Error.WriteLineAsync($"Saved the plan to {path}; apply exactly it with: lexpolicy apply {path}");
            }

            return run.Get(detailed) && plan.HasChanges ? ExitCodes.ChangesPending : ExitCodes.Success;
        });
        return command;
    }

    public static Command Apply(GlobalOptions globals, ToolEnvironment env)
    {
        var planFile = new Argument<string?>("PLAN") { Description = "A plan saved with 'lexpolicy plan --out': applied exactly, and refused (exit 4) when any resource's revision moved since.", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<string?>("--file", "-f") { Description = FileHelp + " Planned and applied in one go; a resource whose revision moves meanwhile is re-planned." };
        var approve = new Option<bool>("--auto-approve") { Description = "Apply --file without asking for confirmation (required when not run at a terminal)." };
        var strict = new Option<bool>("--strict") { Description = "Treat the linter's findings as errors." };
        var concurrency = new Option<int>("--concurrency") { Description = "How many resources are written at the same time (1-64).", DefaultValueFactory = _ => 4 };
        var command = new Command("apply", "Apply a saved plan, or a desired-state file (--file ... --auto-approve): one atomic write per changed resource, always with the revision it was planned from. Progress per resource, then a summary.")
        {
            planFile, file, approve, strict, concurrency,
        };
        Invocation.SetAction(command, globals, env, async (run, ct) =>
        {
            string? saved = run.Get(planFile);
            string? desiredFile = run.Get(file);
            if ((saved is null) == (desiredFile is null))
            {
                throw new ToolException("give either a saved plan (lexpolicy apply PLAN) or a desired-state file (lexpolicy apply --file FILE --auto-approve).");
            }

            int max = run.Get(concurrency);
            if (max is < 1 or > 64)
            {
                throw new ToolException($"--concurrency must be between 1 and 64 (was {max}).");
            }

            ReconcilePlan plan;
            using var client = run.CreateClient();
            var reconciler = new PolicyReconciler(client, new ReconcileOptions { MaxConcurrency = max });
            if (saved is not null)
            {
                plan = ReconcilePlan.Parse(Invocation.ReadFile(saved), saved);
            }
            else
            {
                var desired = Load(desiredFile!, run.Get(strict));
                if (!run.Get(approve) && !run.Env.IsInteractive)
                {
                    throw new ToolException("apply --file needs --auto-approve when not run at a terminal (or save a plan with 'plan --out' and apply that).");
                }

                plan = await reconciler.PlanAsync(desired, ct);
                if (plan.FailedExpectations.Count > 0)
                {
                    return await DecisionOutput.RefusePlanAsync(run, plan, "nothing was written");
                }

                if (!run.Get(approve))
                {
                    Render.Plan(run.Out, plan);
                    if (!plan.HasChanges || plan.HasErrors)
                    {
                        return plan.HasErrors ? ExitCodes.Error : ExitCodes.Success;
                    }

                    await run.Error.WriteAsync("Apply these changes? Only 'yes' is accepted: ");
                    if (!string.Equals((await run.Env.In.ReadLineAsync(ct))?.Trim(), "yes", StringComparison.Ordinal))
                    {
                        await run.Error.WriteLineAsync("Not applied.");
                        return ExitCodes.Error;
                    }
                }
            }

            bool live = run.Env.IsTerminalOutput && !run.Json;
            var progress = live ? new ImmediateProgress(r => { lock (run.Out) { run.Out.WriteLine(Line(r)); } }) : null;
            var result = await reconciler.ApplyAsync(plan, progress, ct);
            await WriteResultAsync(run, result, printLines: !live);
            // 4 promises "nothing was written: plan again"; once any resource was written, a refusal is an error like any other.
            return result.Succeeded ? ExitCodes.Success
                : result.Resources.Any(r => r.Outcome is ApplyOutcome.Failed or ApplyOutcome.Applied) ? ExitCodes.Error
                : ExitCodes.PlanStale;
        });
        return command;
    }

    /// <summary>Reads and validates a desired-state file; every problem names the file and the JSON path.</summary>
    private static DesiredState Load(string path, bool strict)
    {
        var desired = DesiredState.Parse(Invocation.ReadFile(path), path);
        var problems = desired.Validate(lint: strict);
        return problems.Count > 0 ? throw new DesiredStateException(path, problems) : desired;
    }

    private static async Task WritePlanAsync(Invocation run, ReconcilePlan plan)
    {
        if (!run.Json)
        {
            Render.Plan(run.Out, plan);
        }
        else if (!plan.HasErrors)
        {
            await run.Out.WriteLineAsync(plan.ToJson());
        }

        foreach (var failed in plan.Resources.Where(r => r.Error is not null))
        {
            await run.Error.WriteLineAsync($"error: {failed.ResourceArn}: {failed.Error!.Message}");
        }
    }

    private static async Task WriteResultAsync(Invocation run, ReconcileResult result, bool printLines)
    {
        if (run.Json)
        {
            JsonOut.Write(run.Out, w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("succeeded", result.Succeeded);
                w.WriteStartArray("resources");
                foreach (var r in result.Resources)
                {
                    w.WriteStartObject();
                    w.WriteString("resourceArn", r.ResourceArn);
                    w.WriteString("outcome", JsonNamingPolicy.CamelCase.ConvertName(r.Outcome.ToString()));
                    w.WriteString("revisionId", r.RevisionId);
                    w.WriteNumber("added", r.Plan?.Additions ?? 0);
                    w.WriteNumber("replaced", r.Plan?.Replacements ?? 0);
                    w.WriteNumber("removed", r.Plan?.Removals ?? 0);
                    w.WriteNumber("replans", r.Replans);
                    w.WriteString("message", r.Message);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
            return;
        }

        if (printLines)
        {
            foreach (var r in result.Resources)
            {
                await run.Out.WriteLineAsync(Line(r));
            }
        }

        await run.Out.WriteLineAsync("Apply: " + result);
    }

    private static string Line(ResourceApplyResult r) => r.Outcome switch
    {
        ApplyOutcome.Applied => $"{r.ResourceArn}: applied +{r.Plan!.Additions} ~{r.Plan.Replacements} -{r.Plan.Removals} → " +
            (r.RevisionId is null ? "no policy left" : "revision " + r.RevisionId) + (r.Replans > 0 ? $" (re-planned {r.Replans}x: the revision had moved)" : string.Empty),
        ApplyOutcome.Unchanged => $"{r.ResourceArn}: unchanged (revision {r.RevisionId ?? "none"})",
        ApplyOutcome.Refused => $"{r.ResourceArn}: REFUSED: {r.Message}",
        ApplyOutcome.Skipped => $"{r.ResourceArn}: skipped: {r.Message}",
        _ => $"{r.ResourceArn}: FAILED: {(r.Error is LexPolicyException { ErrorCode: { } code } ? code + ": " : string.Empty)}{r.Message}",
    };

    /// <summary>Reports at once on the reporting thread (<see cref="Progress{T}"/> would post to a synchronization context).</summary>
    private sealed class ImmediateProgress(Action<ResourceApplyResult> report) : IProgress<ResourceApplyResult>
    {
        public void Report(ResourceApplyResult value) => report(value);
    }
}
