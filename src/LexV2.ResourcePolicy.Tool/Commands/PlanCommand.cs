using System.CommandLine;
using LexV2.ResourcePolicy.Reconcile;
using LexV2.ResourcePolicy.Tool.Output;

namespace LexV2.ResourcePolicy.Tool.Commands;

/// <summary><c>lexpolicy plan</c>: the library's <see cref="PolicyReconciler.PlanAsync"/> over a desired-state file, one client per region.</summary>
internal static class PlanCommand
{
    public static Command Create(GlobalOptions globals, ToolEnvironment env)
    {
        var file = new Option<string>("--file", "-f") { Description = DesiredStateInput.FileHelp, Required = true };
        var output = new Option<string?>("--out") { Description = "Save the plan to this file (with its target and SHA-256, which is printed), to apply exactly it later with 'lexpolicy apply PLAN --expect-sha256 HASH'." };
        var detailed = new Option<bool>("--detailed-exitcode") { Description = "Exit 0 when nothing would change, 2 when changes are pending, 1 on error (for drift detection in CI)." };
        var strict = new Option<bool>("--strict") { Description = "Treat the linter's findings (misspelled actions, wildcard principals, ...) as errors; without it they are warnings." };
        var concurrency = ApplyCommand.ConcurrencyOption("read");
        var command = new Command("plan", "Show what apply would change: + add, ~ replace (member by member), - remove (only where the resource says prune), per statement, with the revision each resource is at. The linter's findings are printed as warnings.")
        {
            file, output, detailed, strict, concurrency,
        };
        Invocation.SetAction(command, globals, env, async (run, ct) =>
        {
            string path = run.Get(file);
            if (run.Get(output) is { } saveTo && path != "-" && string.Equals(Path.GetFullPath(saveTo), Path.GetFullPath(path), StringComparison.Ordinal))
            {
                throw new ToolException($"--out {saveTo} is the desired-state file (--file) itself: saving the plan there would replace it. Choose another path, e.g. plan.json.");
            }

            var desired = DesiredStateInput.Load(run, path, run.Get(strict));
            using var clients = run.CreateClients(DesiredStateInput.Resources(desired, path));
            var reconciler = new PolicyReconciler(clients, new ReconcileOptions { MaxConcurrency = ApplyCommand.Concurrency(run, concurrency) });
            var plan = DesiredStateInput.Stamp(await reconciler.PlanAsync(desired, ct), clients);

            await Messages.WarningsAsync(run.Error, plan.Warnings, Invocation.Shown(path));
            if (plan.FailedExpectations.Count > 0)
            {
                return await DecisionOutput.RefusePlanAsync(run, plan, "no plan was saved");
            }

            if (run.Json)
            {
                await run.Out.WriteLineAsync(plan.ToJson());
            }
            else
            {
                Render.Plan(run.Out, plan, new Palette(run.Color));
                if (plan.Resources.SelectMany(r => r.Expectations).ToList() is { Count: > 0 } held)
                {
                    await DecisionOutput.WriteExpectationsTextAsync(run.Out, held);
                }
            }

            foreach (var failed in plan.Resources.Where(r => r.Error is not null))
            {
                await run.Error.WriteLineAsync(Messages.ResourceError(failed.ResourceArn, failed.Error, null));
            }

            if (plan.HasErrors)
            {
                await run.Error.WriteLineAsync($"{plan.Resources.Count(r => r.Error is not null)} resource(s) could not be planned; nothing is saved. Fix the cause above and plan again.");
                return ExitCodes.Error;
            }

            if (run.Get(output) is { } target)
            {
                await OutputFile.WriteAsync(target, plan.ToJson() + "\n", ct);

                await run.Error.WriteLineAsync($"Saved the plan to {target} (SHA-256 {plan.Sha256}); apply exactly it with: lexpolicy apply {target} --expect-sha256 {plan.Sha256}");
            }

            return run.Get(detailed) && plan.HasChanges ? ExitCodes.ChangesPending : ExitCodes.Success;
        });
        return command;
    }
}
