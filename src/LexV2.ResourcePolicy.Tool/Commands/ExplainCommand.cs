using System.CommandLine;
using LexV2.ResourcePolicy.Tool.Output;

namespace LexV2.ResourcePolicy.Tool.Commands;

/// <summary>
/// <c>lexpolicy explain</c>: would this call be allowed, and why not? The library's <see cref="PolicyEvaluator"/> on the live
/// policy (or a file). Exit 0 allowed, 2 denied, 1 error.
/// </summary>
internal static class ExplainCommand
{
    public static Command Create(GlobalOptions globals, ToolEnvironment env)
    {
        var resource = new Option<string>("--resource-arn") { Description = "The bot or bot-alias ARN the call is made on.", Required = true };
        var principal = new Option<string>("--principal") { Description = "The caller: a service principal (connect.amazonaws.com), an IAM user, role or assumed-role session ARN, or an account id (its root user).", Required = true };
        var action = new Option<string>("--action") { Description = "The action, e.g. lex:StartConversation.", Required = true };
        var context = new Option<string[]>("--context") { Description = "A request context key and value, KEY=VALUE (e.g. aws:SourceArn=arn:aws:connect:...). Repeat it; repeat a key for a multivalued one.", Arity = ArgumentArity.ZeroOrMore };
        var policyFile = new Option<string?>("--policy-file") { Description = "Evaluate this resource policy document instead of the live one (nothing is sent)." };
        var identity = new Option<string[]>("--identity-policy") { Description = "A file with one of the caller's identity-based IAM policies (repeat for several); a caller of another account needs them to allow too.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command(
            "explain",
            "Would this call be allowed? Evaluates the resource policy (live, or --policy-file) as AWS does and prints the decision, the statement that decided it, and for each statement the first reason it did not match. Exit 0 allowed, 2 denied, 1 error.")
        {
            resource, principal, action, context, policyFile, identity,
        };
        Invocation.SetAction(command, globals, env, async (run, ct) =>
        {
            string arn = LexResourceArn.Parse(run.Get(resource));
            var request = new AccessRequest
            {
                Principal = run.Get(principal),
                Action = run.Get(action),
                Resource = arn,
                Context = ParseContext(run.Get(context) ?? []),
                IdentityPolicies = [.. (run.Get(identity) ?? []).Select(p => ReadPolicy(run, p))],
            };
            Validate(request); // before the live policy is read: a malformed request sends nothing
            string source;
            PolicyDocument policy;
            if (run.Get(policyFile) is { } path)
            {
                policy = ReadPolicy(run, path);
                source = path;
            }
            else
            {
                using var clients = run.CreateClients(arn);
                var (live, revision, _) = await ShowCommand.ReadAsync(clients.For(arn), arn, ct);
                policy = live ?? new PolicyDocument { Statement = [] };
                source = live is null ? $"the live policy of {arn}: none" : $"the live policy of {arn}, revision {revision}";
            }

            var decision = PolicyEvaluator.Evaluate(policy, request);
            if (run.Json)
            {
                JsonOut.Write(run.Out, w =>
                {
                    w.WriteStartObject();
                    w.WriteNumber("formatVersion", DecisionOutput.FormatVersion);
                    DecisionOutput.WriteMembers(w, decision);
                    w.WriteString("policySource", source);
                    w.WriteEndObject();
                });
            }
            else
            {
                await run.Out.WriteLineAsync($"Decision: {decision.Decision}");
                await run.Out.WriteLineAsync(decision.Explain());
                await run.Out.WriteLineAsync($"Policy: {source}" + (policy.Statement.Count == 0 ? " (no statements)" : string.Empty));
            }

            return decision.IsAllowed ? ExitCodes.Success : ExitCodes.Denied;
        });
        return command;
    }

    /// <summary>
    /// <c>KEY=VALUE</c> pairs into a context: split at the first <c>=</c>, keys case-insensitive, a repeated key collects values.
    /// </summary>
    internal static Dictionary<string, IReadOnlyList<string>> ParseContext(IEnumerable<string> pairs)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (string pair in pairs)
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ToolException($"--context '{pair}' is not KEY=VALUE (e.g. --context aws:SourceAccount=123456789012).");
            }

            string key = pair[..eq].Trim();
            if (!values.TryGetValue(key, out var list))
            {
                values[key] = list = [];
            }

            list.Add(pair[(eq + 1)..]);
        }

        return values.ToDictionary(v => v.Key, v => (IReadOnlyList<string>)v.Value, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The request's problems, each named by the option that gave the member (<c>--principal</c>, not <c>AccessRequest.Principal</c>).</summary>
    private static void Validate(AccessRequest request)
    {
        try
        {
            request.Validate();
        }
        catch (ArgumentException e) when (e.ParamName == nameof(AccessRequest))
        {
            string message = e.Message;
            string suffix = $" (Parameter '{e.ParamName}')";
            if (message.EndsWith(suffix, StringComparison.Ordinal))
            {
                message = message[..^suffix.Length];
            }

            foreach (var (member, option) in new[]
            {
                ("Principal", "--principal"), ("Action", "--action"), ("Resource", "--resource-arn"), ("Context", "--context"), ("IdentityPolicies", "--identity-policy"),
            })
            {
                message = message.Replace($"{nameof(AccessRequest)}.{member}", option, StringComparison.Ordinal);
            }

            throw new ToolException(message);
        }
    }

    private static PolicyDocument ReadPolicy(Invocation run, string path)
    {
        try
        {
            return PolicyDocument.Parse(run.ReadFile(path));
        }
        catch (PolicyFormatException e)
        {
            throw new ToolException($"{path}: {e.Message}");
        }
    }
}
