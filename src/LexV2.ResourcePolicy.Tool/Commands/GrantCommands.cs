using System.CommandLine;
using LexV2.ResourcePolicy.Reconcile;
using LexV2.ResourcePolicy.Tool.Output;

namespace LexV2.ResourcePolicy.Tool.Commands;

/// <summary>
/// <c>lexpolicy grant connect|lambda|service|role</c> and <c>lexpolicy revoke</c>: one idempotent change each, built with the
/// library's <see cref="LexGrant"/> and applied with <see cref="LexPolicyClientExtensions.EnsureStatementAsync"/> /
/// <see cref="LexPolicyClientExtensions.RemoveStatementAsync"/> (revision-checked, retried on concurrent writers).
/// </summary>
internal static class GrantCommands
{
    public static Command Grant(GlobalOptions globals, ToolEnvironment env)
    {
        var grant = new Command("grant", "Add one statement, idempotently: nothing happens when an equal one is in place; a different one with the same id is replaced.");

        var connectInstance = new Option<string>("--instance-arn") { Description = "The Amazon Connect instance ARN (same account as the bot).", Required = true };
        grant.Subcommands.Add(Sub(globals, env, "connect", "Let an Amazon Connect instance use a bot alias (Sid AllowConnect-{instance id} by default).", [connectInstance], withActions: false,
            (run, arn, sid, _) => LexGrant.ConnectInstance(BotAliasArn.Parse(arn), run.Get(connectInstance), sid)));

        var function = new Option<string>("--function-arn") { Description = "The Lambda function ARN (same account as the bot).", Required = true };
        grant.Subcommands.Add(Sub(globals, env, "lambda", "Let a Lambda function use a bot alias (Sid AllowLambda-{function name} by default).", [function], withActions: false,
            (run, arn, sid, _) => LexGrant.LambdaFunction(BotAliasArn.Parse(arn), run.Get(function), sid)));

        var service = new Option<string>("--service") { Description = "The service principal, e.g. chime.amazonaws.com.", Required = true };
        var source = new Option<string>("--source-arn") { Description = "The service's resource that calls Lex (same account as the bot).", Required = true };
        grant.Subcommands.Add(Sub(globals, env, "service", "Let an AWS service use a bot or bot alias on behalf of one of its resources (aws:SourceAccount and aws:SourceArn conditions).", [service, source], withActions: true,
            (run, arn, sid, actions) => LexGrant.ServiceAccess(LexResourceArn.Parse(arn), run.Get(service), run.Get(source), sid, actions)));

        var role = new Option<string>("--role-arn") { Description = "The IAM role (or user, or root) ARN of the bot's own account.", Required = true };
        grant.Subcommands.Add(Sub(globals, env, "role", "Let an IAM role or user of the bot's own account use a bot or bot alias (Sid AllowRole-{name}, AllowUser-{name} or AllowAccount-root by default).", [role], withActions: true,
            (run, arn, sid, actions) => LexGrant.IamPrincipal(LexResourceArn.Parse(arn), run.Get(role), sid, actions)));
        return grant;
    }

    public static Command Revoke(GlobalOptions globals, ToolEnvironment env)
    {
        var arn = new Argument<string>("ARN") { Description = "The bot or bot-alias ARN." };
        var sid = new Argument<string>("SID") { Description = "The statement id to remove." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what would be removed; change nothing." };
        var command = new Command("revoke", "Remove one statement, idempotently: absent is success. Removing the last statement deletes the policy.") { arn, sid, dryRun };
        Invocation.SetAction(command, globals, env, async (run, ct) =>
        {
            string resource = LexResourceArn.Parse(run.Get(arn));
            string statementId = run.Get(sid);
            using var client = run.CreateClient();
            if (run.Get(dryRun))
            {
                var (document, revision, _) = await ShowCommand.ReadAsync(client, resource, ct);
                var existing = document?.Statement.FirstOrDefault(s => s.Sid == statementId);
                await run.Out.WriteLineAsync(existing is null
                    ? $"Dry run: {resource} has no statement {statementId}; nothing would change."
                    : $"Dry run: would remove {statementId} ({Render.OneLine(existing)}) from {resource} at revision {revision}" +
                      (document!.Statement.Count == 1 ? "; it is the last statement, so the policy would be deleted." : "."));
                return ExitCodes.Success;
            }

            var result = await client.RemoveStatementAsync(resource, statementId, ct);
            await WriteChangeAsync(run, resource, statementId, result);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Sub(
        GlobalOptions globals,
        ToolEnvironment env,
        string name,
        string description,
        Option[] options,
        bool withActions,
        Func<Invocation, string, string?, IEnumerable<string>?, CreateResourcePolicyStatementRequest> build)
    {
        var arn = new Argument<string>("ARN") { Description = "The bot-alias (or, where allowed, bot) ARN." };
        var sid = new Option<string?>("--sid") { Description = "The statement id (default: Allow{Service}-{id of what is granted})." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the statement (as a desired-state file) and change nothing." };
        var actions = new Option<string[]>("--action") { Description = "An action to grant, e.g. lex:RecognizeText (repeatable; default: the runtime actions on an alias, read-only on a bot).", AllowMultipleArgumentsPerToken = false };
        var command = new Command(name, description) { arn, sid, dryRun };
        foreach (var option in options)
        {
            command.Options.Add(option);
        }

        if (withActions)
        {
            command.Options.Add(actions);
        }

        Invocation.SetAction(command, globals, env, async (run, ct) =>
        {
            string[]? chosen = withActions && run.Get(actions) is { Length: > 0 } a ? a : null;
            var statement = build(run, run.Get(arn), run.Get(sid), chosen);
            var single = new DesiredState { Resources = [new DesiredResource { ResourceArn = statement.ResourceArn, Statements = [statement] }] };
            if (single.Validate() is { Count: > 0 } problems)
            {
                // Checked before EnsureStatementAsync's first read, so bad input sends nothing at all.
                const string Prefix = "$.resources[0].statements[0].";
                throw new ToolException(string.Join("\nerror: ", problems.Select(p => (p.Path.StartsWith(Prefix, StringComparison.Ordinal) ? p.Path[Prefix.Length..] : p.Path) + ": " + p.Message)));
            }

            foreach (var finding in PolicyLinter.Lint(statement))
            {
                await run.Error.WriteLineAsync("warning: " + finding);
            }

            if (run.Get(dryRun))
            {
                await run.Out.WriteLineAsync(single.ToJson());
                await run.Error.WriteLineAsync("Dry run: nothing was sent.");
                return ExitCodes.Success;
            }

            using var client = run.CreateClient();
            var result = await client.EnsureStatementAsync(statement, ct);
            await WriteChangeAsync(run, statement.ResourceArn, statement.StatementId, result);
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task WriteChangeAsync(Invocation run, string resource, string statementId, StatementChangeResult result)
    {
        if (run.Json)
        {
            JsonOut.Write(run.Out, w =>
            {
                w.WriteStartObject();
                w.WriteString("resourceArn", resource);
                w.WriteString("statementId", result.StatementId ?? statementId);
                w.WriteString("change", result.Change.ToString());
                w.WriteString("revisionId", result.RevisionId);
                w.WriteEndObject();
            });
            return;
        }

        string after = result.RevisionId is null ? "no policy" : "revision " + result.RevisionId;
        await run.Out.WriteLineAsync(result.Change switch
        {
            StatementChange.Added => $"Added {statementId} to {resource} ({after}).",
            StatementChange.Replaced => $"Replaced {statementId} on {resource} ({after}).",
            StatementChange.Removed => $"Removed {statementId} from {resource} ({(result.RevisionId is null ? "it was the last statement: the policy is deleted" : after)}).",
            _ when result.StatementId != statementId => $"Nothing to do: {resource} already grants this as {result.StatementId ?? "a statement without a Sid"} ({after}).",
            _ => $"Nothing to do: {resource} is already as asked ({after}).",
        });
    }
}
