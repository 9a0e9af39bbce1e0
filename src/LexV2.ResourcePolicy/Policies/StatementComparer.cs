namespace LexV2.ResourcePolicy;

/// <summary>
/// Compares a statement request with a statement of a policy document, as IAM would read them (order-insensitive): effect,
/// principals, actions, conditions, and the resource — which must be the request's resource (or <c>*</c>, or absent, which in a
/// resource policy mean the same): a statement pointed at another resource grants nothing here.
/// </summary>
internal static class StatementComparer
{
    public static bool Matches(PolicyStatement existing, CreateResourcePolicyStatementRequest desired)
    {
        if (existing.Effect != desired.Effect || existing.NotAction is not null || existing.NotPrincipal is not null || existing.NotResource is not null ||
            existing.Principal is not { IsAnyone: false, Federated: null, CanonicalUser: null } principal)
        {
            return false;
        }

        if (existing.Resource is { } resource && !resource.All(r => r == "*" || string.Equals(r, desired.ResourceArn, StringComparison.Ordinal)))
        {
            return false;
        }

        var services = desired.Principal.Where(p => p.Service is not null).Select(p => p.Service!);
        var arns = desired.Principal.Where(p => p.Arn is not null).Select(p => p.Arn!);
        if (!SameSet(principal.Service ?? Enumerable.Empty<string>(), services, StringComparer.Ordinal) ||
            !SameSet(principal.Aws ?? Enumerable.Empty<string>(), arns, StringComparer.Ordinal) ||
            !SameSet(existing.Action ?? Enumerable.Empty<string>(), desired.Action, StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }

        var have = existing.Condition ?? new Dictionary<string, IReadOnlyDictionary<string, PolicyValues>>();
        var want = desired.Condition ?? new Dictionary<string, IReadOnlyDictionary<string, string>>();
        if (have.Count(c => c.Value.Count > 0) != want.Count(c => c.Value.Count > 0))
        {
            return false;
        }

        foreach (var (op, keys) in want)
        {
            if (keys.Count == 0)
            {
                continue;
            }

            if (!have.TryGetValue(op, out var haveKeys) || haveKeys.Count != keys.Count)
            {
                return false;
            }

            foreach (var (key, value) in keys)
            {
                var match = haveKeys.FirstOrDefault(k => string.Equals(k.Key, key, StringComparison.OrdinalIgnoreCase));
                if (match.Value is not { Count: 1 } v || v[0] != value)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The IAM statement a request creates, in the shapes the service writes.</summary>
    public static PolicyStatement ToPolicyStatement(CreateResourcePolicyStatementRequest r)
    {
        string[] services = [.. r.Principal.Where(p => p.Service is not null).Select(p => p.Service!)];
        string[] arns = [.. r.Principal.Where(p => p.Arn is not null).Select(p => p.Arn!)];
        return new PolicyStatement
        {
            Sid = r.StatementId,
            Effect = r.Effect,
            Principal = new PolicyPrincipal
            {
                Service = services.Length == 0 ? null : services.Length == 1 ? PolicyValues.One(services[0]) : PolicyValues.Many(services),
                Aws = arns.Length == 0 ? null : arns.Length == 1 ? PolicyValues.One(arns[0]) : PolicyValues.Many(arns),
            },
            Action = PolicyValues.Many([.. r.Action]),
            Resource = PolicyValues.One(r.ResourceArn),
            Condition = r.Condition is { Count: > 0 } c
                ? c.ToDictionary(op => op.Key, op => (IReadOnlyDictionary<string, PolicyValues>)op.Value.ToDictionary(k => k.Key, k => PolicyValues.One(k.Value), StringComparer.Ordinal), StringComparer.Ordinal)
                : null,
        };
    }

    private static bool SameSet(IEnumerable<string> a, IEnumerable<string> b, StringComparer comparer) =>
        new HashSet<string>(a, comparer).SetEquals(b);
}
