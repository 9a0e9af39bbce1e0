using System.CommandLine;
using System.Text.Json;
using LexV2.ResourcePolicy.Reconcile;
using LexV2.ResourcePolicy.Tool.Output;

namespace LexV2.ResourcePolicy.Tool.Commands;

/// <summary><c>lexpolicy lint --file FILE | ARN</c>: the <see cref="PolicyLinter"/>'s findings; exit 3 when there are any.</summary>
internal static class LintCommand
{
    public static Command Create(GlobalOptions globals, ToolEnvironment env)
    {
        var arn = new Argument<string?>("ARN") { Description = "Lint the live policy of this bot or bot alias.", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<string?>("--file", "-f") { Description = "Lint a file: an IAM policy document (as DescribeResourcePolicy returns it) or a desired-state file." };
        var resource = new Option<string?>("--resource-arn") { Description = "For a policy document: the bot or bot alias it is for (default: the first Lex ARN in its Resource elements)." };
        var command = new Command("lint", "Find misspelled or inapplicable actions, wildcard principals and conditions naming another account. Exit 3 when there are findings.") { arn, file, resource };
        Invocation.SetAction(command, globals, env, async (run, ct) =>
        {
            string? path = run.Get(file);
            if ((path is null) == (run.Get(arn) is null))
            {
                throw new ToolException("give either --file FILE or an ARN.");
            }

            List<(string Path, string Kind, string Message)> findings;
            if (path is not null)
            {
                findings = LintFile(Invocation.Shown(path), run.ReadFile(path), run.Get(resource));
            }
            else
            {
                var target = LexResourceArn.Parse(run.Get(arn)!);
                using var client = run.CreateClients(target);
                var (document, _, _) = await ShowCommand.ReadAsync(client, target, ct);
                findings = document is null ? [] : [.. PolicyLinter.Lint(document, target).Select(f => (f.MemberPath, f.Kind.ToString(), f.Message))];
            }

            if (run.Json)
            {
                JsonOut.Write(run.Out, w =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("findings");
                    foreach (var (p, kind, message) in findings)
                    {
                        w.WriteStartObject();
                        w.WriteString("path", p);
                        w.WriteString("kind", kind);
                        w.WriteString("message", message);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                });
            }
            else
            {
                foreach (var (p, kind, message) in findings)
                {
                    await run.Out.WriteLineAsync($"{(path is null ? string.Empty : path + ": ")}{p}: {kind}: {message}");
                }

                await run.Out.WriteLineAsync(findings.Count == 0 ? "No findings." : $"{findings.Count} finding{(findings.Count == 1 ? string.Empty : "s")}.");
            }

            return findings.Count == 0 ? ExitCodes.Success : ExitCodes.LintFindings;
        });
        return command;
    }

    private static List<(string Path, string Kind, string Message)> LintFile(string path, string text, string? resourceArn)
    {
        bool desiredState;
        try
        {
            using var probe = JsonDocument.Parse(text);
            desiredState = probe.RootElement.ValueKind == JsonValueKind.Object && probe.RootElement.TryGetProperty("resources", out _);
        }
        catch (JsonException e)
        {
            throw new ToolException($"{path}: {e.Path ?? "$"}: invalid JSON: {e.Message}");
        }

        if (desiredState)
        {
            var problems = DesiredState.Parse(text, path).Validate(lint: true);
            if (problems.Where(p => !p.IsLintFinding).ToList() is { Count: > 0 } errors)
            {
                throw new DesiredStateException(path, errors);
            }

            return [.. problems.Select(p => (p.Path, p.Message.Split(':')[0], p.Message[(p.Message.IndexOf(':', StringComparison.Ordinal) + 2)..]))];
        }

        PolicyDocument document;
        try
        {
            document = PolicyDocument.Parse(text);
        }
        catch (PolicyFormatException e)
        {
            throw new ToolException($"{path}: {e.Message}");
        }

        string? arn = resourceArn ?? document.Statement.SelectMany(s => Render.Values(s.Resource)).FirstOrDefault(r => LexResourceArn.TryParse(r, out _, out _));
        if (arn is null)
        {
            throw new ToolException($"{path}: no statement names a Lex bot or bot-alias ARN in Resource; say which resource the policy is for with --resource-arn.");
        }

        return [.. PolicyLinter.Lint(document, LexResourceArn.Parse(arn)).Select(f => (f.MemberPath, f.Kind.ToString(), f.Message))];
    }
}
