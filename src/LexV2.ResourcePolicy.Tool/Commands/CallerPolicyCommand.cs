using System.CommandLine;
using System.Globalization;
using LexV2.ResourcePolicy.Tool.Output;

namespace LexV2.ResourcePolicy.Tool.Commands;

/// <summary>
/// <c>lexpolicy caller-policy ARN... | --file DESIRED.json [--for ensure-remove|read] [--out FILE [--split]]</c>: the
/// least-privilege IAM policy a deployer needs, checked against IAM's size limits and split into documents under them on request.
/// </summary>
internal static class CallerPolicyCommand
{
    /// <summary>IAM's limit for a customer managed policy, in characters without whitespace.</summary>
    public const int ManagedPolicyLimit = 6144;

    /// <summary>IAM's limit for all the inline policies of one role together, in characters without whitespace.</summary>
    public const int RoleInlineLimit = 10240;

    public static Command Create(GlobalOptions globals, ToolEnvironment env)
    {
        var arns = new Argument<string[]>("ARN") { Description = "The bots and bot aliases the caller works on.", Arity = ArgumentArity.ZeroOrMore };
        var file = new Option<string?>("--file", "-f") { Description = "Take the resources from a desired-state file (- reads standard input)." };
        var purpose = new Option<string>("--for")
        {
            Description = "ensure-remove: everything plan, apply, grant and revoke call (Describe, Create, Update and DeleteResourcePolicy); read: show, plan, lint and doctor (DescribeResourcePolicy).",
            DefaultValueFactory = _ => "ensure-remove",
        };
        purpose.AcceptOnlyFromAmong("ensure-remove", "read");
        var output = new Option<string?>("--out") { Description = "Write the policy to this file instead of standard output." };
        var split = new Option<bool>("--split") { Description = $"With --out: write as many documents as needed, each under IAM's {ManagedPolicyLimit.ToString("N0", CultureInfo.InvariantCulture)}-character limit for a managed policy, named <stem>-1.json, <stem>-2.json, ... beside --out." };
        var command = new Command("caller-policy", $"Print the identity-based IAM policy with exactly the actions a deployer needs, on exactly these resources. Warns when it exceeds IAM's size limits ({ManagedPolicyLimit.ToString("N0", CultureInfo.InvariantCulture)} characters for a managed policy, {RoleInlineLimit.ToString("N0", CultureInfo.InvariantCulture)} for a role's inline policies; whitespace does not count).")
        {
            arns, file, purpose, output, split,
        };
        Invocation.SetAction(command, globals, env, async (run, ct) =>
        {
            string? path = run.Get(file);
            if ((path is null) == (run.Get(arns).Length == 0))
            {
                throw new ToolException("give the resources either as ARN arguments or with --file DESIRED.json, not both.");
            }

            string? target = run.Get(output);
            if (run.Get(split) && target is null)
            {
                throw new ToolException("--split writes numbered files beside --out: give --out FILE (e.g. --out deployer-policy.json).");
            }

            List<LexResourceArn> resources = path is null
                ? [.. run.Get(arns).Select(LexResourceArn.Parse)]
                : [.. DesiredStateInput.Load(run, path, strict: false).Resources.Select(r => LexResourceArn.Parse(r.ResourceArn))];
            if (resources.Count == 0)
            {
                throw new ToolException($"{Invocation.Shown(path!)} lists no resources, so there is no policy to print.");
            }

            IReadOnlyList<ResourcePolicyOperation> operations = run.Get(purpose) == "read" ? [ResourcePolicyOperation.DescribeResourcePolicy] : CallerPolicy.EnsureAndRemove;
            var whole = CallerPolicy.For(operations, resources);
            int size = IamSize(whole);
            if (target is null)
            {
                await run.Out.WriteLineAsync(whole.ToJson(indented: true));
            }
            else if (!run.Get(split))
            {
                await WriteAsync(target, whole, ct);
                await run.Error.WriteLineAsync($"Wrote {target} ({Chars(size)} characters).");
            }
            else
            {
                var parts = Split(operations, resources);
                string stem = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(target))!, Path.GetFileNameWithoutExtension(target));
                string extension = Path.GetExtension(target) is { Length: > 0 } e ? e : ".json";
                for (int i = 0; i < parts.Count; i++)
                {
                    string name = $"{stem}-{(i + 1).ToString(CultureInfo.InvariantCulture)}{extension}";
                    await WriteAsync(name, parts[i], ct);
                    await run.Error.WriteLineAsync($"Wrote {name} ({Chars(IamSize(parts[i]))} characters).");
                }

                return ExitCodes.Success;
            }

            if (size > ManagedPolicyLimit)
            {
                await run.Error.WriteLineAsync(
                    $"warning: the policy is {Chars(size)} characters (IAM does not count whitespace): over IAM's limit of {Chars(ManagedPolicyLimit)} for a managed policy" +
                    (size > RoleInlineLimit ? $" and of {Chars(RoleInlineLimit)} for all of a role's inline policies together" : $" (a role's inline policies may total {Chars(RoleInlineLimit)})") +
                    $". Write it as several documents under {Chars(ManagedPolicyLimit)} with --out FILE --split, and attach each.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The size IAM checks against its limits: the policy's characters, whitespace not counted.</summary>
    public static int IamSize(PolicyDocument policy) => policy.ToJson(indented: false).Count(c => !char.IsWhiteSpace(c));

    /// <summary>The resources in order, cut into as few consecutive groups as keep each group's policy under the managed-policy limit.</summary>
    private static List<PolicyDocument> Split(IReadOnlyList<ResourcePolicyOperation> operations, List<LexResourceArn> resources)
    {
        var parts = new List<PolicyDocument>();
        var group = new List<LexResourceArn>();
        foreach (var resource in resources.DistinctBy(r => r.ToString()).OrderBy(r => r.ToString(), StringComparer.Ordinal))
        {
            group.Add(resource);
            if (group.Count > 1 && IamSize(CallerPolicy.For(operations, group)) > ManagedPolicyLimit)
            {
                group.RemoveAt(group.Count - 1);
                parts.Add(CallerPolicy.For(operations, group));
                group = [resource];
            }
        }

        parts.Add(CallerPolicy.For(operations, group));
        return parts;
    }

    private static Task WriteAsync(string path, PolicyDocument policy, CancellationToken ct) =>
        OutputFile.WriteAsync(path, policy.ToJson(indented: true) + "\n", ct);

    private static string Chars(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
