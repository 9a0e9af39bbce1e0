using System.Text;

namespace LexV2.ResourcePolicy.Reconcile;

/// <summary>The decision an <see cref="AccessExpectation"/> requires.</summary>
public enum ExpectedAccess
{
    /// <summary><c>allow</c>: the request is <see cref="AccessDecisionKind.Allowed"/>.</summary>
    Allow = 0,

    /// <summary><c>deny</c>: the request is not allowed, implicitly or explicitly.</summary>
    Deny = 1,

    /// <summary><c>explicitDeny</c>: a Deny statement applies to the request.</summary>
    ExplicitDeny = 2,
}

/// <summary>
/// An access expectation of a desired-state resource (<c>"expect": [...]</c> in the file): "Connect instance X must reach this
/// alias", "nobody outside the organisation may". <c>lexpolicy plan</c> evaluates it against the policy the resource would have
/// after apply, <c>lexpolicy check</c> against the live one, both with <see cref="PolicyEvaluator"/>.
/// </summary>
public sealed record AccessExpectation
{
    /// <summary>A sentence saying what the expectation protects, printed with its result. Optional.</summary>
    public string? Description { get; init; }

    /// <summary>The caller, as <see cref="AccessRequest.Principal"/> takes it (<c>connect.amazonaws.com</c>, a role ARN, an account id).</summary>
    public required string Principal { get; init; }

    /// <summary>The action, e.g. <c>lex:StartConversation</c>.</summary>
    public required string Action { get; init; }

    /// <summary>The request context (see <see cref="AccessRequest.Context"/>); keys are case-insensitive. Default: empty.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Context { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The caller's identity policies, when the expectation depends on them (a caller of another account). Default: none.</summary>
    public IReadOnlyList<PolicyDocument> IdentityPolicies { get; init; } = [];

    /// <summary>The decision required.</summary>
    public required ExpectedAccess Decision { get; init; }

    /// <summary>The request this expectation makes of a resource.</summary>
    /// <param name="resourceArn">The bot or bot alias.</param>
    /// <returns>The request.</returns>
    public AccessRequest ToRequest(string resourceArn) => new()
    {
        Principal = Principal,
        Action = Action,
        Resource = resourceArn,
        Context = Context,
        IdentityPolicies = IdentityPolicies,
    };

    /// <summary>Whether a decision meets the expectation.</summary>
    /// <param name="decision">The decision.</param>
    /// <returns><see langword="true"/> when it does.</returns>
    public bool IsMetBy(AccessDecisionKind decision) => Decision switch
    {
        ExpectedAccess.Allow => decision == AccessDecisionKind.Allowed,
        ExpectedAccess.Deny => decision != AccessDecisionKind.Allowed,
        _ => decision == AccessDecisionKind.ExplicitlyDenied,
    };

    /// <summary>The expectation in the file's words: <c>connect.amazonaws.com lex:StartConversation → allow</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        $"{Principal} {Action} → {AccessExpectations.Name(Decision)}" + (Description is null ? string.Empty : $" ({Description})");
}

/// <summary>How one expectation fared against one policy.</summary>
public sealed record ExpectationResult
{
    /// <summary>The bot or bot alias.</summary>
    public required string ResourceArn { get; init; }

    /// <summary>The expectation's position in the resource's <c>expect</c> list, from 0.</summary>
    public required int Index { get; init; }

    /// <summary>The expectation.</summary>
    public required AccessExpectation Expectation { get; init; }

    /// <summary>The evaluator's decision, with its per-statement account.</summary>
    public required AccessDecision Decision { get; init; }

    /// <summary>Whether the decision meets the expectation.</summary>
    public bool Holds => Expectation.IsMetBy(Decision.Decision);

    /// <summary>One line: the resource, the expectation, what the evaluator decided, and whether it holds.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        $"{ResourceArn} expect[{Index}] {Expectation}: {(Holds ? "holds" : "DOES NOT HOLD")} ({Decision.Decision})";

    /// <summary>The full account of a failed expectation: the line, then the decision's <see cref="AccessDecision.Explain"/>, indented.</summary>
    /// <returns>The text.</returns>
    public string Explain() =>
        ToString() + "\n" + string.Join('\n', Decision.Explain().Split('\n').Select(l => "    " + l));
}

/// <summary>
/// Evaluates the access expectations of a desired state: against the policy each resource would have after a plan
/// (<see cref="PolicyReconciler.PlanAsync"/> records them in <see cref="ResourcePlan.Expectations"/>), or against the live
/// policies (<see cref="CheckAsync"/>).
/// </summary>
public static class AccessExpectations
{
    /// <summary>Evaluates a resource's expectations against a policy.</summary>
    /// <param name="resource">The resource and its expectations.</param>
    /// <param name="policy">The policy to judge (<see langword="null"/>: the resource has none).</param>
    /// <returns>One result per expectation, in order.</returns>
    /// <exception cref="ArgumentException">An expectation is malformed (<see cref="DesiredState.Validate"/> reports these first).</exception>
    public static IReadOnlyList<ExpectationResult> Evaluate(DesiredResource resource, PolicyDocument? policy)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var expectations = resource.Expect ?? [];
        if (expectations.Count == 0)
        {
            return [];
        }

        policy ??= new PolicyDocument { Statement = [] };
        var results = new ExpectationResult[expectations.Count];
        for (int i = 0; i < results.Length; i++)
        {
            results[i] = new ExpectationResult
            {
                ResourceArn = resource.ResourceArn,
                Index = i,
                Expectation = expectations[i],
                Decision = PolicyEvaluator.Evaluate(policy, expectations[i].ToRequest(resource.ResourceArn)),
            };
        }

        return results;
    }

    /// <summary>
    /// Evaluates every expectation of a desired state against the live policies (what <c>lexpolicy check</c> does). Reads only
    /// the resources that have expectations; writes nothing.
    /// </summary>
    /// <param name="client">The client.</param>
    /// <param name="desired">The desired state; it is validated first.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>One result per expectation, resource by resource.</returns>
    /// <exception cref="DesiredStateException">The desired state breaks a rule; nothing was sent.</exception>
    /// <exception cref="LexPolicyException">A policy could not be read, or does not parse.</exception>
    public static async Task<IReadOnlyList<ExpectationResult>> CheckAsync(ILexPolicyClient client, DesiredState desired, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.Validate() is { Count: > 0 } problems)
        {
            throw new DesiredStateException(null, problems);
        }

        var results = new List<ExpectationResult>();
        foreach (var resource in desired.Resources.Where(r => r.Expect is { Count: > 0 }))
        {
            var (document, _) = await LexPolicyClientExtensions.ReadAsync(client, resource.ResourceArn, cancellationToken).ConfigureAwait(false);
            results.AddRange(Evaluate(resource, document));
        }

        return results;
    }

    /// <summary>The file's name of a decision: <c>allow</c>, <c>deny</c>, <c>explicitDeny</c>.</summary>
    /// <param name="decision">The decision.</param>
    /// <returns>The name.</returns>
    public static string Name(ExpectedAccess decision) => decision switch
    {
        ExpectedAccess.Allow => "allow",
        ExpectedAccess.Deny => "deny",
        _ => "explicitDeny",
    };

    /// <summary>Reads a decision name of the file (case-sensitive, as every member of the file is).</summary>
    internal static ExpectedAccess? Parse(string? name) => name switch
    {
        "allow" => ExpectedAccess.Allow,
        "deny" => ExpectedAccess.Deny,
        "explicitDeny" => ExpectedAccess.ExplicitDeny,
        _ => null,
    };

    /// <summary>The problems of a resource's expectations, with JSON paths under <paramref name="at"/> (<c>$.resources[i]</c>).</summary>
    internal static IEnumerable<DesiredStateProblem> Problems(DesiredResource resource, string at)
    {
        var expectations = resource.Expect ?? [];
        for (int j = 0; j < expectations.Count; j++)
        {
            string path = $"{at}.expect[{j}]";
            if (expectations[j] is not { } expectation)
            {
                yield return new(path, "must not be null");
                continue;
            }

            if (!Enum.IsDefined(expectation.Decision))
            {
                yield return new(path + ".decision", "must be allow, deny or explicitDeny");
            }

            var request = expectation.ToRequest(resource.ResourceArn ?? string.Empty);
            foreach (var (member, rule) in request.Problems().Where(p => p.Member != nameof(AccessRequest.Resource)))
            {
                yield return new(path + "." + DesiredState.ToJsonPath(member), rule);
            }
        }
    }
}

/// <summary>
/// A plan's access expectations do not hold for the policies it would write, so nothing was applied (thrown by
/// <see cref="PolicyReconciler.ApplyAsync"/> before any write). <see cref="Failures"/> says which, and why.
/// </summary>
public sealed class AccessExpectationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failures">The expectations that do not hold (at least one).</param>
    public AccessExpectationException(IReadOnlyList<ExpectationResult> failures)
        : base(BuildMessage(failures))
    {
        Failures = failures;
    }

    /// <summary>The expectations that do not hold, each with the evaluator's account.</summary>
    public IReadOnlyList<ExpectationResult> Failures { get; }

    private static string BuildMessage(IReadOnlyList<ExpectationResult> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        var sb = new StringBuilder().Append(failures.Count == 1 ? "An access expectation does not hold" : $"{failures.Count} access expectations do not hold")
            .Append(" for the planned policies; nothing was applied:");
        foreach (var f in failures)
        {
            sb.Append("\n - ").Append(f).Append(": ").Append(f.Decision.Summary);
        }

        return sb.ToString();
    }
}
