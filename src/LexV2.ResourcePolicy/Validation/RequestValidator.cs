using System.Globalization;

namespace LexV2.ResourcePolicy.Validation;

/// <summary>
/// Checks requests against every constraint the API model documents (lengths, patterns, enums, required members) and the
/// documented statement rules (one of service/arn per principal, no cross-account principal, a service principal needs
/// <c>aws:SourceAccount</c> and <c>aws:SourceArn</c> conditions). Collects every violation; never stricter than the service.
/// </summary>
internal static class RequestValidator
{
    public static void Validate(CreateResourcePolicyStatementRequest r)
    {
        var v = new Violations();
        ResourceArn(v, r.ResourceArn);
        StatementId(v, nameof(r.StatementId), r.StatementId);
        if (!Enum.IsDefined(r.Effect))
        {
            v.Add(nameof(r.Effect), $"must be Allow or Deny (was {(int)r.Effect})");
        }

        bool hasServicePrincipal = Principals(v, r.Principal, r.ResourceArn);
        Actions(v, r.Action);
        Conditions(v, r.Condition, hasServicePrincipal);
        RevisionId(v, r.ExpectedRevisionId);
        v.ThrowIfAny(Http.LexOperation.CreateResourcePolicyStatement);
    }

    public static void Validate(DeleteResourcePolicyStatementRequest r)
    {
        var v = new Violations();
        ResourceArn(v, r.ResourceArn);
        StatementId(v, nameof(r.StatementId), r.StatementId);
        RevisionId(v, r.ExpectedRevisionId);
        v.ThrowIfAny(Http.LexOperation.DeleteResourcePolicyStatement);
    }

    public static void Validate(CreateResourcePolicyRequest r)
    {
        var v = new Violations();
        ResourceArn(v, r.ResourceArn);
        Policy(v, r.Policy);
        v.ThrowIfAny(Http.LexOperation.CreateResourcePolicy);
    }

    public static void Validate(DescribeResourcePolicyRequest r)
    {
        var v = new Violations();
        ResourceArn(v, r.ResourceArn);
        v.ThrowIfAny(Http.LexOperation.DescribeResourcePolicy);
    }

    public static void Validate(UpdateResourcePolicyRequest r)
    {
        var v = new Violations();
        ResourceArn(v, r.ResourceArn);
        Policy(v, r.Policy);
        RevisionId(v, r.ExpectedRevisionId);
        v.ThrowIfAny(Http.LexOperation.UpdateResourcePolicy);
    }

    public static void Validate(DeleteResourcePolicyRequest r)
    {
        var v = new Violations();
        ResourceArn(v, r.ResourceArn);
        RevisionId(v, r.ExpectedRevisionId);
        v.ThrowIfAny(Http.LexOperation.DeleteResourcePolicy);
    }

    /// <summary>
    /// Refuses a resource ARN of another region or partition than the one the client signs for: a Lex resource policy lives in
    /// its resource's region, so such a call can only fail at AWS, or succeed against the wrong endpoint in tests. An ARN without
    /// a region field is left to the other checks.
    /// </summary>
    /// <param name="operation">The operation, for the exception.</param>
    /// <param name="resourceArn">The request's resource ARN.</param>
    /// <param name="signingRegion">The client's signing region (its <c>Region</c>, or the one inferred from <c>ServiceUrl</c>).</param>
    /// <exception cref="RequestValidationException">The ARN names another region or partition.</exception>
    public static void ThrowIfOtherRegion(string operation, string? resourceArn, string signingRegion)
    {
        ReadOnlySpan<char> region = ArnField(resourceArn, 3), partition = ArnField(resourceArn, 1);
        if (region.IsEmpty)
        {
            return;
        }

        string clientPartition = Endpoints.LexEndpoint.PartitionOf(signingRegion).Name;
        if (region.SequenceEqual(signingRegion) && partition.SequenceEqual(clientPartition))
        {
            return;
        }

        string arnRegion = region.ToString(), arnPartition = partition.ToString();
        throw new RequestValidationException(operation, [new ValidationViolation("ResourceArn",
            $"is in region {arnRegion} (partition {arnPartition}) but this client signs for region {signingRegion} (partition {clientPartition}): " +
            $"a Lex resource policy lives in its resource's region, so the request could only fail at AWS or reach the wrong endpoint; " +
            $"use a client for {arnRegion} (LexPolicyClientOptions.Region), or set ValidateRequests = false to send it anyway")]);
    }

    /// <summary>The account field of an ARN (<c>arn:partition:service:region:account:resource</c>), or <see langword="null"/>.</summary>
    internal static string? AccountOf(string? arn) => AccountSpan(arn) is { IsEmpty: false } account ? account.ToString() : null;

    /// <summary>The account field of an ARN without allocating; empty when there is none.</summary>
    internal static ReadOnlySpan<char> AccountSpan(string? arn) => ArnField(arn, 4);

    /// <summary>Field <paramref name="index"/> (1 partition, 2 service, 3 region, 4 account) of an ARN without allocating; empty when there is none.</summary>
    private static ReadOnlySpan<char> ArnField(string? arn, int index)
    {
        if (arn is null || !arn.StartsWith("arn:", StringComparison.Ordinal))
        {
            return default;
        }

        ReadOnlySpan<char> rest = arn.AsSpan(4);
        for (int field = 1; field < index; field++)
        {
            int colon = rest.IndexOf(':');
            if (colon < 0)
            {
                return default;
            }

            rest = rest[(colon + 1)..];
        }

        int end = rest.IndexOf(':');
        return end < 0 ? default : rest[..end];
    }

    private static void ResourceArn(Violations v, string? arn) => Length(v, "ResourceArn", arn, 1, 1011, required: true);

    private static void StatementId(Violations v, string path, string? id)
    {
        if (Length(v, path, id, 1, 100, required: true) && !Patterns.IsStatementId(id!))
        {
            v.Add(path, "must be letters and digits, optionally with single '_' or '-' between them (pattern ^([0-9a-zA-Z][_-]?)+$)");
        }
    }

    private static void RevisionId(Violations v, string? revision)
    {
        if (revision is not null && Length(v, "ExpectedRevisionId", revision, 1, 5, required: false) && !Patterns.IsRevisionId(revision))
        {
            v.Add("ExpectedRevisionId", "must be decimal digits only (pattern ^[0-9]+$)");
        }
    }

    /// <summary>
    /// A whole policy document (Create/UpdateResourcePolicy): long enough, a document the IAM grammar reads, every condition
    /// under an IAM operator with values of its type, and no wildcard principal (<see cref="WildcardPrincipalRule"/>).
    /// </summary>
    private static void Policy(Violations v, string? policy)
    {
        if (!Length(v, "Policy", policy, 2, int.MaxValue, required: true))
        {
            return;
        }

        if (!PolicyDocument.TryParse(policy, out var document, out string? error))
        {
            v.Add("Policy", "is not an IAM policy document: " + error);
            return;
        }

        for (int s = 0; s < document.Statement.Count; s++)
        {
            var statement = document.Statement[s];
            string at = string.Create(CultureInfo.InvariantCulture, $"Policy.Statement[{s}]");
            if (WildcardPrincipalRule.RefusedElement(statement) is { } element)
            {
                v.Add(at + "." + element, WildcardPrincipalRule.Rule);
            }

            foreach (var (op, keys) in statement.Condition ?? new Dictionary<string, IReadOnlyDictionary<string, PolicyValues>>())
            {
                string opPath = at + "." + OpPath(op);
                if (!ConditionOperator.TryParse(op, out var parsed, out string? problem))
                {
                    v.Add(opPath, problem);
                    continue;
                }

                foreach (var (key, values) in keys)
                {
                    for (int i = 0; i < values.Count; i++)
                    {
                        if (!parsed.IsValidValue(values[i], out string? rule))
                        {
                            v.Add(values.Count == 1 ? $"{opPath}[\"{key}\"]" : string.Create(CultureInfo.InvariantCulture, $"{opPath}[\"{key}\"][{i}]"), $"{rule} for {op} (was '{values[i]}')");
                        }
                    }
                }
            }
        }
    }

    private static bool Principals(Violations v, IReadOnlyList<Principal>? principals, string? resourceArn)
    {
        bool hasService = false;
        if (principals is null)
        {
            v.Add("Principal", "is required");
            return false;
        }

        if (principals.Count == 0)
        {
            v.Add("Principal", "must list at least one principal");
        }

        for (int i = 0; i < principals.Count; i++)
        {
            string path = Indexed("Principal", i);
            Principal? p = principals[i];
            if (p is null)
            {
                v.Add(path, "must not be null");
                continue;
            }

            if (WildcardPrincipalRule.IsWildcard(p.Arn) || WildcardPrincipalRule.IsWildcard(p.Service))
            {
                v.Add(path + (WildcardPrincipalRule.IsWildcard(p.Arn) ? ".Arn" : ".Service"), WildcardPrincipalRule.StatementApiMessage);
                hasService |= p.Service is not null;
                continue;
            }

            if ((p.Service is null) == (p.Arn is null))
            {
                v.Add(path, "must set exactly one of Service or Arn");
            }

            if (p.Service is not null)
            {
                hasService = true;
                if (Length(v, path + ".Service", p.Service, 15, 1024, required: false) && !Patterns.IsServicePrincipal(p.Service))
                {
                    v.Add(path + ".Service", "must be a service principal name of letters, digits, '_' and '.' (pattern ^[0-9a-zA-Z_.]+$), for example connect.amazonaws.com");
                }
            }

            if (p.Arn is not null && Length(v, path + ".Arn", p.Arn, 30, 1024, required: false))
            {
                if (!Patterns.IsPrincipalArn(p.Arn))
                {
                    v.Add(path + ".Arn", "must be an IAM user, role or account root ARN (pattern ^arn:aws:iam::[0-9]{12}:(root|(user|role)/.*)$)");
                }
                else if (AccountSpan(resourceArn) is { IsEmpty: false } resourceAccount && !AccountSpan(p.Arn).SequenceEqual(resourceAccount))
                {
                    string principalAccount = AccountSpan(p.Arn).ToString();
                    v.Add(path + ".Arn", $"is in account {principalAccount} but the resource is in account {resourceAccount.ToString()}; a resource policy statement cannot grant cross-account access");
                }
            }
        }

        return hasService;
    }

    private static void Actions(Violations v, IReadOnlyList<string>? actions)
    {
        if (actions is null)
        {
            v.Add("Action", "is required");
            return;
        }

        if (actions.Count == 0)
        {
            v.Add("Action", "must list at least one action");
        }

        for (int i = 0; i < actions.Count; i++)
        {
            string path = Indexed("Action", i);
            if (Length(v, path, actions[i], 5, 50, required: true) && !Patterns.IsAction(actions[i]))
            {
                v.Add(path, "must be a Lex action such as lex:RecognizeText (pattern lex:[a-zA-Z*]+$)");
            }
        }
    }

    private static void Conditions(Violations v, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? conditions, bool hasServicePrincipal)
    {
        bool sourceAccount = false, sourceArn = false;
        string? unpinned = null;
        if (conditions is not null)
        {
            if (conditions.Count > 10)
            {
                v.Add("Condition", $"must have at most 10 condition operators (had {conditions.Count})");
            }

            foreach (var (op, keys) in conditions)
            {
                bool known = false;
                ConditionOperator parsed = default;
                if (op.Length == 0)
                {
                    v.Add("Condition", "operator names must not be empty");
                }
                else if (Text(v, "Condition", op))
                {
                    known = ConditionOperator.TryParse(op, out parsed, out string? problem);
                    if (!known)
                    {
                        v.Add(OpPath(op), problem!);
                    }
                }

                if (keys is null)
                {
                    v.Add(OpPath(op), "must not be null");
                    continue;
                }

                if (keys.Count > 10)
                {
                    v.Add(OpPath(op), $"must have at most 10 condition keys (had {keys.Count})");
                }

                foreach (var (key, value) in keys)
                {
                    if (key.Length is 0 or > 1024)
                    {
                        v.Add(OpPath(op), $"condition keys must be 1 to 1024 characters (one was {key.Length})");
                        continue;
                    }

                    // Paths are built only for a violation: a valid condition allocates none.
                    if (value is null || value.Length is 0 or > 1024)
                    {
                        v.Add(KeyPath(op, key), value is null ? "is required" : $"must be 1 to 1024 characters (was {value.Length})");
                    }
                    else if (UnpairedSurrogate(key) is >= 0 and var k)
                    {
                        Surrogate(v, OpPath(op), k);
                    }
                    else if (UnpairedSurrogate(value) is >= 0 and var i)
                    {
                        Surrogate(v, KeyPath(op, key), i);
                    }
                    else if (known && !parsed.IsValidValue(value, out string? rule))
                    {
                        v.Add(KeyPath(op, key), $"{rule} for {op} (was '{value}')");
                    }

                    // The service-principal rule counts a key only where the operator pins it: present and equal (or like).
                    bool isAccount = string.Equals(key, "aws:SourceAccount", StringComparison.OrdinalIgnoreCase);
                    bool isArn = string.Equals(key, "aws:SourceArn", StringComparison.OrdinalIgnoreCase);
                    if (!isAccount && !isArn)
                    {
                        continue;
                    }

                    if (!known || !parsed.PinsValue)
                    {
                        unpinned ??= $"{key} under {op} does not pin it: an IfExists, negated or ForAnyValue:/ForAllValues: operator can be satisfied without the key having that value";
                    }
                    else if (value is null || !NamesOneSource(isArn, value))
                    {
                        unpinned ??= $"{key} under {op} is '{value}', which does not pin it: a value pins the key when it names one source " +
                            "(an account id without * or ?, an ARN whose account field is written out such as arn:aws:connect:*:123456789012:instance/*), with no policy variable";
                    }
                    else
                    {
                        sourceAccount |= isAccount;
                        sourceArn |= isArn;
                    }
                }
            }
        }

        if (hasServicePrincipal && !(sourceAccount && sourceArn))
        {
            string missing = (sourceAccount, sourceArn) switch
            {
                (false, false) => "both an aws:SourceAccount and an aws:SourceArn condition key",
                (false, true) => "an aws:SourceAccount condition key",
                _ => "an aws:SourceArn condition key",
            };
            v.Add("Condition", $"must contain {missing} when a principal is a service, each under an operator that pins its value " +
                "(StringEquals, StringLike, ArnEquals or ArnLike, without IfExists or a ForAnyValue:/ForAllValues: prefix; for example StringEquals aws:SourceAccount and ArnLike aws:SourceArn)" +
                (unpinned is null ? string.Empty : "; " + unpinned));
        }
    }

    /// <summary>
    /// Whether a pinning operator's value for <c>aws:SourceAccount</c> or <c>aws:SourceArn</c> names one source, so the grant is
    /// scoped: no policy variable (<c>${aws:SourceAccount}</c> equals itself), an account id without the wildcards <c>*</c> and
    /// <c>?</c> (StringLike, ArnLike and ArnEquals match them), and an ARN (<c>arn:P:S:R:A:RESOURCE</c>) whose account field has
    /// none either (empty for services whose ARNs have no account, such as S3). <c>"*"</c> is true for any caller with a source.
    /// </summary>
    private static bool NamesOneSource(bool isArn, string value)
    {
        if (value.Contains("${", StringComparison.Ordinal))
        {
            return false;
        }

        if (!isArn)
        {
            return value.AsSpan().IndexOfAny('*', '?') < 0;
        }

        // arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, read without allocating (a valid grant is validated allocation-free).
        if (!value.StartsWith("arn:", StringComparison.Ordinal))
        {
            return false;
        }

        ReadOnlySpan<char> rest = value.AsSpan(4);
        for (int field = 1; field < 4; field++)
        {
            int colon = rest.IndexOf(':');
            if (colon < 0)
            {
                return false;
            }

            rest = rest[(colon + 1)..];
        }

        int end = rest.IndexOf(':');
        return end >= 0 && rest[..end].IndexOfAny('*', '?') < 0;
    }

    private static string OpPath(string op) => $"Condition[\"{op}\"]";

    private static string KeyPath(string op, string key) => $"Condition[\"{op}\"][\"{key}\"]";

    private static readonly string[] PrincipalPaths = IndexedPaths("Principal", 8);
    private static readonly string[] ActionPaths = IndexedPaths("Action", 16);

    private static string[] IndexedPaths(string name, int count)
    {
        var paths = new string[count];
        for (int i = 0; i < count; i++)
        {
            paths[i] = name + "[" + i.ToString(CultureInfo.InvariantCulture) + "]";
        }

        return paths;
    }

    /// <summary>A member path such as <c>Action[2]</c>; the common ones are precomputed so a valid request allocates none.</summary>
    private static string Indexed(string name, int i) => (name, i) switch
    {
        ("Principal", < 8) => PrincipalPaths[i],
        ("Action", < 16) => ActionPaths[i],
        _ => string.Create(CultureInfo.InvariantCulture, $"{name}[{i}]"),
    };

    /// <summary>Checks presence and length; returns whether the value is present and of valid length (so pattern checks may follow).</summary>
    private static bool Length(Violations v, string path, string? value, int min, int max, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                v.Add(path, "is required");
            }

            return false;
        }

        if (value.Length < min || value.Length > max)
        {
            v.Add(path, max == int.MaxValue
                ? $"must be at least {min} characters (was {value.Length})"
                : $"must be {min} to {max} characters (was {value.Length})");
            return false;
        }

        return Text(v, path, value);
    }

    /// <summary>
    /// A string with an unpaired UTF-16 surrogate cannot be sent: UTF-8 would carry U+FFFD instead, so the service would store
    /// something other than what the caller passed (and an idempotent re-run would never find it equal).
    /// </summary>
    private static bool Text(Violations v, string path, string value)
    {
        if (UnpairedSurrogate(value) is >= 0 and int i)
        {
            Surrogate(v, path, i);
            return false;
        }

        return true;
    }

    /// <summary>The index of the first unpaired UTF-16 surrogate in <paramref name="value"/>, or -1.</summary>
    private static int UnpairedSurrogate(string value)
    {
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return i;
            }
        }

        return -1;
    }

    private static void Surrogate(Violations v, string path, int index) =>
        v.Add(path, $"contains an unpaired UTF-16 surrogate at index {index}: it cannot be sent as UTF-8 unchanged");

    private sealed class Violations
    {
        private List<ValidationViolation>? _list;

        public void Add(string path, string rule) => (_list ??= []).Add(new ValidationViolation(path, rule));

        public void ThrowIfAny(string operation)
        {
            if (_list is { Count: > 0 })
            {
                throw new RequestValidationException(operation, _list);
            }
        }
    }
}
