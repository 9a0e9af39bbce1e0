using LexV2.ResourcePolicy.Reconcile;

namespace LexV2.ResourcePolicy.Tool.Output;

/// <summary>Statements and plans as text: one line per principal, action or condition value.</summary>
internal static class Render
{
    public static string Principals(PolicyStatement s) => Join(
        s.Principal is null ? [] : Principal(s.Principal),
        s.NotPrincipal is null ? [] : Principal(s.NotPrincipal).Select(p => "NOT " + p));

    public static string Actions(PolicyStatement s) => Join(Values(s.Action), Values(s.NotAction).Select(a => "NOT " + a));

    public static string Conditions(PolicyStatement s) => string.Join('\n',
        (s.Condition ?? new Dictionary<string, IReadOnlyDictionary<string, PolicyValues>>())
            .SelectMany(op => op.Value.Select(k => $"{op.Key} {k.Key} = {string.Join(", ", k.Value)}")));

    public static string Principals(CreateResourcePolicyStatementRequest r) => string.Join('\n', r.Principal.Select(p => p.Service ?? p.Arn ?? "?"));

    public static string Actions(CreateResourcePolicyStatementRequest r) => string.Join('\n', r.Action);

    public static string Conditions(CreateResourcePolicyStatementRequest r) => string.Join('\n',
        (r.Condition ?? new Dictionary<string, IReadOnlyDictionary<string, string>>()).SelectMany(op => op.Value.Select(k => $"{op.Key} {k.Key} = {k.Value}")));

    /// <summary>One line for a statement: effect, principals, actions, conditions.</summary>
    public static string OneLine(CreateResourcePolicyStatementRequest r) =>
        $"{r.Effect} {Principals(r).Replace('\n', ',')} {Actions(r).Replace('\n', ',')}" +
        (r.Condition is { Count: > 0 } ? " if " + Conditions(r).Replace("\n", "; ", StringComparison.Ordinal) : string.Empty);

    public static string OneLine(PolicyStatement s) =>
        $"{s.Effect} {Principals(s).Replace('\n', ',')} {Actions(s).Replace('\n', ',')}" +
        (s.Condition is { Count: > 0 } ? " if " + Conditions(s).Replace("\n", "; ", StringComparison.Ordinal) : string.Empty);

    public static void Plan(TextWriter w, ReconcilePlan plan)
    {
        foreach (var r in plan.Resources)
        {
            string header = r.ResourceArn + (r.Error is not null ? string.Empty : $"  (revision {r.RevisionId ?? "none: no policy"}{(r.Prune ? ", prune" : string.Empty)})");
            w.WriteLine(header);
            if (r.Error is not null)
            {
                w.WriteLine("  error: " + r.Error.Message);
                continue;
            }

            foreach (var c in r.Changes)
            {
                w.WriteLine(c.Change switch
                {
                    PlannedChange.Add => $"  + {c.StatementId}: {OneLine(c.Desired!)}",
                    PlannedChange.Replace => $"  ~ {c.StatementId}: {OneLine(c.Desired!)}  (differs in {string.Join(", ", c.Differences)}; was {OneLine(c.Current!)})",
                    _ => $"  - {c.StatementId ?? "(statement without Sid)"}: {OneLine(c.Current!)}",
                });
            }

            w.WriteLine(r.HasChanges
                ? $"  {r.Unchanged.Count} unchanged"
                : $"  no changes ({r.Unchanged.Count} unchanged)");
        }

        w.WriteLine("Plan: " + plan);
    }

    /// <summary>An access key id with all but its first four (and, for a full-length id, last four) characters hidden.</summary>
    public static string Mask(string accessKeyId) => accessKeyId.Length switch
    {
        < 8 => new string('*', accessKeyId.Length),
        < 16 => accessKeyId[..4] + new string('*', accessKeyId.Length - 4),
        _ => accessKeyId[..4] + new string('*', accessKeyId.Length - 8) + accessKeyId[^4..],
    };

    private static IEnumerable<string> Principal(PolicyPrincipal p) => p.IsAnyone
        ? ["*"]
        : Values(p.Service).Concat(Values(p.Aws)).Concat(Values(p.Federated).Select(f => "federated:" + f)).Concat(Values(p.CanonicalUser).Select(c => "canonical:" + c));

    public static IEnumerable<string> Values(PolicyValues? values) => values ?? Enumerable.Empty<string>();

    private static string Join(IEnumerable<string> a, IEnumerable<string> b) => string.Join('\n', a.Concat(b));
}
