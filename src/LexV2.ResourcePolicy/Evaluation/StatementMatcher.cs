namespace LexV2.ResourcePolicy;

/// <summary>How a statement's principal element names the caller.</summary>
internal enum PrincipalMatch : byte
{
    /// <summary>It does not.</summary>
    None,

    /// <summary>By the caller's account (<c>123456789012</c> or <c>…:root</c>): delegates to the account's identity policies.</summary>
    ViaAccount,

    /// <summary>By the caller itself: its ARN (or role), its service name, <c>*</c>, or a <c>NotPrincipal</c> that does not exempt it.</summary>
    Direct,
}

/// <summary>
/// Whether one statement applies to a request ("IAM JSON policy elements": Principal, NotPrincipal, Action, NotAction,
/// Resource, NotResource, Condition), checked in that order; when explaining, the first element that fails is recorded.
/// </summary>
/// <remarks>
/// Case rules: actions match ignoring case (<c>lex:startconversation</c> is <c>lex:StartConversation</c>); resources and
/// principals match exactly. <c>*</c> and <c>?</c> are wildcards in actions and resources (a resource matches per ARN part, so
/// a wildcard does not cross a colon before the resource part); a principal is either <c>*</c> or named exactly.
/// </remarks>
internal static class StatementMatcher
{
    /// <summary>Whether the statement applies to the request, and how it names the caller.</summary>
    /// <param name="statement">The statement.</param>
    /// <param name="inResourcePolicy">Whether it is a resource policy's statement (which must name a principal and may omit the resource) or an identity policy's (which applies to its owner and must name a resource).</param>
    /// <param name="request">The request.</param>
    /// <param name="variables">Whether policy variables are resolved (document version 2012-10-17).</param>
    /// <param name="why">When explaining: records the first element that does not match.</param>
    public static PrincipalMatch Match(PolicyStatement statement, bool inResourcePolicy, AccessRequest request, bool variables, Why? why)
    {
        var principal = Principal(statement, inResourcePolicy, request.Caller, why);
        return principal != PrincipalMatch.None
            && Action(statement, request.Action, why)
            && Resource(statement, inResourcePolicy, request, variables, why)
            && ConditionEvaluator.Holds(statement.Condition, request, variables, why)
            ? principal
            : PrincipalMatch.None;
    }

    private static PrincipalMatch Principal(PolicyStatement statement, bool inResourcePolicy, CallerIdentity caller, Why? why)
    {
        if (statement.Principal is null && statement.NotPrincipal is null)
        {
            if (inResourcePolicy)
            {
                why?.Fail("Principal", "the statement names no Principal, and a resource policy statement without one applies to no one");
                return PrincipalMatch.None;
            }

            return PrincipalMatch.Direct;
        }

        var match = PrincipalMatch.Direct;
        if (statement.Principal is { } named)
        {
            match = Names(named, caller, sessionsOfARole: statement.Effect == Effect.Deny);
            if (match == PrincipalMatch.None)
            {
                why?.Fail("Principal", $"Principal names {Describe(named)}; the caller {caller.Text} is not one of them{(caller.Account is null ? string.Empty : " nor in an account it names")}");
                return PrincipalMatch.None;
            }
        }

        if (statement.NotPrincipal is { } except && Exempts(except, caller))
        {
            why?.Fail("Principal", $"NotPrincipal {Describe(except)} exempts the caller {caller.Text}");
            return PrincipalMatch.None;
        }

        return match;
    }

    /// <summary>How a principal element names the caller: the strongest of its values.</summary>
    /// <param name="principal">The statement's principal element.</param>
    /// <param name="caller">The caller.</param>
    /// <param name="sessionsOfARole">
    /// In a Deny: a role given without its session stands for every session of it, so a session of that role named here
    /// names the caller (one of its sessions is denied; answering "allowed" for the role would be false assurance). An Allow
    /// naming one session does not allow the role's other sessions, so it does not name the role.
    /// </param>
    internal static PrincipalMatch Names(PolicyPrincipal principal, CallerIdentity caller, bool sessionsOfARole = false)
    {
        if (principal.IsAnyone)
        {
            return PrincipalMatch.Direct;
        }

        var best = PrincipalMatch.None;
        if (principal.Aws is { } aws)
        {
            for (int i = 0; i < aws.Count; i++)
            {
                string value = aws[i];
                if (value == "*")
                {
                    return PrincipalMatch.Direct; // {"AWS": "*"} is "*"
                }

                if (caller.Kind == CallerKind.Service)
                {
                    continue;
                }

                if (AccountOf(value, out var partition) is { IsEmpty: false } account)
                {
                    if (account.SequenceEqual(caller.Account) && SamePartition(partition, caller))
                    {
                        if (caller.Kind == CallerKind.Root)
                        {
                            return PrincipalMatch.Direct;
                        }

                        best = PrincipalMatch.ViaAccount;
                    }
                }
                else if (value == caller.Arn || (caller.RoleName is not null && IsRole(value, caller))
                    || (sessionsOfARole && caller.Kind == CallerKind.Role && IsSessionOfRole(value, caller)))
                {
                    return PrincipalMatch.Direct;
                }
            }
        }

        if (caller.Kind == CallerKind.Service && principal.Service is { } services)
        {
            for (int i = 0; i < services.Count; i++)
            {
                if (services[i] == "*" || services[i] == caller.Text)
                {
                    return PrincipalMatch.Direct;
                }
            }
        }

        return best;
    }

    /// <summary>
    /// Whether a <c>NotPrincipal</c> exempts the caller: every identity the request carries must be listed — a service its name;
    /// a root user its account; a user its ARN and account; a role session its session ARN, role and account ("NotPrincipal":
    /// AWS checks the account, then the role, then the session, which is why the documentation asks for all of them). A role
    /// given by its ARN alone (<see cref="CallerKind.Role"/>) is exempt by nothing but <c>*</c>: no session of it is named.
    /// </summary>
    internal static bool Exempts(PolicyPrincipal except, CallerIdentity caller)
    {
        if (except.IsAnyone || (except.Aws?.Contains("*") ?? false))
        {
            return true;
        }

        var aws = except.Aws;
        switch (caller.Kind)
        {
            case CallerKind.Service:
                return except.Service is { } services && (services.Contains(caller.Text) || services.Contains("*"));
            case CallerKind.Root:
                return ListsAccount(aws, caller);
            case CallerKind.AssumedRole:
                return ListsAccount(aws, caller) && ListsRole(aws, caller) && aws!.Contains(caller.Arn!);
            case CallerKind.Role:
                // A role calls through sessions, and a session is exempt only when its session ARN is listed too; a role given
                // without its session stands for every session, and listing the role and its account exempts none of them.
                return false;
            default:
                return ListsAccount(aws, caller) && aws!.Contains(caller.Arn!);
        }
    }

    private static bool ListsAccount(PolicyValues? aws, CallerIdentity caller)
    {
        for (int i = 0; i < (aws?.Count ?? 0); i++)
        {
            if (AccountOf(aws![i], out var partition).SequenceEqual(caller.Account) && SamePartition(partition, caller))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ListsRole(PolicyValues? aws, CallerIdentity caller)
    {
        for (int i = 0; i < (aws?.Count ?? 0); i++)
        {
            if (IsRole(aws![i], caller))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The account an account principal names (<c>123456789012</c>, <c>arn:…:iam::123456789012:root</c>); empty for any other value.</summary>
    /// <param name="value">The principal value.</param>
    /// <param name="partition">The partition of an ARN; empty for a bare account id, which means the resource's partition.</param>
    internal static ReadOnlySpan<char> AccountOf(string value, out ReadOnlySpan<char> partition)
    {
        partition = default;
        if (value.Length == 12 && ConditionValues.IsDigits(value))
        {
            return value;
        }

        return value.EndsWith(":root", StringComparison.Ordinal) && IamArn(value, out partition, out var account, out var resource) && resource.SequenceEqual("root")
            ? account
            : default;
    }

    /// <summary>
    /// Whether a principal ARN's partition is the caller's: account ids and role names are per partition, so
    /// <c>arn:aws-cn:iam::123456789012:root</c> does not name the account 123456789012 of <c>aws</c>. An empty partition (a bare
    /// account id) and a caller without one (given as a bare account id) match.
    /// </summary>
    private static bool SamePartition(ReadOnlySpan<char> partition, CallerIdentity caller) =>
        partition.IsEmpty || caller.Partition is null || partition.SequenceEqual(caller.Partition);

    /// <summary>Whether a value is the ARN of the caller's role (<c>arn:…:iam::{account}:role/{path/}{name}</c>), compared by account and name.</summary>
    private static bool IsRole(string value, CallerIdentity caller) =>
        IamArn(value, out var partition, out var account, out var resource) && account.SequenceEqual(caller.Account) && SamePartition(partition, caller) &&
        resource.StartsWith("role/", StringComparison.Ordinal) && resource[(resource.LastIndexOf('/') + 1)..].SequenceEqual(caller.RoleName);

    /// <summary>Whether the value is a session ARN (<c>arn:P:sts::A:assumed-role/R/S</c>) of the caller's role.</summary>
    private static bool IsSessionOfRole(string value, CallerIdentity caller)
    {
        // Piece by piece, without building the prefix: the evaluator allocates nothing beyond its decision.
        var rest = value.AsSpan();
        return Take(ref rest, "arn:") && Take(ref rest, caller.Partition) && Take(ref rest, ":sts::") && Take(ref rest, caller.Account)
            && Take(ref rest, ":assumed-role/") && Take(ref rest, caller.RoleName) && Take(ref rest, "/") && !rest.IsEmpty && !rest.Contains('/');

        static bool Take(ref ReadOnlySpan<char> rest, string? part)
        {
            if (part is null || !rest.StartsWith(part, StringComparison.Ordinal))
            {
                return false;
            }

            rest = rest[part.Length..];
            return true;
        }
    }

    private static bool IamArn(string value, out ReadOnlySpan<char> partition, out ReadOnlySpan<char> account, out ReadOnlySpan<char> resource)
    {
        // arn:{partition}:iam::{account}:{resource}
        partition = account = resource = default;
        var rest = value.AsSpan();
        if (!rest.StartsWith("arn:", StringComparison.Ordinal))
        {
            return false;
        }

        rest = rest[4..];
        int colon = rest.IndexOf(':');
        if (colon <= 0 || !rest[(colon + 1)..].StartsWith("iam::", StringComparison.Ordinal))
        {
            return false;
        }

        partition = rest[..colon];
        rest = rest[(colon + 6)..];
        colon = rest.IndexOf(':');
        if (colon != 12)
        {
            return false;
        }

        account = rest[..12];
        resource = rest[13..];
        return true;
    }

    private static bool Action(PolicyStatement statement, string action, Why? why)
    {
        if (statement.Action is { } actions)
        {
            if (AnyMatches(actions, action))
            {
                return true;
            }

            why?.Fail("Action", $"Action {actions} does not cover {action}");
            return false;
        }

        if (statement.NotAction is { } excluded)
        {
            if (!AnyMatches(excluded, action))
            {
                return true;
            }

            why?.Fail("Action", $"NotAction {excluded} excludes {action}");
            return false;
        }

        why?.Fail("Action", "the statement names no Action, so it covers none");
        return false;

        static bool AnyMatches(PolicyValues patterns, string action)
        {
            for (int i = 0; i < patterns.Count; i++)
            {
                if (Wildcard.Match(patterns[i], action, ignoreCase: true))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private static bool Resource(PolicyStatement statement, bool inResourcePolicy, AccessRequest request, bool variables, Why? why)
    {
        if (statement.Resource is { } resources)
        {
            if (AnyMatches(resources, request, variables, explain: why is not null, out string? unresolved))
            {
                return true;
            }

            why?.Fail("Resource", $"Resource {resources} does not cover {request.Resource}" +
                (unresolved is null ? string.Empty : $" (the policy variable {unresolved} has no single value in the request)"));
            return false;
        }

        if (statement.NotResource is { } excluded)
        {
            if (!AnyMatches(excluded, request, variables, explain: false, out _))
            {
                return true;
            }

            why?.Fail("Resource", $"NotResource {excluded} excludes {request.Resource}");
            return false;
        }

        if (inResourcePolicy)
        {
            return true; // a resource policy without Resource covers the resource it is attached to
        }

        why?.Fail("Resource", "the statement names no Resource, so it covers none");
        return false;
    }

    private static bool AnyMatches(PolicyValues patterns, AccessRequest request, bool variables, bool explain, out string? unresolved)
    {
        unresolved = null;
        for (int i = 0; i < patterns.Count; i++)
        {
            string pattern = patterns[i];
            if (variables && PolicyVariables.HasVariables(pattern))
            {
                var resolution = PolicyVariables.TryResolve(pattern, request, forPattern: true, request.Resource.Length, out char[] buffer, out int length, out Range range);
                if (resolution != Resolution.Resolved)
                {
                    unresolved ??= explain && resolution == Resolution.Unresolved ? pattern[range] : null;
                    continue;
                }

                bool match = Wildcard.ArnLike(buffer.AsSpan(0, length), request.Resource, escapes: true);
                PolicyVariables.Return(buffer);
                if (match)
                {
                    return true;
                }
            }
            else if (Wildcard.ArnLike(pattern, request.Resource))
            {
                return true;
            }
        }

        return false;
    }

    private static string Describe(PolicyPrincipal principal)
    {
        if (principal.IsAnyone)
        {
            return "*";
        }

        var parts = new List<string>();
        Add("AWS", principal.Aws);
        Add("Service", principal.Service);
        Add("Federated", principal.Federated);
        Add("CanonicalUser", principal.CanonicalUser);
        return parts.Count == 0 ? "nobody" : string.Join(", ", parts);

        void Add(string type, PolicyValues? values)
        {
            if (values is not null)
            {
                parts.Add(type + " " + values);
            }
        }
    }
}
