using System.CommandLine;
using LexV2.ResourcePolicy.Tool.Output;

namespace LexV2.ResourcePolicy.Tool.Commands;

/// <summary><c>lexpolicy show ARN</c>: the policy as a table and its revision.</summary>
internal static class ShowCommand
{
    public static Command Create(GlobalOptions globals, ToolEnvironment env)
    {
        var arn = new Argument<string>("ARN") { Description = "The bot or bot-alias ARN." };
        var command = new Command("show", "Show a resource policy: one row per statement (sid, effect, principals, actions, conditions) and its revision.") { arn };
        Invocation.SetAction(command, globals, env, async (run, ct) =>
        {
            string resource = LexResourceArn.Parse(run.Get(arn));
            using var client = run.CreateClients(resource);
            var (document, revision, json) = await ReadAsync(client, resource, ct);
            if (run.Json)
            {
                JsonOut.Write(run.Out, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("resourceArn", resource);
                    w.WriteString("revisionId", revision);
                    JsonOut.Raw(w, "policy", json);
                    w.WriteEndObject();
                });
                return ExitCodes.Success;
            }

            if (document is null)
            {
                await run.Out.WriteLineAsync($"{resource}: no resource policy.");
                return ExitCodes.Success;
            }

            await run.Out.WriteLineAsync($"{resource}  revision {revision}  ({document.Statement.Count} statement{(document.Statement.Count == 1 ? string.Empty : "s")})");
            var table = new TextTable("SID", "EFFECT", "PRINCIPALS", "ACTIONS", "CONDITIONS");
            foreach (var s in document.Statement)
            {
                table.Add(s.Sid ?? "(none)", s.Effect.ToString(), Render.Principals(s), Render.Actions(s), Render.Conditions(s));
            }

            table.WriteTo(run.Out);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Reads a policy; <see langword="null"/> document when the resource has none (the API answers 404 then).</summary>
    public static async Task<(PolicyDocument? Document, string? Revision, string? Json)> ReadAsync(ILexPolicyClient client, string resourceArn, CancellationToken ct)
    {
        try
        {
            var described = await client.DescribeResourcePolicyAsync(new DescribeResourcePolicyRequest { ResourceArn = resourceArn }, ct);
            if (described.Policy is null)
            {
                return (null, described.RevisionId, null);
            }

            return PolicyDocument.TryParse(described.Policy, out var document, out string? error)
                ? (document, described.RevisionId, described.Policy)
                : throw new ToolException($"the policy of {resourceArn} (revision {described.RevisionId}) cannot be read: {error}");
        }
        catch (ResourceNotFoundException)
        {
            return (null, null, null);
        }
    }
}
