namespace LexV2.ResourcePolicy;

/// <summary>
/// A request to evaluate with <see cref="PolicyEvaluator.Evaluate"/>: who calls (<see cref="Principal"/>), what
/// (<see cref="Action"/>) on which bot or bot alias (<see cref="Resource"/>), with which request context
/// (<see cref="Context"/>) and, when known, the caller's identity policies (<see cref="IdentityPolicies"/>).
/// </summary>
/// <remarks>
/// The members are checked when the request is evaluated: a malformed principal, action or resource, or context keys that
/// differ only in case, make <see cref="PolicyEvaluator.Evaluate"/> throw an <see cref="ArgumentException"/> naming the member
/// and the rule. Build a request once and evaluate it against many policies: the principal is parsed and the context indexed
/// when the members are set, so an evaluation allocates nothing but its <see cref="AccessDecision"/>.
/// </remarks>
public sealed record AccessRequest
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoContext =
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);

    private readonly string _principal = null!;
    private readonly string _resource = null!;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _context = NoContext;
    private readonly IReadOnlyList<PolicyDocument> _identityPolicies = [];

    /// <summary>
    /// The caller: a service principal (<c>connect.amazonaws.com</c>), an IAM user or role ARN
    /// (<c>arn:aws:iam::123456789012:role/app</c>), an assumed-role session ARN
    /// (<c>arn:aws:sts::123456789012:assumed-role/app/session</c>), a federated-user ARN, or an account id or root ARN
    /// (<c>123456789012</c>, <c>arn:aws:iam::123456789012:root</c>: the account's root user).
    /// </summary>
    public required string Principal
    {
        get => _principal;
        init
        {
            _principal = value;
            Caller = CallerIdentity.Parse(value);
        }
    }

    /// <summary>The action, <c>service:Name</c> without wildcards, e.g. <c>lex:StartConversation</c>.</summary>
    public required string Action { get; init; }

    /// <summary>The ARN of the bot or bot alias the policy is attached to, e.g. <c>arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID12345/TSTALIASID</c>.</summary>
    public required string Resource
    {
        get => _resource;
        init
        {
            _resource = value;
            Target = ResourceIdentity.Parse(value);
        }
    }

    /// <summary>
    /// The request context: condition keys and their values, e.g. <c>aws:SourceArn</c>, <c>aws:SourceAccount</c>,
    /// <c>aws:PrincipalOrgID</c>, <c>aws:SecureTransport</c>, <c>aws:CurrentTime</c>, <c>aws:SourceIp</c>,
    /// <c>aws:PrincipalTag/team</c>. A multivalued key (such as <c>aws:PrincipalTag</c> lists or <c>aws:CalledVia</c>) has
    /// several values; a key with no values counts as absent. Keys are case-insensitive (as IAM reads them); the value read
    /// back is a case-insensitive copy of the one set. Keys that describe the caller (<c>aws:PrincipalArn</c>,
    /// <c>aws:PrincipalAccount</c>, <c>aws:PrincipalType</c>, <c>aws:username</c>, <c>aws:PrincipalServiceName</c>,
    /// <c>aws:PrincipalIsAWSService</c>) are derived from <see cref="Principal"/> unless given here. Nothing is read from
    /// the clock: give <c>aws:CurrentTime</c> for date conditions. Default: empty.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Context
    {
        get => _context;
        init => (_context, ContextProblem) = IndexContext(value);
    }

    /// <summary>
    /// The caller's identity-based policies (user or role policies), when known. Within the resource's account either the
    /// resource policy or an identity policy may allow; across accounts both must. Ignored for a service principal and the
    /// root user, to whom identity policies do not apply. Default: none.
    /// </summary>
    public IReadOnlyList<PolicyDocument> IdentityPolicies
    {
        get => _identityPolicies;
        init => _identityPolicies = value;
    }

    /// <summary>
    /// Compares the members: principal, action and resource exactly, the context by content (keys ignoring case, values in
    /// order), identity policies element by element.
    /// </summary>
    /// <param name="other">The other request.</param>
    /// <returns>Whether they are equal.</returns>
    public bool Equals(AccessRequest? other) =>
        other is not null && Principal == other.Principal && Action == other.Action && Resource == other.Resource &&
        _context.Count == other._context.Count &&
        _context.All(c => other._context.TryGetValue(c.Key, out var v) && v.SequenceEqual(c.Value, StringComparer.Ordinal)) &&
        (_identityPolicies ?? []).SequenceEqual(other._identityPolicies ?? []);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Principal, Action, Resource, _context.Count, _identityPolicies?.Count);

    /// <summary>The parsed <see cref="Principal"/>.</summary>
    internal CallerIdentity Caller { get; private init; } = CallerIdentity.Parse(null);

    /// <summary>The parsed <see cref="Resource"/>.</summary>
    internal ResourceIdentity Target { get; private init; } = ResourceIdentity.Parse(null);

    /// <summary>Why <see cref="Context"/> is unusable, if it is.</summary>
    internal string? ContextProblem { get; private init; }

    /// <summary>A context value, from <see cref="Context"/> or derived from the caller (case-insensitive key).</summary>
    internal bool TryGetContext(string key, out IReadOnlyList<string> values)
    {
        if (_context.TryGetValue(key, out values!) && values.Count > 0)
        {
            return true;
        }

        return Caller.TryGetDerived(key, out values);
    }

    /// <summary>A context value by a key given as a span (a policy variable's name); the context is small, so a scan.</summary>
    internal bool TryGetContext(ReadOnlySpan<char> key, out IReadOnlyList<string> values)
    {
        if (_context is Dictionary<string, IReadOnlyList<string>> dictionary)
        {
            foreach (var (k, v) in dictionary)
            {
                if (v.Count > 0 && key.Equals(k, StringComparison.OrdinalIgnoreCase))
                {
                    values = v;
                    return true;
                }
            }
        }

        return Caller.TryGetDerived(key, out values);
    }

    /// <summary>
    /// Checks every member, as <see cref="PolicyEvaluator.Evaluate"/> does: call it before fetching a policy to evaluate
    /// against, so a malformed request fails before anything is sent.
    /// </summary>
    /// <exception cref="ArgumentException">A member is malformed; the message names each member and the rule it breaks.</exception>
    public void Validate() => ThrowIfInvalid(nameof(AccessRequest));

    /// <summary>Checks every member; throws one <see cref="ArgumentException"/> naming each broken rule.</summary>
    internal void ThrowIfInvalid(string paramName)
    {
        if (Caller.Problem is null && Target.Problem is null && PartitionProblem is null && ContextProblem is null && ActionProblem(Action) is null &&
            _identityPolicies is not null && !_identityPolicies.Contains(null!))
        {
            return;
        }

        var problems = Problems().Select(p => $"{nameof(AccessRequest)}.{p.Member}: {p.Rule}").ToList();
        throw new ArgumentException(
            problems.Count == 1 ? problems[0] : $"{problems.Count} problems:\n - " + string.Join("\n - ", problems), paramName);
    }

    /// <summary>Every broken rule: the member (<c>Principal</c>, <c>Action</c>, <c>Resource</c>, <c>Context</c>, <c>IdentityPolicies[i]</c>) and the rule.</summary>
    internal List<(string Member, string Rule)> Problems()
    {
        var problems = new List<(string Member, string Rule)>();
        if (Caller.Problem is { } principal)
        {
            problems.Add((nameof(Principal), principal));
        }
        else if (PartitionProblem is { } partition)
        {
            problems.Add((nameof(Principal), partition));
        }

        if (ActionProblem(Action) is { } action)
        {
            problems.Add((nameof(Action), action));
        }

        if (Target.Problem is { } resource)
        {
            problems.Add((nameof(Resource), resource));
        }

        if (ContextProblem is { } context)
        {
            problems.Add((nameof(Context), context));
        }

        if (_identityPolicies is null)
        {
            problems.Add((nameof(IdentityPolicies), "must not be null (leave it unset for none)"));
        }
        else
        {
            for (int i = 0; i < _identityPolicies.Count; i++)
            {
                if (_identityPolicies[i] is null)
                {
                    problems.Add(($"{nameof(IdentityPolicies)}[{i}]", "must not be null"));
                }
            }
        }

        return problems;
    }

    /// <summary>
    /// A principal of one partition cannot call a resource of another (its credentials, account and role exist only in its
    /// own), so such a request is refused rather than evaluated.
    /// </summary>
    private string? PartitionProblem =>
        Caller.Partition is { } caller && Target.Partition is { } target && !string.Equals(caller, target, StringComparison.Ordinal)
            ? $"'{Principal}' is in partition {caller} but the resource is in partition {target}: a principal calls only within its own partition"
            : null;

    private static string? ActionProblem(string? action)
    {
        if (string.IsNullOrEmpty(action))
        {
            return "is required, e.g. lex:StartConversation";
        }

        int colon = action.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == action.Length - 1 || action.AsSpan(colon + 1).Contains(':'))
        {
            return $"'{action}' is not an action: expected service:Name, e.g. lex:StartConversation";
        }

        return action.AsSpan().IndexOfAny('*', '?') >= 0 || action.AsSpan().ContainsAny(" \t\r\n")
            ? $"'{action}' is not one action: a request names one action, without wildcards or spaces"
            : null;
    }

    private static (IReadOnlyDictionary<string, IReadOnlyList<string>> Context, string? Problem) IndexContext(IReadOnlyDictionary<string, IReadOnlyList<string>>? context)
    {
        if (context is null)
        {
            return (NoContext, "must not be null (leave it unset for an empty context)");
        }

        var indexed = new Dictionary<string, IReadOnlyList<string>>(context.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, values) in context)
        {
            if (string.IsNullOrEmpty(key))
            {
                return (indexed, "a key is empty");
            }

            if (values is null || values.Any(v => v is null))
            {
                return (indexed, $"the values of '{key}' must not be null (an empty list means the key is absent)");
            }

            if (indexed.Keys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase)) is { } other)
            {
                return (indexed, $"the keys '{other}' and '{key}' differ only in case; condition keys are case-insensitive, so give each key once");
            }

            indexed[key] = values.ToArray();
        }

        return (indexed, null);
    }
}
