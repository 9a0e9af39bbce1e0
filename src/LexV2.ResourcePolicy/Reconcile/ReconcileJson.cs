using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace LexV2.ResourcePolicy.Reconcile;

/// <summary>The desired-state file: <c>{ "$schema"?, "resources": [ ... ] }</c>.</summary>
internal sealed class DesiredStateFile
{
    [JsonPropertyName("$schema")]
    public string? Schema { get; init; }

    public required List<ResourceEntry?>? Resources { get; init; }

    public static string Write(DesiredState state) => JsonSerializer.Serialize(
        new DesiredStateFile
        {
            Resources = [.. state.Resources.Select(r => (ResourceEntry?)new ResourceEntry
            {
                ResourceArn = r.ResourceArn,
                Prune = r.Prune,
                Statements = [.. r.Statements.Select(s => (StatementEntry?)StatementEntry.From(s))],
                Expect = r.Expect is { Count: > 0 } expect ? [.. expect.Select(e => (ExpectationEntry?)ExpectationEntry.From(e))] : null,
            })],
        },
        ReconcileJson.Files.DesiredStateFile);

    public static DesiredState Parse(string json, string? source)
    {
        var file = ReconcileJson.Deserialize(json, ReconcileJsonContext.Default.DesiredStateFile, source);
        if (file.Resources is null)
        {
            throw new DesiredStateException(source, [new("$.resources", "is required")]);
        }

        return new DesiredState
        {
            Resources = [.. file.Resources.Select((r, i) => r is null
                ? throw new DesiredStateException(source, [new($"$.resources[{i}]", "must be an object, not null")])
                : new DesiredResource
                {
                    ResourceArn = r.ResourceArn ?? throw new DesiredStateException(source, [new($"$.resources[{i}].resourceArn", "is required")]),
                    Prune = r.Prune,
                    Statements = [.. (r.Statements ?? throw new DesiredStateException(source, [new($"$.resources[{i}].statements", "is required (an empty list, with prune, removes every statement)")]))
                        .Select((s, j) => s?.ToRequest(r.ResourceArn) ?? throw new DesiredStateException(source, [new($"$.resources[{i}].statements[{j}]", "must be an object, not null")]))],
                    Expect = [.. (r.Expect ?? []).Select((e, j) => (e ?? throw new DesiredStateException(source, [new($"$.resources[{i}].expect[{j}]", "must be an object, not null")]))
                        .ToExpectation($"$.resources[{i}].expect[{j}]", source))],
                })],
        };
    }
}

/// <summary>One resource of a desired-state file.</summary>
internal sealed class ResourceEntry
{
    public required string? ResourceArn { get; init; }

    public bool Prune { get; init; }

    public required List<StatementEntry?>? Statements { get; init; }

    public List<ExpectationEntry?>? Expect { get; init; }
}

/// <summary>An access expectation of a resource: <c>{ "principal", "action", "context"?, "identityPolicies"?, "decision", "description"? }</c>.</summary>
internal sealed class ExpectationEntry
{
    public string? Description { get; init; }

    public required string? Principal { get; init; }

    public required string? Action { get; init; }

    /// <summary>Key → a string, or a list of strings for a multivalued key.</summary>
    public Dictionary<string, ContextValues>? Context { get; init; }

    /// <summary>IAM policy documents (identity-based: no Principal).</summary>
    public List<JsonElement>? IdentityPolicies { get; init; }

    /// <summary><c>allow</c>, <c>deny</c> or <c>explicitDeny</c>.</summary>
    public required string? Decision { get; init; }

    public static ExpectationEntry From(AccessExpectation e) => new()
    {
        Description = e.Description,
        Principal = e.Principal,
        Action = e.Action,
        Context = e.Context.Count == 0 ? null : e.Context.ToDictionary(c => c.Key, c => new ContextValues([.. c.Value]), StringComparer.Ordinal),
        IdentityPolicies = e.IdentityPolicies.Count == 0 ? null : [.. e.IdentityPolicies.Select(p => { using var d = JsonDocument.Parse(p.ToJson()); return d.RootElement.Clone(); })],
        Decision = AccessExpectations.Name(e.Decision),
    };

    public AccessExpectation ToExpectation(string at, string? source)
    {
        var decision = AccessExpectations.Parse(Decision)
            ?? throw new DesiredStateException(source, [new(at + ".decision", $"must be \"allow\", \"deny\" or \"explicitDeny\" (was {(Decision is null ? "null" : "\"" + Decision + "\"")})")]);
        var policies = new List<PolicyDocument>();
        for (int k = 0; k < (IdentityPolicies?.Count ?? 0); k++)
        {
            try
            {
                policies.Add(PolicyDocument.Parse(IdentityPolicies![k].GetRawText()));
            }
            catch (PolicyFormatException e)
            {
                throw new DesiredStateException(source, [new($"{at}.identityPolicies[{k}]" + e.Path[1..], "is not an IAM policy: " + e.Message[(e.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..])]);
            }
        }

        return new AccessExpectation
        {
            Description = Description,
            Principal = Principal ?? throw new DesiredStateException(source, [new(at + ".principal", "is required")]),
            Action = Action ?? throw new DesiredStateException(source, [new(at + ".action", "is required")]),
            Context = (Context ?? []).ToDictionary(c => c.Key, c => (IReadOnlyList<string>)c.Value.Values, StringComparer.Ordinal),
            IdentityPolicies = policies,
            Decision = decision,
        };
    }
}

/// <summary>The value of a context key in a desired-state file: one string, or a list of strings (a multivalued key).</summary>
[JsonConverter(typeof(ContextValuesConverter))]
internal sealed record ContextValues(List<string> Values);

/// <summary>Reads and writes <see cref="ContextValues"/> without reflection: a string, or an array of strings.</summary>
internal sealed class ContextValuesConverter : JsonConverter<ContextValues>
{
    public override ContextValues Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new([reader.GetString()!]);
        }

        if (reader.TokenType == JsonTokenType.StartArray)
        {
            var values = new List<string>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                values.Add(reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException("The JSON value could not be converted to a context value."));
            }

            return new(values);
        }

        throw new JsonException("The JSON value could not be converted to a context value.");
    }

    public override void Write(Utf8JsonWriter writer, ContextValues value, JsonSerializerOptions options)
    {
        if (value.Values.Count == 1)
        {
            writer.WriteStringValue(value.Values[0]);
            return;
        }

        writer.WriteStartArray();
        foreach (string v in value.Values)
        {
            writer.WriteStringValue(v);
        }

        writer.WriteEndArray();
    }
}

/// <summary>A statement in the API's member names (the body of CreateResourcePolicyStatement).</summary>
internal sealed class StatementEntry
{
    public required string? StatementId { get; init; }

    public required Effect Effect { get; init; }

    public required List<Principal>? Principal { get; init; }

    public required List<string>? Action { get; init; }

    public Dictionary<string, Dictionary<string, string>>? Condition { get; init; }

    public static StatementEntry From(CreateResourcePolicyStatementRequest r) => new()
    {
        StatementId = r.StatementId,
        Effect = r.Effect,
        Principal = [.. r.Principal],
        Action = [.. r.Action],
        Condition = r.Condition?.ToDictionary(op => op.Key, op => op.Value.ToDictionary(k => k.Key, k => k.Value, StringComparer.Ordinal), StringComparer.Ordinal),
    };

    public CreateResourcePolicyStatementRequest ToRequest(string resourceArn) => new()
    {
        ResourceArn = resourceArn,
        StatementId = StatementId!,
        Effect = Effect,
        Principal = Principal!,
        Action = Action!,
        Condition = Condition?.ToDictionary(op => op.Key, op => (IReadOnlyDictionary<string, string>)op.Value, StringComparer.Ordinal),
    };
}

/// <summary>The saved plan file (<see cref="ReconcilePlan.ToJson"/>); <c>sha256</c> covers the canonical form of the rest.</summary>
internal sealed class PlanFile
{
    public required int FormatVersion { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public string? Generator { get; init; }

    public PlanTargetEntry? Target { get; init; }

    public List<PlanWarningEntry?>? Warnings { get; init; }

    public required List<PlanResourceEntry?>? Resources { get; init; }

    public string? Sha256 { get; init; }
}

/// <summary>Where the plan is to be applied: the endpoint URL per region of its resources, and the resources' account ids.</summary>
internal sealed class PlanTargetEntry
{
    public required Dictionary<string, string>? Endpoints { get; init; }

    public required List<string>? AccountIds { get; init; }
}

/// <summary>A linter finding on the desired state the plan was made from.</summary>
internal sealed class PlanWarningEntry
{
    public required string? Path { get; init; }

    public required string? Message { get; init; }
}

/// <summary>Why a resource could not be planned (only in a plan that has errors, which cannot be applied).</summary>
internal sealed class PlanErrorEntry
{
    public string? Code { get; init; }

    public required string? Message { get; init; }
}

/// <summary>One resource of a plan file: the revision (and policy digest) it was computed from and the exact changes.</summary>
internal sealed class PlanResourceEntry
{
    public required string? ResourceArn { get; init; }

    public bool Prune { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] // null says "there was no policy"
    public required string? RevisionId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required string? PolicySha256 { get; init; }

    public required List<PlanChangeEntry?>? Changes { get; init; }

    public List<string>? Unchanged { get; init; }

    public PlanErrorEntry? Error { get; init; }
}

/// <summary>One change of a plan file: <c>add</c> and <c>replace</c> carry the statement, <c>replace</c> and <c>remove</c> the current one.</summary>
internal sealed class PlanChangeEntry
{
    public required string? Change { get; init; }

    public string? StatementId { get; init; }

    public StatementEntry? Statement { get; init; }

    public JsonElement? Current { get; init; }
}

/// <summary>
/// Source-generated metadata for the desired-state and plan files (no reflection: trimming- and NativeAOT-safe). Strict: member
/// names are the API's camelCase ones, matched case-sensitively, and an unknown member is an error.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    UseStringEnumConverter = true,
    WriteIndented = true,
    MaxDepth = 64)]
[JsonSerializable(typeof(DesiredStateFile))]
[JsonSerializable(typeof(PlanFile))]
internal sealed partial class ReconcileJsonContext : JsonSerializerContext
{
}

/// <summary>Reading and writing the files, with errors that name the file, the JSON path and the problem in words.</summary>
internal static partial class ReconcileJson
{
    /// <summary>Writes non-ASCII characters as themselves: the files are read by people and by this tool, never embedded in HTML.</summary>
    public static ReconcileJsonContext Files { get; } = new(new JsonSerializerOptions(ReconcileJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>As <see cref="Files"/>, without indentation (for hashing).</summary>
    public static ReconcileJsonContext Compact { get; } = new(new JsonSerializerOptions(ReconcileJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = false });

    public static T Deserialize<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, string? source)
        where T : class
    {
        if (JsonDuplicates.FindFirst(json) is { } repeated)
        {
            throw new DesiredStateException(source, [new(repeated, "appears twice in the same object: a repeated member would silently take the last value, so the file is refused")]);
        }

        try
        {
            return JsonSerializer.Deserialize(json, typeInfo) ?? throw new DesiredStateException(source, [new("$", "must be a JSON object, not null")]);
        }
        catch (JsonException e)
        {
            throw new DesiredStateException(source, [WildcardPrincipal(json, e) ?? Describe(e)], e);
        }
    }

    /// <summary>
    /// A statement's <c>principal</c> (or one of its items) given as the wildcard <c>"*"</c>: the reader names the rule that
    /// refuses it (<see cref="WildcardPrincipalRule"/>) instead of calling a string the wrong type. <see langword="null"/> when
    /// the failure is anything else.
    /// </summary>
    internal static DesiredStateProblem? WildcardPrincipal(string json, JsonException e)
    {
        if (e.Path is not { } path || !PrincipalPathPattern().IsMatch(path))
        {
            return null;
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            return null;
        }

        foreach (Match step in PathStepPattern().Matches(path))
        {
            if (step.Groups[1].Success)
            {
                node = (node as JsonObject)?[step.Groups[1].Value];
            }
            else
            {
                node = node is JsonArray list && int.TryParse(step.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture, out int i) && i < list.Count ? list[i] : null;
            }
        }

        return node is JsonValue value && value.TryGetValue(out string? text) && WildcardPrincipalRule.IsWildcard(text)
            ? new DesiredStateProblem(path, "\"*\" (anyone) is not accepted: a desired-state statement has the statement API's form, and " + WildcardPrincipalRule.CannotExpress)
            : null;
    }

    /// <summary>Turns the serializer's message (which names internal types) into the member and the problem in the file's terms.</summary>
    internal static DesiredStateProblem Describe(JsonException e)
    {
        string path = e.Path ?? "$";
        string message = e.Message;
        string where = e.LineNumber is { } line ? $" (line {line + 1}, column {e.BytePositionInLine + 1})" : string.Empty;
        if (UnmappedPattern().Match(message) is { Success: true } unmapped)
        {
            string name = unmapped.Groups[1].Value;
            string parent = path.EndsWith("." + name, StringComparison.Ordinal) ? path[..^(name.Length + 1)] : path;
            string? suggestion = KnownMembers.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase) && k != name);
            return new(parent + "." + name, $"unknown member '{name}'" + (suggestion is null ? string.Empty : $" (member names are case-sensitive: did you mean '{suggestion}'?)") + where);
        }

        if (MissingPattern().Match(message) is { Success: true } missing)
        {
            string[] names = missing.Groups[1].Value.Split(", ");
            return names.Length == 1
                ? new(path + "." + names[0].Trim('\''), "is required" + where)
                : new(path, $"missing required members {missing.Groups[1].Value}" + where);
        }

        if (message.Contains("could not be converted", StringComparison.Ordinal))
        {
            // The serializer names the containing type; the member at the end of the path says what was expected.
            string member = path[(path.LastIndexOf('.') + 1)..];
            member = member.Contains('[', StringComparison.Ordinal) && !member.StartsWith("['", StringComparison.Ordinal) ? member[..member.IndexOf('[', StringComparison.Ordinal)] : member;
            string expected = path.Contains(".context.", StringComparison.Ordinal) ? "a string, or a list of strings for a multivalued key" : member switch
            {
                "effect" => "\"Allow\" or \"Deny\"",
                "prune" => "true or false",
                "formatVersion" => "a whole number",
                "createdAt" => "an ISO 8601 date and time",
                "principal" => path.EndsWith(']') ? "an object such as {\"service\": \"connect.amazonaws.com\"} or {\"arn\": \"arn:aws:iam::123456789012:role/app\"}" : "a list of {\"service\": ...} or {\"arn\": ...} objects",
                "resources" or "statements" or "action" or "changes" or "unchanged" => path.EndsWith(']') ? "an object or string item" : "a list",
                "condition" => "an object of operators, each an object of key: value strings",
                "context" => "an object of condition keys, each a string or a list of strings",
                "expect" or "identityPolicies" => path.EndsWith(']') ? "an object item" : "a list",
                _ when path.EndsWith(']') => "a string or object item",
                _ => "a string (or an object where the member holds one)",
            };
            return new(path, "wrong type of value: expected " + expected + where);
        }

        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return new(path, "invalid JSON: " + (cut > 0 ? message[..cut] : message) + where);
    }

    private static readonly string[] KnownMembers =
    [
        "$schema", "resources", "resourceArn", "prune", "statements", "statementId", "effect", "principal", "service", "arn", "action",
        "condition", "formatVersion", "createdAt", "revisionId", "policySha256", "changes", "unchanged", "change", "statement", "current",
        "generator", "target", "endpoints", "accountIds", "warnings", "path", "message", "sha256", "error", "code",
        "expect", "description", "context", "identityPolicies", "decision",
    ];

    [GeneratedRegex(@"^\$\.resources\[\d+\]\.statements\[\d+\]\.principal(\[\d+\])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex PrincipalPathPattern();

    [GeneratedRegex(@"\.([A-Za-z$]+)|\[(\d+)\]", RegexOptions.CultureInvariant)]
    private static partial Regex PathStepPattern();

    [GeneratedRegex("The JSON property '(.*)' could not be mapped", RegexOptions.CultureInvariant)]
    private static partial Regex UnmappedPattern();

    [GeneratedRegex("missing required properties including: (.*)\\.", RegexOptions.CultureInvariant)]
    private static partial Regex MissingPattern();

}
