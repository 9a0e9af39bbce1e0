namespace LexV2.ResourcePolicy;

/// <summary>The operations of the resource-policy API, for building the caller's own IAM policy.</summary>
public enum ResourcePolicyOperation
{
    /// <summary>CreateResourcePolicyStatement (and <c>EnsureStatementAsync</c> adding a statement).</summary>
    CreateResourcePolicyStatement = 0,

    /// <summary>DeleteResourcePolicyStatement (and <c>RemoveStatementAsync</c>).</summary>
    DeleteResourcePolicyStatement = 1,

    /// <summary>CreateResourcePolicy.</summary>
    CreateResourcePolicy = 2,

    /// <summary>DescribeResourcePolicy (also used by <c>EnsureStatementAsync</c> and <c>RemoveStatementAsync</c>).</summary>
    DescribeResourcePolicy = 3,

    /// <summary>UpdateResourcePolicy (also used by <c>EnsureStatementAsync</c> replacing a statement).</summary>
    UpdateResourcePolicy = 4,

    /// <summary>DeleteResourcePolicy.</summary>
    DeleteResourcePolicy = 5,
}

/// <summary>
/// The least-privilege identity policy for a caller of this API (a deployer role, a pipeline): exactly the IAM actions the
/// chosen operations need, on exactly the given bots and aliases.
/// </summary>
public static class CallerPolicy
{
    /// <summary>
    /// The IAM actions an operation needs. The statement operations have no IAM actions of their own: the Lex V2 API reference
    /// says CreateResourcePolicyStatement needs <c>lex:CreateResourcePolicy</c> (no policy yet) or <c>lex:UpdateResourcePolicy</c>
    /// (a policy exists), and DeleteResourcePolicyStatement needs <c>lex:DeleteResourcePolicy</c> (it deletes the policy with its
    /// last statement) or <c>lex:UpdateResourcePolicy</c>; both of each pair are granted, since which one applies depends on the policy.
    /// </summary>
    /// <param name="operation">The operation.</param>
    /// <returns>The actions, e.g. <c>lex:DescribeResourcePolicy</c>.</returns>
    public static IReadOnlyList<string> ActionsFor(ResourcePolicyOperation operation) => operation switch
    {
        ResourcePolicyOperation.CreateResourcePolicyStatement => ["lex:CreateResourcePolicy", "lex:UpdateResourcePolicy"],
        ResourcePolicyOperation.DeleteResourcePolicyStatement => ["lex:DeleteResourcePolicy", "lex:UpdateResourcePolicy"],
        ResourcePolicyOperation.CreateResourcePolicy => ["lex:CreateResourcePolicy"],
        ResourcePolicyOperation.DescribeResourcePolicy => ["lex:DescribeResourcePolicy"],
        ResourcePolicyOperation.UpdateResourcePolicy => ["lex:UpdateResourcePolicy"],
        ResourcePolicyOperation.DeleteResourcePolicy => ["lex:DeleteResourcePolicy"],
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown operation."),
    };

    /// <summary>The operations <c>EnsureStatementAsync</c> and <c>RemoveStatementAsync</c> call.</summary>
    public static IReadOnlyList<ResourcePolicyOperation> EnsureAndRemove { get; } =
    [
        ResourcePolicyOperation.DescribeResourcePolicy, ResourcePolicyOperation.CreateResourcePolicyStatement,
        ResourcePolicyOperation.UpdateResourcePolicy, ResourcePolicyOperation.DeleteResourcePolicyStatement,
    ];

    /// <summary>Builds the identity policy allowing <paramref name="operations"/> on every one of <paramref name="resources"/>.</summary>
    /// <param name="operations">What the caller will call.</param>
    /// <param name="resources">The bots and aliases it will call them on.</param>
    /// <returns>An identity-based policy (no <c>Principal</c>): one statement, sorted actions and resources.</returns>
    public static PolicyDocument For(IEnumerable<ResourcePolicyOperation> operations, IEnumerable<LexResourceArn> resources)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(resources);
        return For(resources.SelectMany(r => operations.Select(o => (o, r))));
    }

    /// <summary>Builds the identity policy allowing each (operation, resource) pair; resources needing the same actions share a statement.</summary>
    /// <param name="grants">The pairs.</param>
    /// <returns>An identity-based policy.</returns>
    /// <exception cref="ArgumentException">No pair was given.</exception>
    public static PolicyDocument For(IEnumerable<(ResourcePolicyOperation Operation, LexResourceArn Resource)> grants)
    {
        ArgumentNullException.ThrowIfNull(grants);
        var byResource = grants
            .GroupBy(g => g.Resource.ToString(), StringComparer.Ordinal)
            .Select(g => (Resource: g.Key, Actions: g.SelectMany(x => ActionsFor(x.Operation)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray()))
            .ToList();
        if (byResource.Count == 0)
        {
            throw new ArgumentException("At least one operation and one resource are needed.", nameof(grants));
        }

        var statements = byResource
            .GroupBy(r => string.Join(",", r.Actions), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select((g, i) => new PolicyStatement
            {
                Sid = "LexResourcePolicyAccess" + (i == 0 ? string.Empty : (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Effect = Effect.Allow,
                Action = PolicyValues.Many(g.First().Actions),
                Resource = PolicyValues.Many([.. g.Select(r => r.Resource).Order(StringComparer.Ordinal)]),
            })
            .ToList();
        return new PolicyDocument { Statement = statements };
    }
}
