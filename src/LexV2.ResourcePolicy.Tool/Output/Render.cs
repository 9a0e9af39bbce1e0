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

    /// <summary>
    /// The plan as text: per resource a header with its revision, then one line per added (<c>+</c>) or removed (<c>-</c>)
    /// statement, and for a replaced one (<c>~</c>) one line per member that changes, before and after (as Terraform shows an
    /// update). A resource that could not be read says so here; its error goes to standard error.
    /// </summary>
    public static void Plan(TextWriter w, ReconcilePlan plan, Palette palette)
    {
        foreach (var r in plan.Resources)
        {
            if (r.Error is not null)
            {
                w.WriteLine($"{r.ResourceArn}  (not planned: it could not be read; see the error)");
                continue;
            }

            w.WriteLine($"{r.ResourceArn}  (revision {r.RevisionId ?? "none: no policy"}{(r.Prune ? ", prune" : string.Empty)})");
            foreach (var c in r.Changes)
            {
                switch (c.Change)
                {
                    case PlannedChange.Add:
                        w.WriteLine(palette.Add($"  + {c.StatementId}: {OneLine(c.Desired!)}"));
                        break;
                    case PlannedChange.Replace:
                        w.WriteLine(palette.Change($"  ~ {c.StatementId}"));
                        foreach (var (sign, text) in MemberChanges(c.Current!, c.Desired!, c.Differences))
                        {
                            string line = $"      {sign} {text}";
                            w.WriteLine(sign == '+' ? palette.Add(line) : sign == '-' ? palette.Remove(line) : palette.Change(line));
                        }

                        break;
                    default:
                        w.WriteLine(palette.Remove($"  - {c.StatementId ?? "(statement without Sid)"}: {OneLine(c.Current!)}"));
                        break;
                }
            }

            w.WriteLine(r.HasChanges
                ? $"  {r.Unchanged.Count} unchanged"
                : $"  no changes ({r.Unchanged.Count} unchanged)");
        }

        w.WriteLine("Plan: " + plan);
    }

    /// <summary>
    /// What a replacement changes, member by member: <c>~ action: before → after</c>; conditions key by key, with <c>+</c> for a
    /// key only the new statement has and <c>-</c> for one only the old has.
    /// </summary>
    internal static IEnumerable<(char Sign, string Text)> MemberChanges(PolicyStatement current, CreateResourcePolicyStatementRequest desired, IReadOnlyList<string> differences)
    {
        foreach (string member in differences)
        {
            switch (member)
            {
                case "effect":
                    yield return ('~', $"effect: {current.Effect} → {desired.Effect}");
                    break;
                case "principal":
                    yield return ('~', $"principal: {Flat(Principals(current))} → {Flat(Principals(desired))}");
                    break;
                case "action":
                    yield return ('~', $"action: {Flat(Actions(current))} → {Flat(Actions(desired))}");
                    break;
                case "condition":
                    var before = ConditionValues(current.Condition?.SelectMany(op => op.Value.Select(k => ($"{op.Key} {k.Key}", string.Join(", ", k.Value)))));
                    var after = ConditionValues(desired.Condition?.SelectMany(op => op.Value.Select(k => ($"{op.Key} {k.Key}", k.Value))));
                    foreach (string key in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
                    {
                        bool had = before.TryGetValue(key, out string? old);
                        bool has = after.TryGetValue(key, out string? value);
                        if (had && has && old != value)
                        {
                            yield return ('~', $"condition {key}: {old} → {value}");
                        }
                        else if (!had)
                        {
                            yield return ('+', $"condition {key}: {value}");
                        }
                        else if (!has)
                        {
                            yield return ('-', $"condition {key}: {old}");
                        }
                    }

                    break;
                case "resource":
                    yield return ('~', $"resource: {Flat(Join(Values(current.Resource), Values(current.NotResource).Select(r => "NOT " + r)))} → {desired.ResourceArn}");
                    break;
                default:
                    yield return ('~', "other members differ (NotPrincipal, NotAction, NotResource or members the desired state does not have)");
                    break;
            }
        }
    }

    private static Dictionary<string, string> ConditionValues(IEnumerable<(string Key, string Value)>? pairs) =>
        (pairs ?? []).GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => string.Join(", ", g.Select(p => p.Value)), StringComparer.Ordinal);

    private static string Flat(string lines) => lines.Length == 0 ? "(none)" : lines.Replace("\n", ", ", StringComparison.Ordinal);

    /// <summary>A URL as it may be shown: without any user name or password it carries.</summary>
    public static string Url(Uri url) =>
        url.IsAbsoluteUri && !string.IsNullOrEmpty(url.UserInfo) ? new UriBuilder(url) { UserName = string.Empty, Password = string.Empty }.Uri.ToString() : url.ToString();

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
