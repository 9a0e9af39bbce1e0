namespace LexV2.ResourcePolicy;

/// <summary>What kind of caller an <see cref="AccessRequest.Principal"/> names.</summary>
internal enum CallerKind
{
    /// <summary>Not parsed (see <see cref="CallerIdentity.Problem"/>).</summary>
    Invalid,

    /// <summary>An AWS service principal such as <c>connect.amazonaws.com</c>.</summary>
    Service,

    /// <summary>An account's root user (<c>123456789012</c> or <c>arn:aws:iam::123456789012:root</c>).</summary>
    Root,

    /// <summary>An IAM user.</summary>
    User,

    /// <summary>An IAM role given by its ARN (a session of it whose name is unknown).</summary>
    Role,

    /// <summary>An assumed-role session (<c>arn:aws:sts::…:assumed-role/Role/Session</c>).</summary>
    AssumedRole,

    /// <summary>An STS federated user (<c>arn:aws:sts::…:federated-user/Name</c>).</summary>
    FederatedUser,
}

/// <summary>
/// The caller of an <see cref="AccessRequest"/>, parsed once when the principal is set: its kind, account, ARN, role name, and
/// the context keys that describe it (<c>aws:PrincipalArn</c>, <c>aws:PrincipalAccount</c>, …).
/// </summary>
internal sealed record CallerIdentity
{
    private static readonly string[] True = ["true"];
    private static readonly string[] False = ["false"];
    private static readonly System.Buffers.SearchValues<char> ServiceNameChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");

    private CallerIdentity(CallerKind kind, string text, string? problem)
    {
        Kind = kind;
        Text = text;
        Problem = problem;
    }

    public CallerKind Kind { get; }

    /// <summary>The principal as given.</summary>
    public string Text { get; }

    /// <summary>Why the principal is not usable; <see langword="null"/> when it is.</summary>
    public string? Problem { get; }

    /// <summary>The partition of an ARN principal (<c>aws</c>, <c>aws-cn</c>, …); <see langword="null"/> for a service or a bare account id.</summary>
    public string? Partition { get; private init; }

    /// <summary>The 12-digit account (not for a service).</summary>
    public string? Account { get; private init; }

    /// <summary>The caller's own ARN: user, role, session, federated-user or root ARN (not for a service).</summary>
    public string? Arn { get; private init; }

    /// <summary>For a role or session: the role's name (the last segment of its path).</summary>
    public string? RoleName { get; private init; }

    /// <summary>For a role or session: the role's ARN (for a session, without the path the session ARN does not carry).</summary>
    public string? RoleArn { get; private init; }

    /// <summary>Whether identity policies apply (IAM users, roles, sessions, federated users; not services or root).</summary>
    public bool HasIdentityPolicies => Kind is CallerKind.User or CallerKind.Role or CallerKind.AssumedRole or CallerKind.FederatedUser;

    private string[]? PrincipalArn { get; init; }

    private string[]? PrincipalAccount { get; init; }

    private string[]? PrincipalType { get; init; }

    private string[]? UserName { get; init; }

    private string[]? ServiceName { get; init; }

    /// <summary>Parses a principal; never throws (a problem is kept for <see cref="AccessRequest.ThrowIfInvalid"/>).</summary>
    public static CallerIdentity Parse(string? principal)
    {
        if (string.IsNullOrWhiteSpace(principal))
        {
            return Invalid(principal ?? string.Empty, "is required: a service principal (connect.amazonaws.com), an IAM user, role or assumed-role session ARN, or an account id");
        }

        if (principal.Length == 12 && ConditionValues.IsDigits(principal))
        {
            return Root(principal, null, principal);
        }

        if (!principal.StartsWith("arn:", StringComparison.Ordinal))
        {
            return IsServiceName(principal)
                ? new CallerIdentity(CallerKind.Service, principal, null) { ServiceName = [principal] }
                : Invalid(principal, $"'{principal}' is not a principal: expected a service principal such as connect.amazonaws.com, an ARN such as arn:aws:iam::123456789012:role/app, or a 12-digit account id");
        }

        string[] p = principal.Split(':', 6);
        if (p.Length < 6 || p[1].Length == 0 || p[3].Length != 0 || p[4].Length != 12 || !ConditionValues.IsDigits(p[4]))
        {
            return Invalid(principal, $"'{principal}' is not an IAM principal ARN: expected arn:{{partition}}:iam::{{12-digit account}}:user/…, role/…, root, or arn:{{partition}}:sts::{{account}}:assumed-role/{{role}}/{{session}}");
        }

        string partition = p[1], service = p[2], account = p[4], resource = p[5];
        string[] path = resource.Split('/');
        if (path.Any(s => s.Length == 0) && resource != "root")
        {
            return Invalid(principal, $"'{principal}' has an empty name in its resource part '{resource}'");
        }

        return (service, path[0], path.Length) switch
        {
            ("iam", "root", 1) => Root(principal, partition, account),
            ("iam", "user", >= 2) => Iam(CallerKind.User, principal, partition, account, "User") with { UserName = [path[^1]] },
            ("iam", "role", >= 2) => Iam(CallerKind.Role, principal, partition, account, "AssumedRole") with { RoleName = path[^1], RoleArn = principal },
            ("sts", "assumed-role", 3) => Iam(CallerKind.AssumedRole, principal, partition, account, "AssumedRole", $"arn:{partition}:iam::{account}:role/{path[1]}") with { RoleName = path[1], RoleArn = $"arn:{partition}:iam::{account}:role/{path[1]}" },
            ("sts", "federated-user", 2) => Iam(CallerKind.FederatedUser, principal, partition, account, "FederatedUser"),
            ("iam", "group", _) => Invalid(principal, $"'{principal}' is an IAM group, which cannot make a request; name one of its users"),
            _ => Invalid(principal, $"'{principal}' is not a principal that can call: expected an iam user/…, role/… or root ARN, or an sts assumed-role/{{role}}/{{session}} or federated-user/{{name}} ARN"),
        };
    }

    /// <summary>A context key derived from the caller, e.g. <c>aws:PrincipalAccount</c>.</summary>
    public bool TryGetDerived(ReadOnlySpan<char> key, out IReadOnlyList<string> values)
    {
        values = Derived(key)!;
        return values is not null;
    }

    private string[]? Derived(ReadOnlySpan<char> key)
    {
        if (Kind == CallerKind.Invalid || !key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var name = key[4..];
        return name.Equals("PrincipalArn", StringComparison.OrdinalIgnoreCase) ? PrincipalArn
            : name.Equals("PrincipalAccount", StringComparison.OrdinalIgnoreCase) ? PrincipalAccount
            : name.Equals("PrincipalType", StringComparison.OrdinalIgnoreCase) ? PrincipalType
            : name.Equals("username", StringComparison.OrdinalIgnoreCase) ? UserName
            : name.Equals("PrincipalServiceName", StringComparison.OrdinalIgnoreCase) ? ServiceName
            : name.Equals("PrincipalIsAWSService", StringComparison.OrdinalIgnoreCase) ? (Kind == CallerKind.Service ? True : False)
            : null;
    }

    private static bool IsServiceName(string s) =>
        s.Contains('.', StringComparison.Ordinal) && s[0] != '.' && s[^1] != '.' &&
        s.AsSpan().IndexOfAnyExcept(ServiceNameChars) < 0;

    private static CallerIdentity Root(string text, string? partition, string account)
    {
        string arn = $"arn:{partition ?? "aws"}:iam::{account}:root";
        return new CallerIdentity(CallerKind.Root, text, null)
        {
            Partition = partition, Account = account, Arn = arn, PrincipalArn = [arn], PrincipalAccount = [account], PrincipalType = ["Account"],
        };
    }

    private static CallerIdentity Iam(CallerKind kind, string arn, string partition, string account, string type, string? principalArn = null) =>
        new(kind, arn, null) { Partition = partition, Account = account, Arn = arn, PrincipalArn = [principalArn ?? arn], PrincipalAccount = [account], PrincipalType = [type] };

    private static CallerIdentity Invalid(string text, string problem) => new(CallerKind.Invalid, text, problem);
}
