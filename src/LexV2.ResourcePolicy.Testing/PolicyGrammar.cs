using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>
/// The IAM policy grammar, as Create/UpdateResourcePolicy check it (written from IAM's "Grammar of the IAM JSON policy
/// language", independently of the client's <c>PolicyDocument</c>): a JSON object of <c>Version</c> (<c>2012-10-17</c> or
/// <c>2008-10-17</c>, optional), <c>Id</c> and <c>Statement</c>, a statement object or a non-empty list of them; each statement
/// has an <c>Effect</c> of <c>Allow</c> or <c>Deny</c>, exactly one of <c>Principal</c>/<c>NotPrincipal</c> (a resource
/// policy always names who), exactly one of <c>Action</c>/<c>NotAction</c>, at most one of <c>Resource</c>/<c>NotResource</c>,
/// values that are a string or a non-empty list of strings, an optional <c>Condition</c> block, and a <c>Sid</c> unique in
/// the policy. No other element is allowed. The first problem found is answered, naming where it is (<c>$.Statement[1].Effect</c>).
/// </summary>
internal static partial class PolicyGrammar
{
    public const int MaxPolicyBytes = 20 * 1024;

    private static readonly string[] TopLevel = ["Version", "Id", "Statement"];
    private static readonly string[] StatementElements = ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"];
    private static readonly string[] PrincipalKinds = ["AWS", "Service", "Federated", "CanonicalUser"];

    /// <summary>Checks a policy for Create/UpdateResourcePolicy; on success <paramref name="document"/> is the parsed policy.</summary>
    public static EmulatorError? Check(string? policy, out JsonObject document)
    {
        if (Parse(policy, out document) is { } error)
        {
            return error;
        }

        foreach (var (name, _) in document)
        {
            if (!TopLevel.Contains(name, StringComparer.Ordinal))
            {
                return Invalid($"unknown element '{name}' at $. A policy has only Version, Id and Statement.");
            }
        }

        if (document["Version"] is { } version && !(IsString(version, out string? v) && v is "2012-10-17" or "2008-10-17"))
        {
            return Invalid($"$.Version must be \"2012-10-17\" or \"2008-10-17\", not {version.ToJsonString()}.");
        }

        if (document["Id"] is { } id && !IsString(id, out _))
        {
            return Invalid("$.Id must be a string.");
        }

        var sids = new HashSet<string>(StringComparer.Ordinal);
        switch (document["Statement"])
        {
            case null:
                return Invalid("$.Statement is required: a statement object or a non-empty list of them.");
            case JsonObject single:
                return CheckStatement(single, "$.Statement", sids) ?? CheckPrincipalRule(single, "$.Statement");
            case JsonArray { Count: > 0 } list:
                for (int i = 0; i < list.Count; i++)
                {
                    if (list[i] is not JsonObject statement)
                    {
                        return Invalid($"$.Statement[{i}] must be a statement object.");
                    }

                    if (CheckStatement(statement, $"$.Statement[{i}]", sids) is { } statementError)
                    {
                        return statementError;
                    }
                }

                // The grammar first, then the rules of a Lex resource policy.
                for (int i = 0; i < list.Count; i++)
                {
                    if (CheckPrincipalRule((JsonObject)list[i]!, $"$.Statement[{i}]") is { } ruleError)
                    {
                        return ruleError;
                    }
                }

                return null;
            default:
                return Invalid("$.Statement must be a statement object or a non-empty list of them.");
        }
    }

    /// <summary>
    /// A Lex resource policy grants access only to whom a statement names: an Allow for a wildcard principal (<c>"*"</c>, or
    /// <c>"*"</c> as a value of a principal type) or with <c>NotPrincipal</c> (everyone but those listed) is refused, conditions
    /// or not. A Deny for everyone narrows access and is stored (a common guard, and what a live policy may already hold).
    /// </summary>
    private static EmulatorError? CheckPrincipalRule(JsonObject statement, string at)
    {
        if (!IsString(statement["Effect"], out string? effect) || effect != "Allow")
        {
            return null;
        }

        bool wildcard = statement["Principal"] switch
        {
            JsonValue v => IsString(v, out string? any) && any == "*",
            JsonObject kinds => kinds.Any(k => (k.Value is JsonArray list ? list.ToArray() : [k.Value]).Any(x => IsString(x, out string? value) && value == "*")),
            _ => false,
        };
        string? element = statement.ContainsKey("NotPrincipal") ? "NotPrincipal" : wildcard ? "Principal" : null;
        return element is null
            ? null
            : Invalid($"{at}.{element}: an Allow for a wildcard principal (\"*\") or with NotPrincipal (everyone but those listed) is not accepted in a Lex resource policy; name the AWS service, or the IAM role, user or account root of the resource's own account, the statement is for. A Deny for everyone is accepted.");
    }

    /// <summary>The size quota, JSON, and a JSON object: what every policy the emulator holds must be.</summary>
    public static EmulatorError? Parse(string? policy, out JsonObject document)
    {
        document = null!;
        if (EmulatorRules.CheckShape("policy", "Policy", policy) is { } m)
        {
            return new EmulatorError(HttpStatusCode.BadRequest, "ValidationException", m);
        }

        if (System.Text.Encoding.UTF8.GetByteCount(policy!) > MaxPolicyBytes)
        {
            return new EmulatorError(HttpStatusCode.PaymentRequired, "ServiceQuotaExceededException", $"The resource policy is larger than the {MaxPolicyBytes}-byte quota.");
        }

        var (node, problem) = StrictJson.Parse(policy!);
        if (problem is not null)
        {
            return Invalid("the policy is refused: " + problem);
        }

        if (node is not JsonObject obj)
        {
            return Invalid("the policy must be a JSON object.");
        }

        document = obj;
        return null;
    }

    /// <summary>
    /// Only what the emulator needs to manage a policy's statements, for <c>SeedPolicy</c> (which arranges tests and checks no
    /// more): a <c>Statement</c> that is an object or a list of objects.
    /// </summary>
    public static string? CheckManageable(JsonObject document) =>
        document["Statement"] is JsonObject || (document["Statement"] is JsonArray list && list.All(s => s is JsonObject))
            ? null
            : "the policy needs a Statement object or a list of statement objects.";

    /// <summary>The statements of a parsed policy, a single-object <c>Statement</c> included.</summary>
    public static IEnumerable<JsonObject> Statements(JsonObject document) => document["Statement"] switch
    {
        JsonObject single => [single],
        JsonArray list => list.OfType<JsonObject>(),
        _ => [],
    };

    /// <summary>The statement list of <paramref name="document"/>, turning a single-object <c>Statement</c> into a list of one.</summary>
    public static JsonArray StatementList(JsonObject document)
    {
        if (document["Statement"] is JsonArray list)
        {
            return list;
        }

        var single = document["Statement"];
        document.Remove("Statement");
        list = single is null ? [] : [single];
        document["Statement"] = list;
        return list;
    }

    private static EmulatorError? CheckStatement(JsonObject s, string at, HashSet<string> sids)
    {
        foreach (var (name, _) in s)
        {
            if (!StatementElements.Contains(name, StringComparer.Ordinal))
            {
                return Invalid($"unknown element '{name}' at {at}. A statement has only {string.Join(", ", StatementElements)}.");
            }
        }

        if (s["Sid"] is { } sidNode)
        {
            if (!IsString(sidNode, out string? sid))
            {
                return Invalid($"{at}.Sid must be a string.");
            }

            if (!sids.Add(sid!))
            {
                return Invalid($"{at}.Sid: the statement id '{sid}' is used more than once.");
            }
        }

        if (!(s["Effect"] is { } effect && IsString(effect, out string? e) && e is "Allow" or "Deny"))
        {
            return Invalid($"{at}.Effect must be \"Allow\" or \"Deny\"{(s["Effect"] is { } given ? ", not " + given.ToJsonString() : " and is missing")}.");
        }

        return OneOf(s, at, "Principal", "NotPrincipal", required: true, CheckPrincipal)
            ?? OneOf(s, at, "Action", "NotAction", required: true, CheckAction)
            ?? OneOf(s, at, "Resource", "NotResource", required: false, (node, path) => StringOrList(node, path, _ => true, "a resource ARN or \"*\""))
            ?? (s["Condition"] is { } condition ? CheckCondition(condition, at + ".Condition") : null);
    }

    private static EmulatorError? OneOf(JsonObject s, string at, string name, string notName, bool required, Func<JsonNode, string, EmulatorError?> check)
    {
        bool has = s.ContainsKey(name), hasNot = s.ContainsKey(notName);
        if (has && hasNot)
        {
            return Invalid($"{at} has both {name} and {notName}; a statement takes one of them.");
        }

        if (!has && !hasNot)
        {
            return required ? Invalid($"{at} must have {name} or {notName}.") : null;
        }

        string element = has ? name : notName;
        return s[element] is { } node ? check(node, $"{at}.{element}") : Invalid($"{at}.{element} must not be null.");
    }

    private static EmulatorError? CheckPrincipal(JsonNode node, string at)
    {
        if (IsString(node, out string? any))
        {
            return any == "*" ? null : Invalid($"{at} must be \"*\" or an object such as {{\"AWS\": ...}} or {{\"Service\": ...}}, not \"{any}\".");
        }

        if (node is not JsonObject kinds || kinds.Count == 0)
        {
            return Invalid($"{at} must be \"*\" or a non-empty object of AWS, Service, Federated or CanonicalUser principals.");
        }

        foreach (var (kind, value) in kinds)
        {
            if (!PrincipalKinds.Contains(kind, StringComparer.Ordinal))
            {
                return Invalid($"{at}: unknown principal type '{kind}'; use AWS, Service, Federated or CanonicalUser.");
            }

            if (StringOrList(value, $"{at}.{kind}", v => v.Length > 0, "a principal") is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static EmulatorError? CheckAction(JsonNode node, string at) =>
        StringOrList(node, at, a => a == "*" || ActionPattern().IsMatch(a), "\"*\" or service:action, e.g. lex:RecognizeText");

    private static EmulatorError? CheckCondition(JsonNode node, string at)
    {
        if (node is not JsonObject operators)
        {
            return Invalid($"{at} must be an object of condition operators.");
        }

        foreach (var (op, keys) in operators)
        {
            if (keys is not JsonObject map || map.Count == 0)
            {
                return Invalid($"{at}.{op} must be a non-empty object of condition keys.");
            }

            if (!IsConditionOperator(op))
            {
                return Invalid($"{at}: Invalid Condition type: {op}.");
            }

            foreach (var (key, value) in map)
            {
                bool scalar(JsonNode? v) => v is JsonValue jv && jv.GetValueKind() is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False;
                if (!(scalar(value) || (value is JsonArray list && list.Count > 0 && list.All(scalar))))
                {
                    return Invalid($"{at}.{op}.{key} must be a string, number or boolean, or a non-empty list of them.");
                }

                foreach (var item in value is JsonArray many ? many.ToArray() : [value])
                {
                    string text = item!.GetValueKind() == JsonValueKind.String ? item.GetValue<string>() : item.ToJsonString();
                    if (ConditionValueProblem(op, text) is { } problem)
                    {
                        return Invalid($"{at}.{op}.{key}: {problem}");
                    }
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Whether <paramref name="op"/> is a condition operator of the IAM documentation ("IAM JSON policy elements: Condition
    /// operators"): a String, Numeric, Date, Bool, BinaryEquals, IpAddress/NotIpAddress or Arn operator, optionally with the
    /// <c>IfExists</c> suffix, or <c>Null</c> (which takes no suffix), each optionally behind <c>ForAnyValue:</c> or
    /// <c>ForAllValues:</c>. Names are case-sensitive.
    /// </summary>
    public static bool IsConditionOperator(string op) => OperatorPattern().IsMatch(op);

    /// <summary>
    /// What is wrong with a condition value for its operator's type, per the IAM documentation (numbers for Numeric, ISO 8601
    /// or epoch seconds for Date, true/false for Bool and Null, base64 for BinaryEquals, an address or CIDR range for
    /// IpAddress); <see langword="null"/> when it fits, or the operator takes any text. A policy variable (<c>${...}</c>) is
    /// left to evaluation in the operators that take them.
    /// </summary>
    public static string? ConditionValueProblem(string op, string value)
    {
        string baseName = op[(op.IndexOf(':', StringComparison.Ordinal) + 1)..];
        baseName = baseName.EndsWith("IfExists", StringComparison.Ordinal) ? baseName[..^"IfExists".Length] : baseName;
        bool variable = value.Contains("${", StringComparison.Ordinal);
        return baseName switch
        {
            _ when baseName.StartsWith("Numeric", StringComparison.Ordinal) => NumberPattern().IsMatch(value) && decimal.TryParse(value, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out _) ? null : $"'{value}' is not a number.",
            _ when baseName.StartsWith("Date", StringComparison.Ordinal) => IsDate(value) ? null : $"'{value}' is not an ISO 8601 date in its calendar range or epoch seconds up to the year 9999.",
            "Bool" when variable => null,
            "Bool" or "Null" => value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("false", StringComparison.OrdinalIgnoreCase) ? null : $"'{value}' is not true or false.",
            "BinaryEquals" => value.Length % 4 == 0 && Convert.TryFromBase64String(value, new byte[value.Length], out _) ? null : $"'{value}' is not base64.",
            "IpAddress" or "NotIpAddress" => IsIpRange(value) ? null : $"'{value}' is not an IP address or CIDR range.",
            _ => null,
        };
    }

    /// <summary>
    /// An ISO 8601 date of the W3C profile or its basic form whose fields are in their calendar ranges (month 1 to 12, a day of
    /// that month, hour 0 to 23, minute and second 0 to 59, an offset of at most 18 hours), or epoch seconds up to
    /// 9999-12-31T23:59:59Z (253402300799). Four digits are a year.
    /// </summary>
    private static bool IsDate(string value)
    {
        if (value.Length != 4 && EpochPattern().IsMatch(value))
        {
            return long.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out long seconds) && seconds <= 253402300799;
        }

        var m = DatePattern().Match(value);
        if (!m.Success)
        {
            m = BasicDatePattern().Match(value);
        }

        if (!m.Success)
        {
            return false;
        }

        int Number(string group, int absent) => m.Groups[group].Success ? int.Parse(m.Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture) : absent;
        int year = Number("year", 1), month = Number("month", 1), day = Number("day", 1);
        return year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month)
            && Number("hour", 0) <= 23 && Number("minute", 0) <= 59 && Number("second", 0) <= 59
            && Number("offsetHours", 0) <= 18 && Number("offsetMinutes", 0) <= 59;
    }

    private static bool IsIpRange(string value)
    {
        string[] parts = value.Split('/');
        if (parts.Length > 2 || !IPAddress.TryParse(parts[0], out var address) || parts[0].Contains('%', StringComparison.Ordinal))
        {
            return false;
        }

        int max = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
        return parts.Length == 1 || (parts[1].Length is > 0 and <= 3 && parts[1].All(char.IsAsciiDigit) && int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) <= max);
    }

    private static EmulatorError? StringOrList(JsonNode? node, string at, Func<string, bool> valid, string expected)
    {
        if (IsString(node, out string? one))
        {
            return valid(one!) ? null : Invalid($"{at} must be {expected}, not \"{one}\".");
        }

        if (node is not JsonArray list || list.Count == 0)
        {
            return Invalid($"{at} must be a string or a non-empty list of strings.");
        }

        for (int i = 0; i < list.Count; i++)
        {
            if (!IsString(list[i], out string? item))
            {
                return Invalid($"{at}[{i}] must be a string.");
            }

            if (!valid(item!))
            {
                return Invalid($"{at}[{i}] must be {expected}, not \"{item}\".");
            }
        }

        return null;
    }

    private static bool IsString(JsonNode? node, out string? value)
    {
        value = null;
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.TryGetValue(out value);
    }

    private static EmulatorError Invalid(string problem) => new(HttpStatusCode.BadRequest, "ValidationException", "Policy isn't valid: " + problem);

    [GeneratedRegex(@"^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+\z")]
    private static partial Regex ActionPattern();

    [GeneratedRegex(@"^(ForAnyValue:|ForAllValues:)?((String(Not)?Equals(IgnoreCase)?|String(Not)?Like|Numeric(Not)?Equals|Numeric(Less|Greater)Than(Equals)?|Date(Not)?Equals|Date(Less|Greater)Than(Equals)?|Bool|BinaryEquals|(Not)?IpAddress|Arn(Not)?(Equals|Like))(IfExists)?|Null)\z")]
    private static partial Regex OperatorPattern();

    [GeneratedRegex(@"^[+-]?[0-9]+(\.[0-9]+)?\z")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"^(?<year>[0-9]{4})(-(?<month>[0-9]{2})(-(?<day>[0-9]{2})(T(?<hour>[0-9]{2}):(?<minute>[0-9]{2})(:(?<second>[0-9]{2})(\.[0-9]+)?)?(Z|[+-](?<offsetHours>[0-9]{2}):?(?<offsetMinutes>[0-9]{2}))?)?)?)?\z")]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"^(?<year>[0-9]{4})(?<month>[0-9]{2})(?<day>[0-9]{2})T(?<hour>[0-9]{2})(?<minute>[0-9]{2})(?<second>[0-9]{2})(Z|[+-](?<offsetHours>[0-9]{2})(?<offsetMinutes>[0-9]{2}))?\z")]
    private static partial Regex BasicDatePattern();

    [GeneratedRegex(@"^[0-9]+\z")]
    private static partial Regex EpochPattern();
}
