using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>
/// The service's input rules, taken from the API model (lengths, patterns, enums) and the API documentation (principal rules),
/// written independently of the client's validator so that a bug in one is caught by the other. Rules are data: each is a
/// (member, test, message) entry checked in order; the first broken one is answered, as the service does.
/// </summary>
internal static partial class EmulatorRules
{
    private static readonly (string Shape, int Min, int Max, Regex? Pattern)[] Shapes =
    [
        ("AmazonResourceName", 1, 1011, null),
        ("Name", 1, 100, NamePattern()),
        ("RevisionId", 1, 5, RevisionPattern()),
        ("Operation", 5, 50, OperationPattern()),
        ("PrincipalArn", 30, 1024, PrincipalArnPattern()),
        ("ServicePrincipal", 15, 1024, ServicePrincipalPattern()),
        ("ConditionKey", 1, 1024, null),
        ("ConditionValue", 1, 1024, null),
        ("ConditionOperator", 1, int.MaxValue, null),
        ("Policy", 2, int.MaxValue, null),
    ];

    /// <summary>Checks a string member against its model shape; returns the ValidationException message or <see langword="null"/>.</summary>
    public static string? CheckShape(string member, string shape, string? value)
    {
        var s = Shapes.First(x => x.Shape == shape);
        if (value is null)
        {
            return $"1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null";
        }

        if (value.Length < s.Min)
        {
            return $"1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length greater than or equal to {s.Min}";
        }

        if (value.Length > s.Max)
        {
            return $"1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length less than or equal to {s.Max}";
        }

        if (s.Pattern is not null && !s.Pattern.IsMatch(value))
        {
            return $"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: {s.Pattern}";
        }

        return null;
    }

    /// <summary>Validates the body of CreateResourcePolicyStatement against the model and the documented statement rules.</summary>
    public static EmulatorError? CheckStatement(string resourceAccount, JsonObject body)
    {
        string? Invalid(string? message) => message;

        if (Invalid(CheckShape("statementId", "Name", Str(body, "statementId"))) is { } sid)
        {
            return Bad(sid);
        }

        if (Str(body, "effect") is not ("Allow" or "Deny"))
        {
            return Bad("1 validation error detected: Value at 'effect' failed to satisfy constraint: Member must satisfy enum value set: [Allow, Deny]");
        }

        if (body["principal"] is not JsonArray principals || principals.Count == 0)
        {
            return Bad("1 validation error detected: Value at 'principal' failed to satisfy constraint: Member must not be null or empty");
        }

        bool servicePrincipal = false;
        for (int i = 0; i < principals.Count; i++)
        {
            if (principals[i] is not JsonObject p)
            {
                return Bad($"Principal at 'principal.{i + 1}' must be an object.");
            }

            string? service = Str(p, "service"), arn = Str(p, "arn");
            if ((service is null) == (arn is null))
            {
                return Bad("Invalid principal: you must provide either a service or an arn, but not both.");
            }

            if (service is not null)
            {
                servicePrincipal = true;
                if (CheckShape($"principal.{i + 1}.member.service", "ServicePrincipal", service) is { } m)
                {
                    return Bad(m);
                }
            }
            else
            {
                if (CheckShape($"principal.{i + 1}.member.arn", "PrincipalArn", arn) is { } m)
                {
                    return Bad(m);
                }

                string principalAccount = arn!.Split(':')[4];
                if (principalAccount != resourceAccount)
                {
                    return Bad($"The policy statement can't grant cross-account access: principal account {principalAccount} is not the resource's account {resourceAccount}.");
                }
            }
        }

        if (body["action"] is not JsonArray actions || actions.Count == 0)
        {
            return Bad("1 validation error detected: Value at 'action' failed to satisfy constraint: Member must not be null or empty");
        }

        for (int i = 0; i < actions.Count; i++)
        {
            if (CheckShape($"action.{i + 1}.member", "Operation", actions[i] is JsonValue v && v.TryGetValue(out string? a) ? a : null) is { } m)
            {
                return Bad(m);
            }
        }

        // Keys count for the service-principal rule only under an operator that pins the value: present and equal (or like).
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (body["condition"] is JsonNode conditionNode)
        {
            if (conditionNode is not JsonObject conditions || conditions.Count > 10)
            {
                return Bad("1 validation error detected: Value at 'condition' failed to satisfy constraint: Member must have at most 10 entries");
            }

            foreach (var (op, inner) in conditions)
            {
                if (CheckShape("condition.key", "ConditionOperator", op) is { } opError)
                {
                    return Bad(opError);
                }

                if (inner is not JsonObject map || map.Count > 10)
                {
                    return Bad($"1 validation error detected: Value at 'condition.{op}' failed to satisfy constraint: Member must be a map of at most 10 entries");
                }

                if (!PolicyGrammar.IsConditionOperator(op))
                {
                    return Bad($"Policy isn't valid: Invalid Condition type: {op}.");
                }

                foreach (var (key, value) in map)
                {
                    string? text = value is JsonValue jv && jv.TryGetValue(out string? sv) ? sv : null;
                    if ((CheckShape($"condition.{op}.key", "ConditionKey", key) ?? CheckShape($"condition.{op}.{key}", "ConditionValue", text)) is { } m)
                    {
                        return Bad(m);
                    }

                    if (PolicyGrammar.ConditionValueProblem(op, text!) is { } valueProblem)
                    {
                        return Bad($"Policy isn't valid: condition {op} {key}: {valueProblem}");
                    }

                    if (PinningOperators.Contains(op) && NamesOneSource(key, text!))
                    {
                        keys.Add(key);
                    }
                }
            }
        }

        if (servicePrincipal && !(keys.Contains("aws:SourceAccount") && keys.Contains("aws:SourceArn")))
        {
            return Bad("Policy isn't valid: a statement with a service principal must have two condition blocks, one with the aws:SourceAccount global condition key and one with the aws:SourceArn global condition key, each under StringEquals, StringLike, ArnEquals or ArnLike with a value that names one source (an account id without wildcards; an ARN whose account field is written out; no policy variable).");
        }

        return null;
    }

    /// <summary>
    /// The operators under which a condition pins a key: it fails when the key is absent or has another value. Their
    /// <c>IfExists</c> forms match an absent key, the negated forms and the set-qualified ones match other requests too.
    /// </summary>
    private static readonly HashSet<string> PinningOperators = new(["StringEquals", "StringLike", "ArnEquals", "ArnLike"], StringComparer.Ordinal);

    /// <summary>
    /// Whether a source key's value scopes the grant to one source: <c>"*"</c>, an account id with a wildcard, an ARN with a
    /// wildcard in its account field, or a policy variable is true for other callers' sources too. Other keys always count.
    /// </summary>
    private static bool NamesOneSource(string key, string value) =>
        !value.Contains("${", StringComparison.Ordinal) && (key.ToLowerInvariant() switch
        {
            "aws:sourceaccount" => !value.Contains('*', StringComparison.Ordinal) && !value.Contains('?', StringComparison.Ordinal),
            "aws:sourcearn" => SourceArnPattern().IsMatch(value),
            _ => true,
        });

    /// <summary>
    /// The region of a request's SigV4 credential scope (<c>Credential=AKID/20260101/us-east-1/lex/aws4_request</c>): the region
    /// the caller signed for, which is what an AWS regional endpoint is. <see langword="null"/> without such a header.
    /// </summary>
    public static string? SignedRegion(string? authorization)
    {
        int at = authorization?.IndexOf("Credential=", StringComparison.Ordinal) ?? -1;
        if (at < 0)
        {
            return null;
        }

        string credential = authorization![(at + "Credential=".Length)..].Split(',')[0].Trim();
        string[] scope = credential.Split('/');
        return scope.Length == 5 && scope[2].Length > 0 ? scope[2] : null;
    }

    /// <summary>A resource ARN in another region than the request was signed for: the 400 AWS's regional endpoint would answer.</summary>
    public static EmulatorError? CheckRegion(string arn, string? signedRegion)
    {
        string arnRegion = arn.Split(':', 6)[3];
        return signedRegion is null || signedRegion == arnRegion
            ? null
            : Bad($"The resource ARN '{arn}' is in region {arnRegion}, but the request was signed for region {signedRegion} (its credential scope): a resource policy is managed at its resource's regional endpoint.");
    }

    public static string? Str(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    private static EmulatorError Bad(string message) => new(HttpStatusCode.BadRequest, "ValidationException", message);

    [GeneratedRegex(@"^([0-9a-zA-Z][_-]?)+\z")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[0-9]+\z")]
    private static partial Regex RevisionPattern();

    [GeneratedRegex(@"lex:[a-zA-Z*]+\z")]
    private static partial Regex OperationPattern();

    [GeneratedRegex(@"^arn:aws:iam::[0-9]{12}:(root|(user|role)/.*)\z", RegexOptions.Singleline)]
    private static partial Regex PrincipalArnPattern();

    [GeneratedRegex(@"^[0-9a-zA-Z_.]+\z")]
    private static partial Regex ServicePrincipalPattern();

    /// <summary>An ARN whose account (fifth) field has no wildcard: <c>arn:P:S:R:ACCOUNT:RESOURCE</c>.</summary>
    [GeneratedRegex(@"^arn:[^:]*:[^:]*:[^:]*:[^:*?]*:", RegexOptions.Singleline)]
    private static partial Regex SourceArnPattern();
}
