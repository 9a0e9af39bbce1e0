using System.CommandLine;
using LexV2.ResourcePolicy.Reconcile;
using LexV2.ResourcePolicy.Tool.Output;

namespace LexV2.ResourcePolicy.Tool.Commands;

/// <summary>
/// <c>lexpolicy check --file FILE</c>: the access expectations of a desired-state file (<c>expect</c>) against the live
/// policies, with the library's <see cref="AccessExpectations.CheckAsync"/>. Exit 0 when all hold, 2 when one does not, 1 on error.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(GlobalOptions globals, ToolEnvironment env)
    {
        var file = new Option<string>("--file", "-f") { Description = "The desired-state file whose 'expect' lists are checked.", Required = true };
        var command = new Command(
            "check",
            "Check the access expectations of a desired-state file ('expect': who must or must not reach each bot or alias) against the live policies; writes nothing. Exit 0 when all hold, 2 when one does not, 1 on error.")
        {
            file,
        };
        Invocation.SetAction(command, globals, env, async (run, ct) =>
        {
            string path = run.Get(file);
            var desired = DesiredStateInput.Load(run, path, strict: false);
            using var clients = run.CreateClients(DesiredStateInput.Resources(desired, path));
            var results = await AccessExpectations.CheckAsync(clients, desired, ct);
            if (run.Json)
            {
                DecisionOutput.WriteExpectations(run.Out, results);
            }
            else if (results.Count == 0)
            {
                await run.Out.WriteLineAsync($"{path} has no access expectations ('expect') to check.");
            }
            else
            {
                await DecisionOutput.WriteExpectationsTextAsync(run.Out, results);
            }

            return results.All(r => r.Holds) ? ExitCodes.Success : ExitCodes.ExpectationFails;
        });
        return command;
    }
}
