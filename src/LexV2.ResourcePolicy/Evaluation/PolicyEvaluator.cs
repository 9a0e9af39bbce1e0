namespace LexV2.ResourcePolicy;

/// <summary>
/// Answers "would this call be allowed?" offline, from a resource policy (and, when known, the caller's identity policies),
/// following AWS's documented evaluation logic ("Policy evaluation logic", "Cross-account policy evaluation logic").
/// </summary>
/// <remarks>
/// <para>The rules, in order:</para>
/// <list type="number">
/// <item>A matching <c>Deny</c> statement in any evaluated policy: <see cref="AccessDecisionKind.ExplicitlyDenied"/>.</item>
/// <item>A service principal (<c>connect.amazonaws.com</c>): the resource policy alone decides.</item>
/// <item>The root user (<c>123456789012</c>, <c>…:root</c>): in its own account it has full access; from another account the
/// resource policy must allow its account.</item>
/// <item>An IAM user, role or session of the resource's own account: allowed when the resource policy names it (its ARN, its
/// role, or <c>*</c>) or when one of its identity policies allows. A resource policy naming only the account
/// (<c>123456789012</c> / <c>…:root</c>) delegates to the identity policies.</item>
/// <item>An IAM principal of another account: allowed only when the resource policy allows it (by name or by its account) and
/// its identity policies allow too.</item>
/// <item>Otherwise <see cref="AccessDecisionKind.ImplicitlyDenied"/>.</item>
/// </list>
/// <para>
/// Any document <see cref="PolicyDocument.Parse"/> reads is evaluated as it stands, including ones the request validator would
/// refuse to send (an unscoped <c>*</c> principal): what is live is what decides. Not modelled: service control policies (SCPs),
/// resource control policies (RCPs), permission boundaries, session policies and VPC endpoint policies; each can only deny
/// more, so an <see cref="AccessDecisionKind.Allowed"/> here can still be denied by one of them.
/// </para>
/// </remarks>
public static class PolicyEvaluator
{
    private const string CurrentVersion = "2012-10-17";

    /// <summary>Evaluates a request against a bot's or bot alias's resource policy and the caller's identity policies.</summary>
    /// <param name="resourcePolicy">The resource policy (e.g. from <c>DescribeResourcePolicy</c> via <see cref="PolicyDocument.Parse"/>).</param>
    /// <param name="request">Who calls what, on which resource, with which context.</param>
    /// <returns>
    /// The decision. Only the <see cref="AccessDecision"/> itself is allocated; its per-statement account is built when first read.
    /// </returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The request is malformed; the message names each member and the rule it breaks.</exception>
    public static AccessDecision Evaluate(PolicyDocument resourcePolicy, AccessRequest request)
    {
        ArgumentNullException.ThrowIfNull(resourcePolicy);
        ArgumentNullException.ThrowIfNull(request);
        request.ThrowIfInvalid(nameof(request));
        return new AccessDecision(Decide(resourcePolicy, request), resourcePolicy, request);
    }

    private static AccessDecisionKind Decide(PolicyDocument resourcePolicy, AccessRequest request)
    {
        var tally = default(Tally);
        if (Scan(resourcePolicy, inResourcePolicy: true, request, ref tally))
        {
            return AccessDecisionKind.ExplicitlyDenied;
        }

        if (request.Caller.HasIdentityPolicies)
        {
            var identity = request.IdentityPolicies;
            for (int i = 0; i < identity.Count; i++)
            {
                if (Scan(identity[i], inResourcePolicy: false, request, ref tally))
                {
                    return AccessDecisionKind.ExplicitlyDenied;
                }
            }
        }

        return Combine(request, tally);
    }

    /// <summary>Scans a policy's statements; returns whether one denies. Allows already known are not checked again.</summary>
    private static bool Scan(PolicyDocument policy, bool inResourcePolicy, AccessRequest request, ref Tally tally)
    {
        bool variables = policy.Version == CurrentVersion;
        var statements = policy.Statement;
        for (int i = 0; i < statements.Count; i++)
        {
            var statement = statements[i];
            if (statement is null || (statement.Effect == Effect.Allow && (inResourcePolicy ? tally.ResourceDirect : tally.IdentityAllow)))
            {
                continue;
            }

            var match = StatementMatcher.Match(statement, inResourcePolicy, request, variables, why: null);
            if (match == PrincipalMatch.None)
            {
                continue;
            }

            if (statement.Effect == Effect.Deny)
            {
                return true;
            }

            tally.Add(inResourcePolicy, match);
        }

        return false;
    }

    private static AccessDecisionKind Combine(AccessRequest request, in Tally tally)
    {
        var caller = request.Caller;
        bool sameAccount = caller.Account == request.Target.Account;
        bool allowed = caller.Kind switch
        {
            CallerKind.Service => tally.ResourceAllows,
            CallerKind.Root => sameAccount || tally.ResourceAllows,
            _ => sameAccount ? tally.ResourceDirect || tally.IdentityAllow : tally.ResourceAllows && tally.IdentityAllow,
        };
        return allowed ? AccessDecisionKind.Allowed : AccessDecisionKind.ImplicitlyDenied;
    }

    /// <summary>Builds the per-statement account of a decision (every statement, with reasons), its summary and the missing keys.</summary>
    internal static Explanation Explain(AccessDecisionKind decision, PolicyDocument resourcePolicy, AccessRequest request)
    {
        var statements = new List<StatementEvaluation>();
        var tally = default(Tally);
        StatementEvaluation? deny = null, resourceAllow = null, resourceDirect = null, identityAllow = null;
        bool denyByNotPrincipal = false;
        var caller = request.Caller;
        var policies = new List<(string Name, PolicyDocument Policy, bool Resource)> { ("resource", resourcePolicy, true) };
        for (int i = 0; i < request.IdentityPolicies.Count; i++)
        {
            policies.Add(($"identity[{i}]", request.IdentityPolicies[i], false));
        }

        foreach (var (name, policy, inResourcePolicy) in policies)
        {
            bool variables = policy.Version == CurrentVersion;
            for (int i = 0; i < policy.Statement.Count; i++)
            {
                var statement = policy.Statement[i];
                if (statement is null)
                {
                    continue;
                }

                var why = new Why();
                var match = !inResourcePolicy && !caller.HasIdentityPolicies ? PrincipalMatch.None : StatementMatcher.Match(statement, inResourcePolicy, request, variables, why);
                if (!inResourcePolicy && !caller.HasIdentityPolicies)
                {
                    why.Fail("Principal", caller.Kind == CallerKind.Service
                        ? "identity policies do not apply to a service principal"
                        : "identity policies do not apply to an account's root user");
                }

                var evaluation = new StatementEvaluation
                {
                    Policy = name, Index = i, Sid = statement.Sid, Effect = statement.Effect, Matched = match != PrincipalMatch.None,
                    Element = match == PrincipalMatch.None ? why.Element : null, Reason = match == PrincipalMatch.None ? why.Reason : null,
                };
                statements.Add(evaluation);
                if (match == PrincipalMatch.None)
                {
                    continue;
                }

                if (statement.Effect == Effect.Deny)
                {
                    if (deny is null)
                    {
                        deny = evaluation;
                        denyByNotPrincipal = statement.NotPrincipal is not null;
                    }

                    continue;
                }

                tally.Add(inResourcePolicy, match);
                if (inResourcePolicy)
                {
                    resourceAllow ??= evaluation;
                    if (match == PrincipalMatch.Direct)
                    {
                        resourceDirect ??= evaluation;
                    }
                }
                else
                {
                    identityAllow ??= evaluation;
                }
            }
        }

        var recomputed = deny is not null ? AccessDecisionKind.ExplicitlyDenied : Combine(request, tally);
        System.Diagnostics.Debug.Assert(recomputed == decision, "the explanation reaches the decision the fast path reached");
        string summary = Summarize(decision, request, deny, denyByNotPrincipal, resourceAllow, resourceDirect, identityAllow);
        return new Explanation(statements, summary, MissingKeys(policies, request));
    }

    private static string Summarize(AccessDecisionKind decision, AccessRequest request, StatementEvaluation? deny, bool denyByNotPrincipal, StatementEvaluation? resourceAllow, StatementEvaluation? resourceDirect, StatementEvaluation? identityAllow)
    {
        var caller = request.Caller;
        string resourceAccount = request.Target.Account!;
        bool sameAccount = caller.Account == resourceAccount;
        string noIdentity = request.IdentityPolicies.Count == 0 ? " (no identity policies were given)" : string.Empty;
        if (decision == AccessDecisionKind.ExplicitlyDenied)
        {
            return $"Explicitly denied: {deny!.Name} denies it, and an explicit Deny overrides every Allow." + (denyByNotPrincipal && caller.Kind == CallerKind.Role
                ? $" Its NotPrincipal exempts a session of the role {caller.RoleName} only when it lists that session's ARN; give the session (arn:…:sts::{caller.Account}:assumed-role/{caller.RoleName}/NAME) as the principal to check one."
                : string.Empty);
        }

        if (decision == AccessDecisionKind.Allowed)
        {
            return caller.Kind switch
            {
                CallerKind.Service => $"Allowed: {resourceAllow!.Name} allows the service principal {caller.Text}; for a service the resource policy alone decides.",
                CallerKind.Root when sameAccount => $"Allowed: the caller is the root user of the resource's account {resourceAccount}, which has full access unless a policy denies it.",
                CallerKind.Root => $"Allowed: {resourceAllow!.Name} allows account {caller.Account}, whose root user needs no identity policy.",
                _ when sameAccount && resourceDirect is not null => $"Allowed: {resourceDirect.Name} names the caller, and in the resource's own account the resource policy alone is enough.",
                _ when sameAccount => $"Allowed: {identityAllow!.Name} allows it, and in the resource's own account an identity policy alone is enough.",
                _ => $"Allowed: the caller's account {caller.Account} is not the resource's account {resourceAccount}, so both must allow, and both do: {resourceAllow!.Name} and {identityAllow!.Name}.",
            };
        }

        return caller.Kind switch
        {
            CallerKind.Service => $"Implicitly denied: no statement of the resource policy allows the service principal {caller.Text}.",
            CallerKind.Root => $"Implicitly denied: no statement of the resource policy allows account {caller.Account}, whose root user is calling from outside the resource's account {resourceAccount}.",
            _ when sameAccount && resourceAllow is not null =>
                $"Implicitly denied: {resourceAllow.Name} names only the account ({caller.Account}), which delegates to the account's identity policies, and none of them allows it{noIdentity}.",
            _ when sameAccount => $"Implicitly denied: neither the resource policy nor the caller's identity policies allow it{noIdentity}.",
            _ when resourceAllow is not null =>
                $"Implicitly denied: the caller's account {caller.Account} is not the resource's account {resourceAccount}, so its identity policies must allow it too, and none does{noIdentity}.",
            _ when identityAllow is not null =>
                $"Implicitly denied: the caller's account {caller.Account} is not the resource's account {resourceAccount}, so the resource policy must allow it too, and no statement of it does.",
            _ => $"Implicitly denied: the caller's account {caller.Account} is not the resource's account {resourceAccount}, so both the resource policy and the caller's identity policies must allow it, and neither does{noIdentity}.",
        };
    }

    private static List<string> MissingKeys(List<(string Name, PolicyDocument Policy, bool Resource)> policies, AccessRequest request)
    {
        var missing = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (_, policy, inResourcePolicy) in policies)
        {
            if (!inResourcePolicy && !request.Caller.HasIdentityPolicies)
            {
                continue;
            }

            bool variables = policy.Version == CurrentVersion;
            foreach (var statement in policy.Statement)
            {
                if (statement is null)
                {
                    continue;
                }

                foreach (string key in KeysUsed(statement, variables))
                {
                    if (seen.Add(key) && !request.TryGetContext(key, out _))
                    {
                        missing.Add(key);
                    }
                }
            }
        }

        return missing;
    }

    private static IEnumerable<string> KeysUsed(PolicyStatement statement, bool variables)
    {
        if (variables)
        {
            foreach (string resource in (IEnumerable<string>?)statement.Resource ?? statement.NotResource ?? PolicyValues.Many())
            {
                foreach (string key in PolicyVariables.Keys(resource))
                {
                    yield return key;
                }
            }
        }

        foreach (var (op, keys) in statement.Condition ?? new Dictionary<string, IReadOnlyDictionary<string, PolicyValues>>())
        {
            bool resolves = variables && ConditionEvaluator.TryGetOperator(op, out var parsed) && parsed.SupportsPolicyVariables;
            foreach (var (key, values) in keys ?? new Dictionary<string, PolicyValues>())
            {
                yield return key;
                if (resolves && values is not null)
                {
                    foreach (string value in values)
                    {
                        foreach (string variable in PolicyVariables.Keys(value))
                        {
                            yield return variable;
                        }
                    }
                }
            }
        }
    }

    /// <summary>What the scan of the policies found so far.</summary>
    private struct Tally
    {
        /// <summary>A resource policy Allow names the caller itself (or <c>*</c>, or its service).</summary>
        public bool ResourceDirect;

        /// <summary>A resource policy Allow names the caller's account.</summary>
        public bool ResourceViaAccount;

        /// <summary>An identity policy Allow applies.</summary>
        public bool IdentityAllow;

        public readonly bool ResourceAllows => ResourceDirect || ResourceViaAccount;

        public void Add(bool inResourcePolicy, PrincipalMatch match)
        {
            if (!inResourcePolicy)
            {
                IdentityAllow = true;
            }
            else if (match == PrincipalMatch.Direct)
            {
                ResourceDirect = true;
            }
            else
            {
                ResourceViaAccount = true;
            }
        }
    }
}
